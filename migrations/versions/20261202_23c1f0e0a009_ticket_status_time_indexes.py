"""tickets counted per site by status and time: ix_ticket_project_status becomes (project_id, status, created_at),
which serves its queries too, and (project_id, status, due_at) is added (the home's count of tickets past their
dispatch target read every ticket created before the cut-off through the (project_id, created_at) index)

Revision ID: 23c1f0e0a009
Revises: 22b1e0d0f008
Create Date: 2026-12-02 07:40:00
"""
from alembic import op

revision = '23c1f0e0a009'
down_revision = '22b1e0d0f008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_project_status_created', ['project_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_ticket_project_status_due', ['project_id', 'status', 'due_at'], unique=False)
        batch_op.drop_index('ix_ticket_project_status')


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_project_status', ['project_id', 'status'], unique=False)
        batch_op.drop_index('ix_ticket_project_status_due')
        batch_op.drop_index('ix_ticket_project_status_created')
