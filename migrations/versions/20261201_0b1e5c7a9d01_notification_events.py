"""notification events: type, parameters and link instead of a finished sentence

Revision ID: 0b1e5c7a9d01
Revises: 7f93d24a00df
Create Date: 2026-12-01 10:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0b1e5c7a9d01'
down_revision = '7f93d24a00df'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('params', sa.JSON(), nullable=False, server_default='{}'))
        batch.add_column(sa.Column('link', sa.JSON(), nullable=False, server_default='{}'))
        batch.alter_column('text', existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), server_default='')


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.alter_column('text', existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), server_default=None)
        batch.drop_column('link')
        batch.drop_column('params')
        batch.drop_column('event')
