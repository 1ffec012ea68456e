"""exchange: the business messages (revoke, update, replace) downloaded for manual recipients

Revision ID: 0023_manual_business_messages
Revises: 0022_hub_secrets_sealed
Create Date: 2026-12-04 20:50:00

"""
import sqlalchemy as sa
from alembic import op

from eoffice.timestamps import UTCDateTime

revision = "0023_manual_business_messages"
down_revision = "0022_hub_secrets_sealed"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "exchange_manual_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("business_type", sa.SmallInteger(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("downloaded_at", UTCDateTime(), nullable=False),
        sa.Column("downloaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["exchange_recipients.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["record_id"], ["document_edxml_records.id"]),
        sa.ForeignKeyConstraint(["downloaded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_exchange_manual_messages_recipient_id", "exchange_manual_messages",
                    ["recipient_id"])


def downgrade():
    op.drop_index("ix_exchange_manual_messages_recipient_id", "exchange_manual_messages")
    op.drop_table("exchange_manual_messages")
