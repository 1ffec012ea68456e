"""exchange: an update of an issued document is recorded once (a manual-only document has them too)

Updates sent before were known only from their outbox rows (key ``…:2:<number>``, one row per
electronic recipient); each becomes one record with the outbox's number, so the keys of later
updates never collide with them. Their reason is the outbox row's while it was queued, else the
note the sender wrote with the act ("Cập nhật thông tin văn bản: <reason>").

Revision ID: 0024_document_updates
Revises: 0023_manual_business_messages
Create Date: 2026-12-04 21:10:00

"""
import sqlalchemy as sa
from alembic import op

from eoffice.timestamps import UTCDateTime

revision = "0024_document_updates"
down_revision = "0023_manual_business_messages"
branch_labels = None
depends_on = None

NOTE = "Cập nhật thông tin văn bản: "


def upgrade():
    op.create_table(
        "exchange_document_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "number"),
    )
    op.create_index("ix_exchange_document_updates_document_id", "exchange_document_updates",
                    ["document_id"])
    _backfill()


def _backfill():
    bind = op.get_bind()
    found = {}
    for row in bind.execute(sa.text(
            "SELECT document_id, key, state, reason, created_by_id, created_at "
            "FROM exchange_dispatches WHERE kind = 'package' AND business_type = 2 "
            "ORDER BY id")):
        tail = row.key.rsplit(":", 1)[-1]
        if not tail.isdigit():
            continue
        entry = found.setdefault((row.document_id, int(tail)), {
            "document_id": row.document_id, "number": int(tail), "reason": "",
            "created_by_id": row.created_by_id, "created_at": row.created_at})
        if row.state == "queued" and row.reason and not entry["reason"]:
            entry["reason"] = row.reason
    for entry in found.values():
        if not entry["reason"]:
            note = bind.execute(sa.text(
                "SELECT body FROM document_comments WHERE document_id = :d AND body LIKE :p "
                "AND created_at <= :at ORDER BY created_at DESC, id DESC LIMIT 1"),
                {"d": entry["document_id"], "p": NOTE + "%",
                 "at": entry["created_at"]}).scalar()
            entry["reason"] = (note or "")[len(NOTE):][:1000] if note else ""
    table = sa.table("exchange_document_updates", sa.column("document_id"),
                     sa.column("number"), sa.column("reason"), sa.column("created_by_id"),
                     sa.column("created_at"))
    if found:
        op.bulk_insert(table, list(found.values()))


def downgrade():
    op.drop_index("ix_exchange_document_updates_document_id", "exchange_document_updates")
    op.drop_table("exchange_document_updates")
