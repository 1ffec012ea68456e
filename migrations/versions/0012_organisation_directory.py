"""organisation: many organisations in one installation (parent, contact details) and the
installation-wide directory of external agencies

Revision ID: 0012_organisation_directory
Revises: all branches up to 0011
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0012_organisation_directory"
down_revision = ("0011_signature_images", "0003_document_search", "0004_tasks_reports",
                 "0005_meetings", "0006_documents_exchange")  # every branch meets here
branch_labels = None
depends_on = None

_CONTACT = (("address", 255), ("email", 120), ("telephone", 40), ("fax", 40), ("website", 255))


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        for name, length in _CONTACT:
            # Existing rows get an empty value; new rows get theirs from the model.
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                          server_default=""))
        batch_op.create_index(batch_op.f("ix_organisations_parent_id"), ["parent_id"],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_organisations_parent_id_organisations"),
                                    "organisations", ["parent_id"], ["id"])
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name, _length in _CONTACT:
            batch_op.alter_column(name, server_default=None)

    op.create_table(
        "directory_organs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent_organ_id", sa.String(length=13), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("telephone", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("search_text", sa.String(length=300), nullable=False),
        sa.Column("updated_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_organs")),
        sa.UniqueConstraint("organ_id", name=op.f("uq_directory_organs_organ_id")),
    )


def downgrade():
    op.drop_table("directory_organs")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_organisations_parent_id_organisations"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_organisations_parent_id"))
        for name, _length in reversed(_CONTACT):
            batch_op.drop_column(name)
        batch_op.drop_column("parent_id")
