"""notifications: each person's stored notifications (the bell, the list, read or not)

Revision ID: 0018_notifications
Revises: 0017_signed_outputs
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0018_notifications"
down_revision = "0017_signed_outputs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("object_kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.Column("read_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"],
                                name=op.f("fk_notifications_event_id_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_user_read", "notifications", ["user_id", "read_at"])


def downgrade():
    op.drop_index("ix_notifications_user_read", table_name="notifications")
    op.drop_table("notifications")
