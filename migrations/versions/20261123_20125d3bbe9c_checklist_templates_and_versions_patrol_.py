"""checklist templates and versions; patrol routes, schedules, rounds, visits

Revision ID: 20125d3bbe9c
Revises: 1c9fea4943bc
Create Date: 2026-11-23 02:17:32.284396
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '20125d3bbe9c'
down_revision = '1c9fea4943bc'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checklist_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('is_score_sheet', sa.Boolean(), nullable=False),
    sa.Column('base_score', sa.Integer(), nullable=True),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'key')
    )
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_template_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('checklist_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('template_id', 'number')
    )
    with op.batch_alter_table('checklist_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_version_template_id'), ['template_id'], unique=False)

    # The template points at its current version and the versions at their template: the first key
    # can only be added once both tables exist.
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_checklist_template_current_version_id', 'checklist_version',
                                    ['current_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('patrol_route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('min_walk_seconds', sa.Integer(), nullable=False),
    sa.Column('max_gps_metres', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patrol_route', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_route_project_id'), ['project_id'], unique=False)

    op.create_table('patrol_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.Column('interval_minutes', sa.Integer(), nullable=False),
    sa.Column('window_minutes', sa.Integer(), nullable=False),
    sa.Column('grace_minutes', sa.Integer(), nullable=False),
    sa.Column('guard_ids', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_route.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patrol_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_schedule_route_id'), ['route_id'], unique=False)

    op.create_table('patrol_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('slot_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stops', sa.JSON(), nullable=False),
    sa.Column('guard_ids', sa.JSON(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['finished_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_route.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['schedule_id'], ['patrol_schedule.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'slot_start')
    )
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_round_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_round_route_id'), ['route_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_round_slot_start'), ['slot_start'], unique=False)

    op.create_table('patrol_route_stop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('route_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_route.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patrol_route_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_route_stop_route_id'), ['route_id'], unique=False)

    op.create_table('patrol_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('guard_id', sa.Integer(), nullable=True),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.Column('template_version_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('failed', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['guard_id'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['patrol_round.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_version_id'], ['checklist_version.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patrol_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_visit_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_visit_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.drop_constraint('fk_checklist_template_current_version_id', type_='foreignkey')
    with op.batch_alter_table('patrol_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_visit_round_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_visit_project_id'))

    op.drop_table('patrol_visit')
    with op.batch_alter_table('patrol_route_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_route_stop_route_id'))

    op.drop_table('patrol_route_stop')
    with op.batch_alter_table('patrol_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_round_slot_start'))
        batch_op.drop_index(batch_op.f('ix_patrol_round_route_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_round_project_id'))

    op.drop_table('patrol_round')
    with op.batch_alter_table('patrol_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_schedule_route_id'))

    op.drop_table('patrol_schedule')
    with op.batch_alter_table('patrol_route', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_route_project_id'))

    op.drop_table('patrol_route')
    with op.batch_alter_table('checklist_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_version_template_id'))

    op.drop_table('checklist_version')
    with op.batch_alter_table('checklist_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_template_organisation_id'))

    op.drop_table('checklist_template')
