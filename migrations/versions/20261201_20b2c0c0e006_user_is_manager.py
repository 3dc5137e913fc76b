"""user.is_manager: a company-wide, read-only manager who sees the month's figures of every site

Revision ID: 20b2c0c0e006
Revises: 18c3f0c0e003
Create Date: 2026-12-01 16:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '20b2c0c0e006'
down_revision = '18c3f0c0e003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('is_manager', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('is_manager')
