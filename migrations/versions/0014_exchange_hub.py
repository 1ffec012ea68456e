"""exchange: what a hub keeps (systems, the organisations they serve, messages, deliveries)

Revision ID: 0014_exchange_hub
Revises: 0013_exchange_outbox
Create Date: 2026-12-04 16:30:00

"""
import sqlalchemy as sa
from alembic import op

import eoffice.timestamps

revision = "0014_exchange_hub"
down_revision = "0013_exchange_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hub_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_systems")),
        sa.UniqueConstraint("system_id", name=op.f("uq_hub_systems_system_id")),
    )
    op.create_table(
        "hub_organs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_pk", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["system_pk"], ["hub_systems.id"],
                                name=op.f("fk_hub_organs_system_pk_hub_systems")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_organs")),
        sa.UniqueConstraint("organ_id", name=op.f("uq_hub_organs_organ_id")),
    )
    op.create_index(op.f("ix_hub_organs_system_pk"), "hub_organs", ["system_pk"])
    op.create_table(
        "hub_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("sender_pk", sa.Integer(), nullable=False),
        sa.Column("sender_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("from_organ_id", sa.String(length=13), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sender_pk"], ["hub_systems.id"],
                                name=op.f("fk_hub_messages_sender_pk_hub_systems")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_hub_messages_message_id")),
        sa.UniqueConstraint("sender_pk", "sender_key",
                            name=op.f("uq_hub_messages_sender_pk_sender_key")),
    )
    op.create_table(
        "hub_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=32), nullable=False),
        sa.Column("message_pk", sa.Integer(), nullable=False),
        sa.Column("to_organ_id", sa.String(length=13), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fetched_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_pk"], ["hub_messages.id"],
                                name=op.f("fk_hub_deliveries_message_pk_hub_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_deliveries")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_hub_deliveries_delivery_id")),
        sa.UniqueConstraint("message_pk", "to_organ_id",
                            name=op.f("uq_hub_deliveries_message_pk_to_organ_id")),
    )
    op.create_index(op.f("ix_hub_deliveries_message_pk"), "hub_deliveries", ["message_pk"])
    op.create_index("ix_hub_deliveries_waiting", "hub_deliveries", ["to_organ_id", "status"])


def downgrade():
    op.drop_table("hub_deliveries")
    op.drop_table("hub_messages")
    op.drop_index(op.f("ix_hub_organs_system_pk"), table_name="hub_organs")
    op.drop_table("hub_organs")
    op.drop_table("hub_systems")
