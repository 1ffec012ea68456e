"""exchange: one table of an outgoing document's recipients outside the organisation

The manual edXML recipients (``document_external_recipients``) become rows of
``exchange_recipients`` with ``channel = 'manual'``; the status files kept for them point at
those rows. The address book of agencies (``document_external_organs``) stays: it holds their
contact details, not who a document goes to.

Revision ID: 0021_one_external_recipients
Revises: 0020_placed_boxes
Create Date: 2026-12-04 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0021_one_external_recipients"
down_revision = "0020_placed_boxes"
branch_labels = None
depends_on = None

OLD_FK = "fk_document_edxml_records_external_recipient_id_document_external_recipients"
NEW_FK = "fk_document_edxml_records_external_recipient_id_exchange_recipients"


def upgrade():
    with op.batch_alter_table("exchange_recipients") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=10), nullable=False,
                                   server_default="exchange"))
        batch.add_column(sa.Column("exported_at", eoffice.timestamps.UTCDateTime(),
                                   nullable=True))
    # A manual recipient the exchange already has for the same document keeps the exchange
    # row (it is sent electronically); the others are copied as manual rows.
    op.execute("""
        INSERT INTO exchange_recipients (document_id, organ_id, organ_name, added_by_id,
                                         added_at, status_code, status_description, status_at,
                                         status_by, channel, exported_at)
        SELECT r.document_id, o.organ_id, o.name, d.created_by_id, d.created_at,
               r.status_code, r.status_description, r.status_at, '', 'manual', r.exported_at
        FROM document_external_recipients r
        JOIN document_external_organs o ON o.id = r.external_organ_id
        JOIN documents d ON d.id = r.document_id
        WHERE NOT EXISTS (SELECT 1 FROM exchange_recipients e
                          WHERE e.document_id = r.document_id AND e.organ_id = o.organ_id)
    """)
    with op.batch_alter_table("document_edxml_records") as batch:
        batch.drop_constraint(op.f(OLD_FK), type_="foreignkey")
    op.execute("""
        UPDATE document_edxml_records SET external_recipient_id = (
            SELECT e.id FROM document_external_recipients r
            JOIN document_external_organs o ON o.id = r.external_organ_id
            JOIN exchange_recipients e ON e.document_id = r.document_id
                                      AND e.organ_id = o.organ_id
            WHERE r.id = document_edxml_records.external_recipient_id)
        WHERE external_recipient_id IS NOT NULL
    """)
    with op.batch_alter_table("document_edxml_records") as batch:
        batch.create_foreign_key(op.f(NEW_FK), "exchange_recipients",
                                 ["external_recipient_id"], ["id"])
    with op.batch_alter_table("document_external_recipients") as batch:
        batch.drop_index(batch.f("ix_document_external_recipients_document_id"))
    op.drop_table("document_external_recipients")


def downgrade():
    op.create_table(
        "document_external_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("external_organ_id", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.String(length=2), nullable=False),
        sa.Column("status_description", sa.String(length=500), nullable=False),
        sa.Column("status_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.Column("exported_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"],
            name=op.f("fk_document_external_recipients_document_id_documents")),
        sa.ForeignKeyConstraint(
            ["external_organ_id"], ["document_external_organs.id"],
            name=op.f("fk_document_external_recipients_external_organ_id_"
                      "document_external_organs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_external_recipients")),
        sa.UniqueConstraint(
            "document_id", "external_organ_id",
            name=op.f("uq_document_external_recipients_document_id_external_organ_id")),
    )
    with op.batch_alter_table("document_external_recipients") as batch:
        batch.create_index(batch.f("ix_document_external_recipients_document_id"),
                           ["document_id"], unique=False)
    # Manual rows go back to the old table (their organ into the address book if missing);
    # the status files of any recipient lose their link (the old table knew only manual ones).
    op.execute("""
        INSERT INTO document_external_organs (organisation_id, organ_id, name, organ_add,
                                              email, telephone, fax, website)
        SELECT DISTINCT d.organisation_id, e.organ_id, e.organ_name, '', '', '', '', ''
        FROM exchange_recipients e JOIN documents d ON d.id = e.document_id
        WHERE e.channel = 'manual' AND NOT EXISTS (
            SELECT 1 FROM document_external_organs o
            WHERE o.organisation_id = d.organisation_id AND o.organ_id = e.organ_id)
    """)
    op.execute("""
        INSERT INTO document_external_recipients (document_id, external_organ_id, status_code,
                                                  status_description, status_at, exported_at)
        SELECT e.document_id, o.id, e.status_code, e.status_description, e.status_at,
               e.exported_at
        FROM exchange_recipients e JOIN documents d ON d.id = e.document_id
        JOIN document_external_organs o ON o.organisation_id = d.organisation_id
                                        AND o.organ_id = e.organ_id
        WHERE e.channel = 'manual'
    """)
    with op.batch_alter_table("document_edxml_records") as batch:
        batch.drop_constraint(op.f(NEW_FK), type_="foreignkey")
    op.execute("UPDATE document_edxml_records SET external_recipient_id = NULL")
    with op.batch_alter_table("document_edxml_records") as batch:
        batch.create_foreign_key(op.f(OLD_FK), "document_external_recipients",
                                 ["external_recipient_id"], ["id"])
    op.execute("DELETE FROM exchange_recipients WHERE channel = 'manual'")
    with op.batch_alter_table("exchange_recipients") as batch:
        batch.drop_column("exported_at")
        batch.drop_column("channel")
