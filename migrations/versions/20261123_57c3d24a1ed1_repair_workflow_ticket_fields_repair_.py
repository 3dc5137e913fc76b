"""repair workflow: ticket fields, repair settings, notifications; projects may keep photo locations

Revision ID: 57c3d24a1ed1
Revises: 20125d3bbe9c
Create Date: 2026-11-23 02:32:45.637280
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '57c3d24a1ed1'
down_revision = '20125d3bbe9c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_unread', ['user_id', 'read_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('repair_settings',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('dispatch_minutes', sa.Integer(), nullable=False),
    sa.Column('urgent_hours', sa.Integer(), nullable=False),
    sa.Column('minor_days', sa.Integer(), nullable=False),
    sa.Column('medium_days', sa.Integer(), nullable=False),
    sa.Column('major_days', sa.Integer(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id')
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keep_photo_location', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='其他'))
        batch_op.add_column(sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='minor'))
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('reporter_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reporter_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dispatched_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('work_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('materials', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('callback_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('callback_reached', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('satisfaction', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('callback_comment', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reopen_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('public_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('source_ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_ticket_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_unique_constraint('uq_ticket_public_token', ['public_token'])
        batch_op.create_foreign_key('fk_ticket_assignee_id_user', 'user', ['assignee_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_ticket_dispatched_by_user', 'user', ['dispatched_by'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('keep_photo_location')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ticket_dispatched_by_user', type_='foreignkey')
        batch_op.drop_constraint('fk_ticket_assignee_id_user', type_='foreignkey')
        batch_op.drop_constraint('uq_ticket_public_token', type_='unique')
        batch_op.drop_index(batch_op.f('ix_ticket_assignee_id'))
        batch_op.drop_column('source_ip')
        batch_op.drop_column('public_token')
        batch_op.drop_column('reopen_count')
        batch_op.drop_column('reason')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('callback_comment')
        batch_op.drop_column('satisfaction')
        batch_op.drop_column('callback_reached')
        batch_op.drop_column('callback_at')
        batch_op.drop_column('materials')
        batch_op.drop_column('work_note')
        batch_op.drop_column('finished_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('dispatched_by')
        batch_op.drop_column('dispatched_at')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('due_at')
        batch_op.drop_column('reporter_phone')
        batch_op.drop_column('reporter_name')
        batch_op.drop_column('urgent')
        batch_op.drop_column('severity')
        batch_op.drop_column('category')

    op.drop_table('repair_settings')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index('ix_notification_unread')

    op.drop_table('notification')
