"""post_once: plain form posts that create something count once

Revision ID: 3c0a9e1f5b20
Revises: 0b1e5c7a9d01
Create Date: 2026-12-01 10:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '3c0a9e1f5b20'
down_revision = '0b1e5c7a9d01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('post_once',
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client_id')
    )


def downgrade() -> None:
    op.drop_table('post_once')
