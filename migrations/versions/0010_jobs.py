"""jobs: the kept job queue's rows (state, attempts, idempotency key)

Revision ID: 0010_jobs
Revises: 0009_api_tokens
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0010_jobs"
down_revision = "0009_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.Column("started_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.Column("worker", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("finished_at", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_jobs_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_jobs_idempotency_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_heartbeat", ["state", "heartbeat_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_requested_by_id"), ["requested_by_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_requested_by_id"))
        batch_op.drop_index("ix_jobs_state_heartbeat")
    op.drop_table("jobs")
