"""accounts: server-side sessions (logout, password change and lock end them everywhere)

Revision ID: 0007_user_sessions
Revises: 0001_foundation
Create Date: 2026-11-24 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


revision = "0007_user_sessions"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.Column('ended_at', eoffice.timestamps.UTCDateTime(), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
