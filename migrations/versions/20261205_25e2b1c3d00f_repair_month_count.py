"""repair month count: a project's repair figures of this month and the one before, counted by the clock every few
minutes (repair_month_count), so the figures page reads one row instead of the month's tickets

Revision ID: 25e2b1c3d00f
Revises: 25d1a0b2c00e
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '25e2b1c3d00f'
down_revision = '25d1a0b2c00e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('repair_month_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('dispatch_minutes', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'month')
    )


def downgrade() -> None:
    op.drop_table('repair_month_count')
