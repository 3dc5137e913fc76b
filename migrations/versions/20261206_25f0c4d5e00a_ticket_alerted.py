"""ticket alerted: whether the clock told a ticket past its dispatch / completion target, so its minute's look
reads the tickets not told yet (two partial indexes) instead of every open ticket past a target with its clock mark

Revision ID: 25f0c4d5e00a
Revises: 25e2b1c3d00f
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '25f0c4d5e00a'
down_revision = '25e2b1c3d00f'
branch_labels = None
depends_on = None

TOLD = {"dispatch_alerted": "repairs.overdue-dispatch:", "completion_alerted": "repairs.overdue-completion:"}


def upgrade() -> None:
    for column in TOLD:  # (not a batch: SQLite adds a column in place, where a batch copies every ticket)
        op.add_column('ticket', sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False))
    ticket = sa.table('ticket', sa.column('id', sa.Integer), *[sa.column(c, sa.Boolean) for c in TOLD])
    mark = sa.table('clock_mark', sa.column('key', sa.String))
    for column, prefix in TOLD.items():  # the tickets already told, by their marks
        op.execute(sa.update(ticket).values({column: sa.true()}).where(sa.exists().where(
            mark.c.key == sa.literal(prefix) + sa.cast(ticket.c.id, sa.String))))
    # partial: only the tickets not told yet, and no other query's plan picks them (PostgreSQL's did, for the home's
    # per-project counts by status, until they were)
    for name, column, time in (('ix_ticket_dispatch_alert', 'dispatch_alerted', 'created_at'),
                               ('ix_ticket_completion_alert', 'completion_alerted', 'due_at')):
        op.create_index(name, 'ticket', ['status', time], sqlite_where=sa.text(f"{column} = 0"),
                        postgresql_where=sa.text(f"{column} = false"))


def downgrade() -> None:
    op.drop_index('ix_ticket_completion_alert', table_name='ticket')
    op.drop_index('ix_ticket_dispatch_alert', table_name='ticket')
    with op.batch_alter_table('ticket') as batch_op:
        for column in TOLD:
            batch_op.drop_column(column)
