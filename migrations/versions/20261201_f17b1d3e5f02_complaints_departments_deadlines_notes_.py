"""complaints: departments, deadlines, notes; callback attempts

Revision ID: f17b1d3e5f02
Revises: f17a0c2d4e01
Create Date: 2026-12-01 13:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'f17b1d3e5f02'
down_revision = 'f17a0c2d4e01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('callback_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('callback_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_callback_attempt_project_at', ['project_id', 'at'], unique=False)
        batch_op.create_index('ix_callback_attempt_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('complaint_department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name', name='uq_complaint_department_name')
    )
    with op.batch_alter_table('complaint_department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_department_project_id'), ['project_id'], unique=False)

    op.create_table('complaint_settings',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('reply_hours', sa.Integer(), nullable=False),
    sa.Column('transfer_days', sa.Integer(), nullable=False),
    sa.Column('escalate_hours', sa.Integer(), nullable=False),
    sa.Column('repeat_days', sa.Integer(), nullable=False),
    sa.Column('callback_hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id')
    )
    op.create_table('complaint_department_member',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['complaint_department.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', 'user_id')
    )
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('unit_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('intake_id', sa.Integer(), nullable=True),
    sa.Column('complainant_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('complainant_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reply_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolve_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('callback_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('callback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('callback_comment', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reprocess_count', sa.Integer(), nullable=False),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('repeat_of_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['complaint_department.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handler_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['intake_id'], ['intake.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['repeat_of_id'], ['complaint.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_complaint_project_received', ['project_id', 'received_at'], unique=False)
        batch_op.create_index('ix_complaint_project_status', ['project_id', 'status'], unique=False)

    op.create_table('complaint_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_note_complaint_id'), ['complaint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaint_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_note_complaint_id'))

    op.drop_table('complaint_note')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_project_status')
        batch_op.drop_index('ix_complaint_project_received')
        batch_op.drop_index(batch_op.f('ix_complaint_project_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_owner_id'))

    op.drop_table('complaint')
    op.drop_table('complaint_department_member')
    op.drop_table('complaint_settings')
    with op.batch_alter_table('complaint_department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_department_project_id'))

    op.drop_table('complaint_department')
    with op.batch_alter_table('callback_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_attempt_subject')
        batch_op.drop_index('ix_callback_attempt_project_at')

    op.drop_table('callback_attempt')
