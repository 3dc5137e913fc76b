"""guard duty: post kinds and round-the-clock posts, overnight shifts (shift_day, covers_until), the monitoring
log's camera and action, post equipment, duty hand-overs with their items

Revision ID: 18a1d0c0e001
Revises: 20a1b0c0e005
Create Date: 2026-12-01 16:00:00

Shifts that exist began and ended on one local day (patterns could not cross midnight): shift_day is the local
day they began, covers_until the end of that day, as the code decided until now.
"""
import os
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '18a1d0c0e001'
down_revision = '20a1b0c0e005'
branch_labels = None
depends_on = None


def _backfill_shifts() -> None:
    zone = ZoneInfo(os.environ.get("TIMEZONE", "Asia/Shanghai"))
    conn = op.get_bind()
    for row_id, started_at in conn.execute(sa.text("SELECT id, started_at FROM shift_attendance")).all():
        if isinstance(started_at, str):  # SQLite hands back text
            started_at = datetime.fromisoformat(started_at)
        if started_at.tzinfo is None:
            started_at = started_at.replace(tzinfo=timezone.utc)
        day = started_at.astimezone(zone).date()
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
        conn.execute(sa.text("UPDATE shift_attendance SET shift_day = :day, covers_until = :end WHERE id = :id"),
                     {"day": day, "end": end, "id": row_id})


def upgrade() -> None:
    with op.batch_alter_table('shift_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False,
                                      server_default='sales'))
        batch_op.add_column(sa.Column('always_manned', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('shift_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('camera', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('shift_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shift_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('covers_until', sa.DateTime(timezone=True), nullable=True))
    _backfill_shifts()
    with op.batch_alter_table('shift_attendance', schema=None) as batch_op:
        batch_op.alter_column('shift_day', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('covers_until', existing_type=sa.DateTime(timezone=True), nullable=False)
    for table, column in (('shift_post', 'kind'), ('shift_post', 'always_manned'), ('shift_event', 'camera'),
                          ('shift_event', 'action')):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, server_default=None)

    op.create_table('post_equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['shift_post.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('post_equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_equipment_post_id'), ['post_id'], unique=False)

    op.create_table('duty_handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('handed_by', sa.Integer(), nullable=True),
    sa.Column('handed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('receive_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('settled_by', sa.Integer(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settle_note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['shift_post.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attendance_id'], ['shift_attendance.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['handed_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['received_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['settled_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duty_handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_handover_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_duty_handover_status', ['project_id', 'status'], unique=False)

    op.create_table('duty_handover_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('handed', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handover_id'], ['duty_handover.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('duty_handover_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_handover_item_handover_id'), ['handover_id'], unique=False)


def downgrade() -> None:
    op.drop_table('duty_handover_item')
    op.drop_table('duty_handover')
    op.drop_table('post_equipment')
    with op.batch_alter_table('shift_attendance', schema=None) as batch_op:
        batch_op.drop_column('covers_until')
        batch_op.drop_column('shift_day')
    with op.batch_alter_table('shift_event', schema=None) as batch_op:
        batch_op.drop_column('action')
        batch_op.drop_column('camera')
    with op.batch_alter_table('shift_post', schema=None) as batch_op:
        batch_op.drop_column('always_manned')
        batch_op.drop_column('kind')
