"""meetings: a poll's majority base and threshold, chosen when it is created (its verdict)

Revision ID: 0019_poll_verdict
Revises: 0018_notifications
Create Date: 2026-12-04 16:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0019_poll_verdict"
down_revision = "0018_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_polls") as batch:
        batch.add_column(sa.Column("majority_base", sa.String(length=10), nullable=False,
                                   server_default="present"))
        batch.add_column(sa.Column("threshold", sa.String(length=16), nullable=False,
                                   server_default="half"))


def downgrade():
    with op.batch_alter_table("meeting_polls") as batch:
        batch.drop_column("threshold")
        batch.drop_column("majority_base")
