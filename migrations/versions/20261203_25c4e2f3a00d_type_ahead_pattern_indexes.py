"""The type-ahead's indexes as PostgreSQL can use them for a prefix: (project_id, room / key / phone_key /
phone_rev) with text_pattern_ops, which a case-sensitive LIKE 'prefix%' uses whatever the database's collation
(the lookup's ranges under COLLATE "C" were filters over the project's rows, not index ranges); on SQLite the
same indexes as before, and one more on (project_id, key) beside the unique one, which BINARY ranges use alike

Revision ID: 25c4e2f3a00d
Revises: 25b2d0e1f00c
Create Date: 2026-12-03 14:10:00
"""
from alembic import op

revision = '25c4e2f3a00d'
down_revision = '25b2d0e1f00c'
branch_labels = None
depends_on = None

PATTERN = [('unit', 'ix_unit_project_room', 'room'), ('occupant', 'ix_occupant_project_phone', 'phone_key'),
           ('occupant', 'ix_occupant_project_phone_rev', 'phone_rev')]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, name, column in PATTERN:
            op.drop_index(name, table_name=table)
            op.create_index(name, table, ['project_id', column], postgresql_ops={column: 'text_pattern_ops'})
    op.create_index('ix_unit_project_key_prefix', 'unit', ['project_id', 'key'],
                    postgresql_ops={'key': 'text_pattern_ops'})


def downgrade() -> None:
    op.drop_index('ix_unit_project_key_prefix', table_name='unit')
    if op.get_bind().dialect.name == 'postgresql':
        for table, name, column in PATTERN:
            op.drop_index(name, table_name=table)
            op.create_index(name, table, ['project_id', column])
