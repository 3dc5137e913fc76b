"""Shifts: posts, shift patterns, the shift log (attendance, events, open matters), the water bar and restock requests

Revision ID: 7f93d24a00df
Revises: 8907442247f7
Create Date: 2026-11-23 03:58:24.232664
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '7f93d24a00df'
down_revision = "8907442247f7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shift_pattern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name')
    )
    with op.batch_alter_table('shift_pattern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_pattern_project_id'), ['project_id'], unique=False)

    op.create_table('shift_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name')
    )
    with op.batch_alter_table('shift_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_post_project_id'), ['project_id'], unique=False)

    op.create_table('water_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('min_stock', sa.Integer(), nullable=False),
    sa.Column('initial_stock', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name')
    )
    with op.batch_alter_table('water_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_water_item_project_id'), ['project_id'], unique=False)

    op.create_table('restock_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['water_item.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('restock_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_restock_request_project_id'), ['project_id'], unique=False)

    op.create_table('shift_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('pattern_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.Column('closed_unclocked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['pattern_id'], ['shift_pattern.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['shift_post.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shift_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_attendance_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_attendance_user_id'), ['user_id'], unique=False)

    op.create_table('water_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['water_item.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'day')
    )
    with op.batch_alter_table('water_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_water_count_project_id'), ['project_id'], unique=False)

    op.create_table('water_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('restocked', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['water_item.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('water_entry', schema=None) as batch_op:
        batch_op.create_index('ix_water_entry_item_day', ['item_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_water_entry_project_id'), ['project_id'], unique=False)

    op.create_table('shift_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['shift_attendance.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shift_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_event_attendance_id'), ['attendance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_event_project_id'), ['project_id'], unique=False)

    op.create_table('shift_matter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['attendance_id'], ['shift_attendance.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['raised_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shift_matter', schema=None) as batch_op:
        batch_op.create_index('ix_shift_matter_open', ['project_id', 'closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_matter_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('shift_matter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_matter_project_id'))
        batch_op.drop_index('ix_shift_matter_open')

    op.drop_table('shift_matter')
    with op.batch_alter_table('shift_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_event_project_id'))
        batch_op.drop_index(batch_op.f('ix_shift_event_attendance_id'))

    op.drop_table('shift_event')
    with op.batch_alter_table('water_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_water_entry_project_id'))
        batch_op.drop_index('ix_water_entry_item_day')

    op.drop_table('water_entry')
    with op.batch_alter_table('water_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_water_count_project_id'))

    op.drop_table('water_count')
    with op.batch_alter_table('shift_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_shift_attendance_project_id'))

    op.drop_table('shift_attendance')
    with op.batch_alter_table('restock_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_restock_request_project_id'))

    op.drop_table('restock_request')
    with op.batch_alter_table('water_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_water_item_project_id'))

    op.drop_table('water_item')
    with op.batch_alter_table('shift_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_post_project_id'))

    op.drop_table('shift_post')
    with op.batch_alter_table('shift_pattern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_pattern_project_id'))

    op.drop_table('shift_pattern')
