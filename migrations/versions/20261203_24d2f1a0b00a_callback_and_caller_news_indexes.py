"""the home's counts of callbacks due and of callers waiting for news read from indexes: tickets by (project_id,
status, finished_at, created_at) and (project_id, status, late_at), callback attempts by (subject_type, retry_at)
(the counts read every ticket awaiting callback, or every open ticket, with a subquery per ticket)

Revision ID: 24d2f1a0b00a
Revises: 24b7c0d0e010
Create Date: 2026-12-03 09:00:00
"""
from alembic import op

revision = '24d2f1a0b00a'
down_revision = '24b7c0d0e010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_project_status_finished', ['project_id', 'status', 'finished_at', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_ticket_project_status_late', ['project_id', 'status', 'late_at'], unique=False)
    with op.batch_alter_table('callback_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_callback_attempt_retry', ['subject_type', 'retry_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('callback_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_attempt_retry')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_project_status_late')
        batch_op.drop_index('ix_ticket_project_status_finished')
