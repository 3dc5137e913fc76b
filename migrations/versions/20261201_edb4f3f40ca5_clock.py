"""clock: job runs and marks, schedule changed_at, round generated_at and outcome

Revision ID: edb4f3f40ca5
Revises: 3ca6a56744f4
Create Date: 2026-12-01 10:40:00

Rows that exist already count as generated and changed now: the clock back-fills nothing before it ran.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'edb4f3f40ca5'
down_revision = '3ca6a56744f4'  # was 0b1e5c7a9d01; after post_once and channels once main was merged in
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('clock_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job')
    )
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.func.current_timestamp()))
        batch_op.add_column(sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
        batch_op.create_index('ix_patrol_round_unsettled', ['outcome', 'closes_at'], unique=False)

    with op.batch_alter_table('patrol_schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False,
                                      server_default=sa.func.current_timestamp()))
    for table, column in (('patrol_round', 'generated_at'), ('patrol_schedule', 'changed_at')):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=sa.DateTime(timezone=True), server_default=None)



def downgrade() -> None:
    with op.batch_alter_table('patrol_schedule', schema=None) as batch_op:
        batch_op.drop_column('changed_at')

    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_round_unsettled')
        batch_op.drop_column('outcome')
        batch_op.drop_column('generated_at')

    op.drop_table('clock_run')
    op.drop_table('clock_mark')
