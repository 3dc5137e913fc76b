"""resident_refusal: a resident's refused posts count against the address's hourly limit

Revision ID: 7d2e4b9c1a30
Revises: edb4f3f40ca5
Create Date: 2026-12-01 11:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '7d2e4b9c1a30'
down_revision = 'edb4f3f40ca5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resident_refusal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('resident_refusal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_refusal_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_refusal_ip'), ['ip'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resident_refusal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_refusal_ip'))
        batch_op.drop_index(batch_op.f('ix_resident_refusal_at'))
    op.drop_table('resident_refusal')
