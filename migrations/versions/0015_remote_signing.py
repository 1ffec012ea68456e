"""signing: remote signing services (CSC API) and the credential each signer or seal uses

Revision ID: 0015_remote_signing
Revises: 0014_exchange_hub
Create Date: 2026-12-04 16:30:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0015_remote_signing"
down_revision = "0014_exchange_hub"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "remote_signing_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=True),
        sa.Column("client_secret_sealed", sa.Text(), nullable=True),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name=op.f("fk_remote_signing_services_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_remote_signing_services_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_signing_services")),
        sa.UniqueConstraint("organisation_id", "name",
                            name=op.f("uq_remote_signing_services_organisation_id_name")),
    )
    op.create_table(
        "remote_credential_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("credential_id", sa.String(length=300), nullable=False),
        sa.Column("scal", sa.Integer(), nullable=False),
        sa.Column("needs_otp", sa.Boolean(), nullable=False),
        sa.Column("max_signatures", sa.Integer(), nullable=False),
        sa.Column("certificate_subject", sa.String(length=500), nullable=False),
        sa.Column("certificate_not_after", eoffice.timestamps.UTCDateTime(), nullable=True),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", eoffice.timestamps.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name=op.f("fk_remote_credential_links_organisation_id_organisations")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["remote_signing_services.id"],
            name=op.f("fk_remote_credential_links_service_id_remote_signing_services")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_remote_credential_links_user_id_users")),
        sa.ForeignKeyConstraint(["linked_by_id"], ["users.id"],
                                name=op.f("fk_remote_credential_links_linked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_credential_links")),
        sa.UniqueConstraint("organisation_id", "holder",
                            name=op.f("uq_remote_credential_links_organisation_id_holder")),
    )


def downgrade():
    op.drop_table("remote_credential_links")
    op.drop_table("remote_signing_services")
