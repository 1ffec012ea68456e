"""tasks and reports: tasks, assignees, progress, files, extensions, reminders; holidays and
report facts (event_subjects, work_items)

Revision ID: 0004_tasks_reports
Revises: 0001_foundation
Create Date: 2026-11-22 05:25:00

"""
from datetime import date

from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


# revision identifiers, used by Alembic.
revision = "0004_tasks_reports"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

HOLIDAYS_2026 = [
    (date(2026, 1, 1), "Tết Dương lịch"),
    (date(2026, 2, 16), "Tết Nguyên đán"),
    (date(2026, 2, 17), "Tết Nguyên đán"),
    (date(2026, 2, 18), "Tết Nguyên đán"),
    (date(2026, 2, 19), "Tết Nguyên đán"),
    (date(2026, 2, 20), "Tết Nguyên đán"),
    (date(2026, 4, 26), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
    (date(2026, 4, 30), "Ngày Chiến thắng"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
]


def upgrade():
    holidays = op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_holidays_day'))
    )
    op.bulk_insert(holidays, [{"day": day, "name": name} for day, name in HOLIDAYS_2026])

    op.create_table('event_subjects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_subjects_event_id_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_subjects_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_subjects'))
    )
    with op.batch_alter_table('event_subjects', schema=None) as batch_op:
        batch_op.create_index('ix_event_subjects_action_time', ['action', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_subjects_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_event_subjects_user_action_time', ['user_id', 'action', 'occurred_at', 'role', 'value'], unique=False)

    op.create_table('work_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('start_event_id', sa.Integer(), nullable=False),
    sa.Column('deadline', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('first_opened_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('open_event_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('end_event_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('open_delay_s', sa.Float(), nullable=True),
    sa.Column('late_working_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['end_event_id'], ['events.id'], name=op.f('fk_work_items_end_event_id_events')),
    sa.ForeignKeyConstraint(['open_event_id'], ['events.id'], name=op.f('fk_work_items_open_event_id_events')),
    sa.ForeignKeyConstraint(['start_event_id'], ['events.id'], name=op.f('fk_work_items_start_event_id_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_work_items_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_items')),
    sa.UniqueConstraint('kind', 'object_id', 'user_id', name=op.f('uq_work_items_kind_object_id_user_id'))
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.create_index('ix_work_items_user_kind_end', ['user_id', 'kind', 'ended_at', 'outcome', 'duration_s', 'late_working_days'], unique=False)
        batch_op.create_index('ix_work_items_user_kind_opened', ['user_id', 'kind', 'first_opened_at', 'open_delay_s'], unique=False)
        batch_op.create_index('ix_work_items_user_kind_start', ['user_id', 'kind', 'started_at'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('assigner_id', sa.Integer(), nullable=False),
    sa.Column('deadline', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=40), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('completed_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('approved_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assigner_id'], ['users.id'], name=op.f('fk_tasks_assigner_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_tasks_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_assigner_id'), ['assigner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_tasks_source', ['source_kind', 'source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_state'), ['state'], unique=False)

    op.create_table('task_assignees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_assignees_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_task_assignees_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_assignees_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_assignees')),
    sa.UniqueConstraint('task_id', 'user_id', 'unit_id', name=op.f('uq_task_assignees_task_id_user_id_unit_id'))
    )
    with op.batch_alter_table('task_assignees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_assignees_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_assignees_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_assignees_user_id'), ['user_id'], unique=False)

    op.create_table('task_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('new_deadline', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_task_extensions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_task_extensions_requested_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_extensions_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_extensions'))
    )
    with op.batch_alter_table('task_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_extensions_task_id'), ['task_id'], unique=False)

    op.create_table('task_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_progress_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_progress_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_progress'))
    )
    with op.batch_alter_table('task_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_progress_task_id'), ['task_id'], unique=False)

    op.create_table('task_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('deadline', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('sent_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_reminders_task_id_tasks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_reminders')),
    sa.UniqueConstraint('task_id', 'kind', 'deadline', name=op.f('uq_task_reminders_task_id_kind_deadline'))
    )
    with op.batch_alter_table('task_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_reminders_task_id'), ['task_id'], unique=False)

    op.create_table('task_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('progress_id', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['progress_id'], ['task_progress.id'], name=op.f('fk_task_files_progress_id_task_progress'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_task_files_stored_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_files'))
    )
    with op.batch_alter_table('task_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_files_progress_id'), ['progress_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_files_stored_file_id'), ['stored_file_id'], unique=False)


def downgrade():
    for table in ('task_files', 'task_reminders', 'task_progress', 'task_extensions',
                  'task_assignees', 'tasks', 'work_items', 'event_subjects', 'holidays'):
        op.drop_table(table)
