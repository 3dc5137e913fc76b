"""month figures: a closed month's figures of every site stored once final (month_figures); the tickets and rounds
of a month per site read through (project_id, created_at) and (project_id, slot_start)

Revision ID: 21a1f0c0e007
Revises: 18a1d0c0e001
Create Date: 2026-12-01 19:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '21a1f0c0e007'
down_revision = '18a1d0c0e001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('month_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('sites', sa.JSON(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'month')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_project_created', ['project_id', 'created_at'], unique=False)
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_round_project_slot', ['project_id', 'slot_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_round_project_slot')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_project_created')
    op.drop_table('month_figures')
