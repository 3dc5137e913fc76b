"""notification key unique per reader: a keyed alert raised by two requests at once is stored once

Revision ID: 9a4c2e7b5d13
Revises: f17b1d3e5f02
Create Date: 2026-12-01 13:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = '9a4c2e7b5d13'
down_revision = 'f17b1d3e5f02'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # copies a race already made: the first of each stays
    op.execute("DELETE FROM notification WHERE key != '' AND id NOT IN "
               "(SELECT MIN(id) FROM notification WHERE key != '' GROUP BY user_id, key)")
    with op.batch_alter_table('notification') as batch_op:
        batch_op.create_index('uq_notification_user_key', ['user_id', 'key'], unique=True,
                              sqlite_where=sa.text("key != ''"), postgresql_where=sa.text("key != ''"))


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch_op:
        batch_op.drop_index('uq_notification_user_key')
