"""occupant.phone_rev: a phone's digits reversed, indexed with the project (project_id, phone_rev), so the
type-ahead finds a phone by its end ("尾号 5678") as an index range, as it finds it by its start on phone_key
(it scanned the project's phones for any part of the number); filled here for the occupants already kept

Revision ID: 25a3c1e0f00b
Revises: 24d2f1a0b00a
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '25a3c1e0f00b'
down_revision = '24d2f1a0b00a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('occupant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_rev', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default=''))
    occupant = sa.table('occupant', sa.column('id', sa.Integer), sa.column('phone_key', sa.String),
                        sa.column('phone_rev', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(occupant.c.id, occupant.c.phone_key).where(occupant.c.phone_key != '')).all()
    for start in range(0, len(rows), 5000):  # in Python: SQLite has no reverse()
        bind.execute(occupant.update().where(occupant.c.id == sa.bindparam('row_id'))
                     .values(phone_rev=sa.bindparam('rev')),
                     [{'row_id': row.id, 'rev': row.phone_key[::-1]} for row in rows[start:start + 5000]])
    with op.batch_alter_table('occupant', schema=None) as batch_op:
        batch_op.create_index('ix_occupant_project_phone_rev', ['project_id', 'phone_rev'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('occupant', schema=None) as batch_op:
        batch_op.drop_index('ix_occupant_project_phone_rev')
        batch_op.drop_column('phone_rev')
