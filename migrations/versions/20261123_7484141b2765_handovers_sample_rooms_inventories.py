"""handovers: sample rooms, versioned inventories, handovers with lines and amendments, opening/closing checks

Revision ID: 7484141b2765
Revises: 57c3d24a1ed1
Create Date: 2026-11-23 03:58:44.494470
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '7484141b2765'
down_revision = '57c3d24a1ed1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handover_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('area_id')
    )
    with op.batch_alter_table('handover_room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_room_project_id'), ['project_id'], unique=False)

    op.create_table('handover_inventory_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['handover_room.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('room_id', 'number')
    )
    with op.batch_alter_table('handover_inventory_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_inventory_version_room_id'), ['room_id'], unique=False)

    # The room points at its current version and the versions at their room: the first key can only be
    # added once both tables exist.
    with op.batch_alter_table('handover_room', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_handover_room_current_version_id', 'handover_inventory_version',
                                    ['current_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('handover_room_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('done_by', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('failed', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('key_guard_id', sa.Integer(), nullable=True),
    sa.Column('keys_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['done_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['key_guard_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['handover_room.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['checklist_version.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handover_room_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_room_check_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_room_check_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_room_check_room_id'), ['room_id'], unique=False)

    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outgoing_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('incoming_id', sa.Integer(), nullable=True),
    sa.Column('incoming_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('discrepancies', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['incoming_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outgoing_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['handover_room.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['handover_inventory_version.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_counted_at'), ['counted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_room_id'), ['room_id'], unique=False)

    op.create_table('handover_amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('handover_id', 'number')
    )
    with op.batch_alter_table('handover_amendment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_amendment_handover_id'), ['handover_id'], unique=False)

    op.create_table('handover_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('location', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['handover_id'], ['handover.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handover_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_line_handover_id'), ['handover_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('handover_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_line_handover_id'))

    op.drop_table('handover_line')
    with op.batch_alter_table('handover_amendment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_amendment_handover_id'))

    op.drop_table('handover_amendment')
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_room_id'))
        batch_op.drop_index(batch_op.f('ix_handover_project_id'))
        batch_op.drop_index(batch_op.f('ix_handover_counted_at'))

    op.drop_table('handover')
    with op.batch_alter_table('handover_room_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_room_check_room_id'))
        batch_op.drop_index(batch_op.f('ix_handover_room_check_project_id'))
        batch_op.drop_index(batch_op.f('ix_handover_room_check_done_at'))

    op.drop_table('handover_room_check')
    with op.batch_alter_table('handover_room', schema=None) as batch_op:
        batch_op.drop_constraint('fk_handover_room_current_version_id', type_='foreignkey')
    with op.batch_alter_table('handover_inventory_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_inventory_version_room_id'))

    op.drop_table('handover_inventory_version')
    with op.batch_alter_table('handover_room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_room_project_id'))

    op.drop_table('handover_room')
