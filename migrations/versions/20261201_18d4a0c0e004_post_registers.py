"""post registers: visitors, lost property, gifts handed in, keys lent (来访登记, 失物招领, 礼品上缴, 钥匙借还)

Revision ID: 18d4a0c0e004
Revises: 18b2e0c0e002
Create Date: 2026-12-01 16:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = '18d4a0c0e004'
down_revision = '18b2e0c0e002'
branch_labels = None
depends_on = None


def _base():
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('project_id', sa.Integer(), sa.ForeignKey('project.id', ondelete='CASCADE'), nullable=False),
            sa.Column('post_id', sa.Integer(), sa.ForeignKey('shift_post.id', ondelete='CASCADE'), nullable=False)]


def _user(name):
    return sa.Column(name, sa.Integer(), sa.ForeignKey('user.id', ondelete='SET NULL'), nullable=True)


def _text(name, length, default=None):
    if default is None:
        return sa.Column(name, sa.String(length=length), nullable=False)
    return sa.Column(name, sa.String(length=length), nullable=False, server_default=default)


def upgrade() -> None:
    op.create_table(
        'register_visit', *_base(),
        _text('visitor_name', 60), _text('id_number', 30, ''), _text('phone', 20, ''), _text('visiting', 80),
        _text('reason', 200, ''), _text('plate', 20, ''),
        sa.Column('in_at', sa.DateTime(timezone=True), nullable=False), sa.Column('out_at', sa.DateTime(timezone=True), nullable=True),
        _user('recorded_by'), _user('out_by'), sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_register_visit_post_in', 'register_visit', ['post_id', 'in_at'])
    op.create_index('ix_register_visit_project_in', 'register_visit', ['project_id', 'in_at'])
    op.create_table(
        'register_found', *_base(),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False), _text('found_place', 80), _text('found_by', 60, ''),
        _text('description', 500), _text('kept_where', 80), _user('recorded_by'),
        sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True), _text('receiver_name', 60, ''),
        _text('receiver_phone', 20, ''), _user('returned_by'), sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_register_found_post_found', 'register_found', ['post_id', 'found_at'])
    op.create_index('ix_register_found_open', 'register_found', ['project_id', 'returned_at'])
    op.create_table(
        'register_gift', *_base(),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False), _text('giver', 60), _text('item', 200),
        sa.Column('value', sa.Integer(), nullable=True), _text('handed_to', 60), _text('note', 200, ''),
        _user('recorded_by'), sa.Column('created_at', sa.DateTime(timezone=True), nullable=False), sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_register_gift_post_received', 'register_gift', ['post_id', 'received_at'])
    op.create_index('ix_register_gift_project_received', 'register_gift', ['project_id', 'received_at'])
    op.create_table(
        'register_key', *_base(),
        _text('key_name', 60), _text('borrower', 60), _text('borrower_phone', 20, ''),
        sa.Column('lent_at', sa.DateTime(timezone=True), nullable=False), sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True), _text('note', 200, ''), _user('lent_by'),
        _user('returned_by'), sa.Column('created_at', sa.DateTime(timezone=True), nullable=False), sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_register_key_post_lent', 'register_key', ['post_id', 'lent_at'])
    op.create_index('ix_register_key_open', 'register_key', ['project_id', 'returned_at', 'due_at'])


def downgrade() -> None:
    for table in ('register_key', 'register_gift', 'register_found', 'register_visit'):
        op.drop_table(table)
