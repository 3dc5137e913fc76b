"""lost property handed to a police station: register_found.returned_to (owner | police) and police_station

Revision ID: 22b1e0d0f008
Revises: 21a1f0c0e007
Create Date: 2026-12-02 07:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '22b1e0d0f008'
down_revision = '21a1f0c0e007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('register_found', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_to', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='owner'))
        batch_op.add_column(sa.Column('police_station', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('register_found', schema=None) as batch_op:
        batch_op.drop_column('police_station')
        batch_op.drop_column('returned_to')
