"""the month matrix's open month counted from indexes alone: (project_id, created_at) on tickets, (project_id,
slot_start) on rounds and (project_id, received_at) on complaints become covering indexes, with every column the
month's counts read after them (a site's 300,000 tickets of the month were read row by row from the table)

Revision ID: 24b7c0d0e010
Revises: 23c1f0e0a009
Create Date: 2026-12-02 02:00:00
"""
from alembic import op

revision = '24b7c0d0e010'
down_revision = '23c1f0e0a009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_project_created_tally', ['project_id', 'created_at', 'status', 'finished_at',
                                                                 'due_at', 'callback_reached', 'satisfaction'],
                              unique=False)
        batch_op.drop_index('ix_ticket_project_created')
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_round_project_slot_outcome', ['project_id', 'slot_start', 'outcome'],
                              unique=False)
        batch_op.drop_index('ix_patrol_round_project_slot')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_project_received_on_time',
                              ['project_id', 'received_at', 'replied_at', 'resolve_due_at'], unique=False)
        batch_op.drop_index('ix_complaint_project_received')


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_project_received', ['project_id', 'received_at'], unique=False)
        batch_op.drop_index('ix_complaint_project_received_on_time')
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_round_project_slot', ['project_id', 'slot_start'], unique=False)
        batch_op.drop_index('ix_patrol_round_project_slot_outcome')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_project_created', ['project_id', 'created_at'], unique=False)
        batch_op.drop_index('ix_ticket_project_created_tally')
