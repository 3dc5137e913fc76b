"""front desk: units and their occupants, intakes (来电来访登记), the frontdesk role, tickets' caller fields

Revision ID: f17a0c2d4e01
Revises: 7d2e4b9c1a30
Create Date: 2026-12-01 13:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'f17a0c2d4e01'
down_revision = '7d2e4b9c1a30'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('guard', 'attendant', 'engineer', 'inspector', 'supervisor')"
NEW_ROLES = "role IN ('guard', 'attendant', 'engineer', 'inspector', 'supervisor', 'frontdesk')"


def upgrade() -> None:
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('unit_no', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('room', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'key', name='uq_unit_project_key')
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_project_room', ['project_id', 'room'], unique=False)

    op.create_table('occupant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('phone_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('relation', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('occupant', schema=None) as batch_op:
        batch_op.create_index('ix_occupant_project_phone', ['project_id', 'phone_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_occupant_unit_id'), ['unit_id'], unique=False)

    op.create_table('intake',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('unit_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('caller_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('caller_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('appointment_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('received_by', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['received_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.create_index('ix_intake_project_received', ['project_id', 'received_at'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('appointment_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('late_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('informed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_ticket_unit_id_unit', 'unit', ['unit_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint('membership_role', type_='check')
        batch_op.create_check_constraint('membership_role', NEW_ROLES)


def downgrade() -> None:
    op.execute("DELETE FROM membership WHERE role = 'frontdesk'")
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint('membership_role', type_='check')
        batch_op.create_check_constraint('membership_role', OLD_ROLES)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ticket_unit_id_unit', type_='foreignkey')
        batch_op.drop_column('informed_at')
        batch_op.drop_column('late_at')
        batch_op.drop_column('appointment_at')
        batch_op.drop_column('channel')
        batch_op.drop_column('unit_label')
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_project_received')
    op.drop_table('intake')
    with op.batch_alter_table('occupant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occupant_unit_id'))
        batch_op.drop_index('ix_occupant_project_phone')
    op.drop_table('occupant')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_project_room')
    op.drop_table('unit')
