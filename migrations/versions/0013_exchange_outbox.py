"""exchange: recipients by OrganId, the outbox of dispatches, the inbound log

Revision ID: 0013_exchange_outbox
Revises: 0012_organisation_directory
Create Date: 2026-12-04 16:20:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0013_exchange_outbox"
down_revision = "0012_organisation_directory"
branch_labels = None
# Its tables point at documents (another branch of the history): that one runs first.
depends_on = None

UTC = eoffice.timestamps.UTCDateTime


def upgrade():
    op.create_table(
        "exchange_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.String(length=13), nullable=False),
        sa.Column("organ_name", sa.String(length=255), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", UTC(), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("status_description", sa.String(length=500), nullable=False),
        sa.Column("status_at", UTC(), nullable=True),
        sa.Column("status_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_exchange_recipients_document_id_documents")),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"],
                                name=op.f("fk_exchange_recipients_added_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_recipients")),
        sa.UniqueConstraint("document_id", "organ_id",
                            name=op.f("uq_exchange_recipients_document_id_organ_id")),
    )
    with op.batch_alter_table("exchange_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_recipients_document_id"),
                              ["document_id"], unique=False)

    op.create_table(
        "exchange_dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("business_type", sa.SmallInteger(), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("from_organ_id", sa.String(length=13), nullable=False),
        sa.Column("to_organ_id", sa.String(length=13), nullable=False),
        sa.Column("document_key", sa.String(length=300), nullable=False),
        sa.Column("route", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("transport_id", sa.String(length=200), nullable=False),
        sa.Column("object_key", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("sent_at", UTC(), nullable=True),
        sa.Column("delivered_at", UTC(), nullable=True),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_exchange_dispatches_document_id_documents")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["exchange_recipients.id"],
            name=op.f("fk_exchange_dispatches_recipient_id_exchange_recipients")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_exchange_dispatches_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_dispatches")),
        sa.UniqueConstraint("key", name=op.f("uq_exchange_dispatches_key")),
    )
    with op.batch_alter_table("exchange_dispatches", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_dispatches_doc", ["document_id", "recipient_id"],
                              unique=False)

    op.create_table(
        "exchange_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("identity", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("business_type", sa.SmallInteger(), nullable=False),
        sa.Column("from_organ_id", sa.String(length=13), nullable=False),
        sa.Column("document_key", sa.String(length=300), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("received_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_exchange_inbound_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_exchange_inbound_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_inbound")),
        sa.UniqueConstraint("organisation_id", "message_id",
                            name=op.f("uq_exchange_inbound_organisation_id_message_id")),
        sa.UniqueConstraint("organisation_id", "identity",
                            name=op.f("uq_exchange_inbound_organisation_id_identity")),
    )


def downgrade():
    op.drop_table("exchange_inbound")
    with op.batch_alter_table("exchange_dispatches", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_dispatches_doc")
    op.drop_table("exchange_dispatches")
    with op.batch_alter_table("exchange_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_recipients_document_id"))
    op.drop_table("exchange_recipients")
