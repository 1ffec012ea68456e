"""audit: each event keeps the actor's name and title as they were at the time of the act

Revision ID: 0008_event_actor_snapshot
Revises: 0007_user_sessions
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0008_event_actor_snapshot"
down_revision = "0007_user_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("actor_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("actor_title", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("actor_title")
        batch_op.drop_column("actor_name")
