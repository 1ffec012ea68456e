"""documents: official documents, versions, participants, registers, deliveries, case files

Revision ID: 0002_documents
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


# revision identifiers, used by Alembic.
revision = "0002_documents"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signing_pin_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_pin_states')),
    sa.UniqueConstraint('key_id', name=op.f('uq_signing_pin_states_key_id'))
    )
    op.create_table('document_registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_document_registers_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_registers')),
    sa.UniqueConstraint('organisation_id', 'year', 'kind', name=op.f('uq_document_registers_organisation_id_year_kind'))
    )
    op.create_table('case_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_files_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_case_files_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_files')),
    sa.UniqueConstraint('organisation_id', 'year', 'code', name=op.f('uq_case_files_organisation_id_year_code'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('organ_id', sa.String(length=13), nullable=False),
    sa.Column('organ_name', sa.String(length=255), nullable=False),
    sa.Column('code_number', sa.Integer(), nullable=True),
    sa.Column('code_notation', sa.String(length=50), nullable=False),
    sa.Column('type_code', sa.String(length=10), nullable=False),
    sa.Column('type_name', sa.String(length=100), nullable=False),
    sa.Column('is_legal_normative', sa.Boolean(), nullable=False),
    sa.Column('issued_date', sa.Date(), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('page_amount', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('signer_position', sa.String(length=120), nullable=False),
    sa.Column('signer_full_name', sa.String(length=120), nullable=False),
    sa.Column('authority', sa.String(length=60), nullable=False),
    sa.Column('to_places', sa.Text(), nullable=False),
    sa.Column('issued_amount', sa.Integer(), nullable=True),
    sa.Column('urgency', sa.SmallInteger(), nullable=False),
    sa.Column('secrecy', sa.SmallInteger(), nullable=False),
    sa.Column('due_date', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('arrival_date', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('arrival_number', sa.Integer(), nullable=True),
    sa.Column('reply_document_id', sa.Integer(), nullable=True),
    sa.Column('register_kind', sa.String(length=30), nullable=False),
    sa.Column('register_year', sa.Integer(), nullable=True),
    sa.Column('register_number', sa.Integer(), nullable=True),
    sa.Column('issued_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('drafting_unit_id', sa.Integer(), nullable=True),
    sa.Column('layout', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('updated_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['drafting_unit_id'], ['units.id'], name=op.f('fk_documents_drafting_unit_id_units')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_documents_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['documents.id'], name=op.f('fk_documents_replaced_by_id_documents')),
    sa.ForeignKeyConstraint(['reply_document_id'], ['documents.id'], name=op.f('fk_documents_reply_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('organisation_id', 'register_kind', 'register_year', 'register_number', name=op.f('uq_documents_organisation_id_register_kind_register_year_register_number'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_dup', ['organisation_id', 'code_number', 'code_notation', 'organ_id'], unique=False)
        batch_op.create_index('ix_documents_org_dir_created', ['organisation_id', 'direction', 'created_at'], unique=False)
        batch_op.create_index('ix_documents_org_dir_secrecy', ['organisation_id', 'direction', 'secrecy'], unique=False)
        batch_op.create_index('ix_documents_org_secrecy', ['organisation_id', 'secrecy'], unique=False)
        batch_op.create_index('ix_documents_org_dir_state', ['organisation_id', 'direction', 'state'], unique=False)

    op.create_table('case_file_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_file_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_case_file_entries_added_by_id_users')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_case_file_entries_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_case_file_entries_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file_entries')),
    sa.UniqueConstraint('case_file_id', 'document_id', name=op.f('uq_case_file_entries_case_file_id_document_id'))
    )
    with op.batch_alter_table('case_file_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_entries_case_file_id'), ['case_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_entries_document_id'), ['document_id'], unique=False)

    op.create_table('document_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('deadline', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('completed_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_document_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_assignments_document_id_documents')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_document_assignments_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_document_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_assignments'))
    )
    with op.batch_alter_table('document_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_assignments_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_document_assignments_unit_doc', ['unit_id', 'document_id', 'completed_at'], unique=False)
        batch_op.create_index('ix_document_assignments_user_doc', ['user_id', 'document_id', 'completed_at'], unique=False)

    op.create_table('document_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('signed_file_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_attachments_document_id_documents')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_document_attachments_file_id_stored_files')),
    sa.ForeignKeyConstraint(['signed_file_id'], ['stored_files.id'], name=op.f('fk_document_attachments_signed_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_attachments'))
    )
    with op.batch_alter_table('document_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_attachments_document_id'), ['document_id'], unique=False)

    op.create_table('document_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_document_comments_author_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_comments_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_comments'))
    )
    with op.batch_alter_table('document_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_comments_document_id'), ['document_id'], unique=False)

    op.create_table('document_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('first_opened_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('first_opened_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_deliveries_document_id_documents')),
    sa.ForeignKeyConstraint(['first_opened_by_id'], ['users.id'], name=op.f('fk_document_deliveries_first_opened_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_document_deliveries_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_document_deliveries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_deliveries'))
    )
    with op.batch_alter_table('document_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_deliveries_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_document_deliveries_unit_doc', ['unit_id', 'document_id', 'delivered_at'], unique=False)
        batch_op.create_index('ix_document_deliveries_user', ['user_id', 'delivered_at'], unique=False)

    op.create_table('document_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('added_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_participants_document_id_documents')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_document_participants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_participants')),
    sa.UniqueConstraint('document_id', 'user_id', 'role', name=op.f('uq_document_participants_document_id_user_id_role'))
    )
    with op.batch_alter_table('document_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_participants_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_document_participants_user_doc', ['user_id', 'direction', 'document_id', 'role'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_document_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_document_versions_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id_number'))
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_versions_document_id'))

    op.drop_table('document_versions')
    with op.batch_alter_table('document_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_document_participants_user_doc')
        batch_op.drop_index(batch_op.f('ix_document_participants_document_id'))

    op.drop_table('document_participants')
    with op.batch_alter_table('document_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_document_deliveries_user')
        batch_op.drop_index('ix_document_deliveries_unit_doc')
        batch_op.drop_index(batch_op.f('ix_document_deliveries_document_id'))

    op.drop_table('document_deliveries')
    with op.batch_alter_table('document_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_comments_document_id'))

    op.drop_table('document_comments')
    with op.batch_alter_table('document_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_attachments_document_id'))

    op.drop_table('document_attachments')
    with op.batch_alter_table('document_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_document_assignments_user_doc')
        batch_op.drop_index('ix_document_assignments_unit_doc')
        batch_op.drop_index(batch_op.f('ix_document_assignments_document_id'))

    op.drop_table('document_assignments')
    with op.batch_alter_table('case_file_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_file_entries_document_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_entries_case_file_id'))

    op.drop_table('case_file_entries')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_org_dir_state')
        batch_op.drop_index('ix_documents_org_secrecy')
        batch_op.drop_index('ix_documents_org_dir_secrecy')
        batch_op.drop_index('ix_documents_org_dir_created')
        batch_op.drop_index('ix_documents_dup')

    op.drop_table('documents')
    op.drop_table('case_files')
    op.drop_table('document_registers')
    op.drop_table('signing_pin_states')
