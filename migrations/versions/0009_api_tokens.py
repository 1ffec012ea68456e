"""accounts: API tokens for integrators (only their SHA-256 is stored)

Revision ID: 0009_api_tokens
Revises: 0008_event_actor_snapshot
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0009_api_tokens"
down_revision = "0008_event_actor_snapshot"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
