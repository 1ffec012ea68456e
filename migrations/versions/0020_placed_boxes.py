"""documents: the number, date and signature boxes a format checker placed on an upload's PDF

Revision ID: 0020_placed_boxes
Revises: 0019_poll_verdict
Create Date: 2026-12-04 17:20:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0020_placed_boxes"
down_revision = "0019_poll_verdict"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_placed_boxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_document_placed_boxes_document_id_documents")),
        sa.ForeignKeyConstraint(["placed_by_id"], ["users.id"],
                                name=op.f("fk_document_placed_boxes_placed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_placed_boxes")),
    )
    op.create_index(op.f("ix_document_placed_boxes_document_id"), "document_placed_boxes",
                    ["document_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_document_placed_boxes_document_id"),
                  table_name="document_placed_boxes")
    op.drop_table("document_placed_boxes")
