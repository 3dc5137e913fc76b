"""month draft: the months not final yet, counted by the clock every few minutes (month_draft), so the month
page reads one row a month instead of counting every site's records

Revision ID: 25d1a0b2c00e
Revises: 25c4e2f3a00d
Create Date: 2026-12-04 20:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '25d1a0b2c00e'
down_revision = '25c4e2f3a00d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('month_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('sites', sa.JSON(), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'month')
    )


def downgrade() -> None:
    op.drop_table('month_draft')
