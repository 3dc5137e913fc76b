"""routines of every rhythm and trade: a route's walking role and on-demand rounds; weekly and monthly schedules

Revision ID: 18c3f0c0e003
Revises: 18d4a0c0e004
Create Date: 2026-12-01 15:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '18c3f0c0e003'
down_revision = '18d4a0c0e004'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('guard', 'attendant', 'engineer', 'inspector', 'supervisor', 'frontdesk')"
NEW_ROLES = "role IN ('guard', 'attendant', 'engineer', 'inspector', 'supervisor', 'frontdesk', 'cleaner')"


def upgrade() -> None:
    with op.batch_alter_table('patrol_route') as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='guard'))
        batch_op.add_column(sa.Column('on_demand', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('patrol_schedule') as batch_op:
        batch_op.add_column(sa.Column('rhythm', sa.String(length=10), nullable=False, server_default='daily'))
        batch_op.add_column(sa.Column('weekdays', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('month_day', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('month_week', sa.Integer(), nullable=True))
    with op.batch_alter_table('membership') as batch_op:  # the cleaner (保洁员) walks cleaning checks
        batch_op.drop_constraint('membership_role', type_='check')
        batch_op.create_check_constraint('membership_role', NEW_ROLES)


def downgrade() -> None:
    op.execute("DELETE FROM membership WHERE role = 'cleaner'")
    with op.batch_alter_table('membership') as batch_op:
        batch_op.drop_constraint('membership_role', type_='check')
        batch_op.create_check_constraint('membership_role', OLD_ROLES)
    with op.batch_alter_table('patrol_schedule') as batch_op:
        batch_op.drop_column('month_week')
        batch_op.drop_column('month_day')
        batch_op.drop_column('weekdays')
        batch_op.drop_column('rhythm')
    with op.batch_alter_table('patrol_route') as batch_op:
        batch_op.drop_column('on_demand')
        batch_op.drop_column('role')
