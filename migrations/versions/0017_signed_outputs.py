"""documents: the PDF each leader approved (by hash) and the cached validation of issued copies;
meetings: the numbers of each meeting's giấy mời (GM) and biên bản (BB)

Revision ID: 0017_signed_outputs
Revises: 0016_audit_anchors
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0017_signed_outputs"
down_revision = "0016_audit_anchors"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_approved_pdfs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_document_approved_pdfs_document_id_documents")),
        sa.ForeignKeyConstraint(["version_id"], ["document_versions.id"],
                                name=op.f("fk_document_approved_pdfs_version_id_document_versions")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"],
                                name=op.f("fk_document_approved_pdfs_approved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_approved_pdfs")),
    )
    op.create_index(op.f("ix_document_approved_pdfs_document_id"), "document_approved_pdfs",
                    ["document_id"], unique=False)
    op.create_table(
        "signature_validations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("computed_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_files.id"],
                                name=op.f("fk_signature_validations_file_id_stored_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_validations")),
        sa.UniqueConstraint("file_id", name=op.f("uq_signature_validations_file_id")),
    )
    op.create_table(
        "meeting_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("notation", sa.String(length=50), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"],
                                name=op.f("fk_meeting_papers_meeting_id_meetings")),
        sa.ForeignKeyConstraint(["file_id"], ["stored_files.id"],
                                name=op.f("fk_meeting_papers_file_id_stored_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_papers")),
        sa.UniqueConstraint("meeting_id", "kind", name=op.f("uq_meeting_papers_meeting_id_kind")),
    )


def downgrade():
    op.drop_table("meeting_papers")
    op.drop_table("signature_validations")
    op.drop_index(op.f("ix_document_approved_pdfs_document_id"),
                  table_name="document_approved_pdfs")
    op.drop_table("document_approved_pdfs")
