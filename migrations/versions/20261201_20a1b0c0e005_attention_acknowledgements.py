"""attention acknowledgements: who saw a needs-attention item, at which level, when

Revision ID: 20a1b0c0e005
Revises: 20b2c0c0e006
Create Date: 2026-12-01 16:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '20a1b0c0e005'
down_revision = '20b2c0c0e006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attention_ack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'level')
    )
    with op.batch_alter_table('attention_ack', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attention_ack_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attention_ack', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attention_ack_project_id'))
    op.drop_table('attention_ack')
