"""exchange hub: each system's secret kept encrypted at rest instead of a hash

The axis's wire signs every request with an HMAC under the system's secret, so the hub must
be able to recompute it: the secret is kept sealed (``eoffice.signing_keys.sealed_secrets``).
A hash cannot be turned back into the secret: every system registered before this revision has
no secret until an operator runs ``flask exchange hub-systems rotate-secret <system>`` and gives the
new one to that installation; until then its requests are refused (401).

Revision ID: 0022_hub_secrets_sealed
Revises: 0021_one_external_recipients
Create Date: 2026-12-04 20:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0022_hub_secrets_sealed"
down_revision = "0021_one_external_recipients"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("hub_systems") as batch:
        batch.add_column(sa.Column("secret_sealed", sa.Text(), nullable=True))
        batch.drop_column("secret_hash")


def downgrade():
    # A hash of nothing known: after a downgrade too, every system's secret must be rotated.
    with op.batch_alter_table("hub_systems") as batch:
        batch.add_column(sa.Column("secret_hash", sa.String(length=64), nullable=False,
                                   server_default="0" * 64))
        batch.drop_column("secret_sealed")
