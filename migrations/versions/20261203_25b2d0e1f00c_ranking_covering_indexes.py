"""the ranking's read of a month's inspections through covering indexes: inspections by (project_id,
inspected_at, status), a range per site whatever its history, and sheets by (inspection_id, template_id, score),
replacing the single-column ones they start with

Revision ID: 25b2d0e1f00c
Revises: 25a3c1e0f00b
Create Date: 2026-12-03 13:00:00
"""
from alembic import op

revision = '25b2d0e1f00c'
down_revision = '25a3c1e0f00b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_project_inspected', ['project_id', 'inspected_at', 'status'], unique=False)
        batch_op.drop_index('ix_inspection_project_id')
    with op.batch_alter_table('inspection_sheet', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_sheet_inspection_score', ['inspection_id', 'template_id', 'score'],
                              unique=False)
        batch_op.drop_index('ix_inspection_sheet_inspection_id')


def downgrade() -> None:
    with op.batch_alter_table('inspection_sheet', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_sheet_inspection_id', ['inspection_id'], unique=False)
        batch_op.drop_index('ix_inspection_sheet_inspection_score')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_project_id', ['project_id'], unique=False)
        batch_op.drop_index('ix_inspection_project_inspected')
