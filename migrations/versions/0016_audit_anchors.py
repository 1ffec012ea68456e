"""audit: timestamps over the head of the audit chain (anchors)

Revision ID: 0016_audit_anchors
Revises: 0015_remote_signing
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0016_audit_anchors"
down_revision = "0015_remote_signing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("anchored_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.Column("tsa", sa.String(length=255), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
    )
    op.create_index(op.f("ix_audit_anchors_event_id"), "audit_anchors", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_audit_anchors_event_id"), table_name="audit_anchors")
    op.drop_table("audit_anchors")
