"""signing: each signer's signature image and each organisation's seal image (object store)

Revision ID: 0011_signature_images
Revises: 0010_jobs
Create Date: 2026-12-12 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0011_signature_images"
down_revision = "0010_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_signature_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("set_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_files.id"],
                                name=op.f("fk_user_signature_images_file_id_stored_files")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_signature_images_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_signature_images")),
        sa.UniqueConstraint("user_id", name=op.f("uq_user_signature_images_user_id")),
    )
    op.create_table(
        "organisation_seal_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["stored_files.id"],
                                name=op.f("fk_organisation_seal_images_file_id_stored_files")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_organisation_seal_images_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"],
                                name=op.f("fk_organisation_seal_images_set_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_seal_images")),
        sa.UniqueConstraint("organisation_id",
                            name=op.f("uq_organisation_seal_images_organisation_id")),
    )


def downgrade():
    op.drop_table("organisation_seal_images")
    op.drop_table("user_signature_images")
