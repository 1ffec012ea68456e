"""document search: folded-text index with SQLite FTS5 / PostgreSQL GIN full text

Revision ID: 0003_document_search
Revises: 0001_foundation

The FTS5 virtual table, its triggers and the PostgreSQL GIN index are not model objects;
``eoffice.documents.search_models.include_name`` hides them from the model comparison.
"""
from alembic import op
import sqlalchemy as sa

import eoffice.timestamps


# revision identifiers, used by Alembic.
revision = "0003_document_search"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

FTS_TABLE = "document_search_fts"


def upgrade():
    op.create_table('document_search',
    sa.Column('document_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('register_kind', sa.String(length=30), nullable=False),
    sa.Column('doc_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('document_date', sa.Date(), nullable=True),
    sa.Column('meta_text', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('indexed_at', eoffice.timestamps.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_document_search_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_search'))
    )
    with op.batch_alter_table('document_search', schema=None) as batch_op:
        batch_op.create_index('ix_document_search_org_date', ['organisation_id', 'document_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_search_unit_id'), ['unit_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # External-content FTS5 over document_search (rowid = document_id); the triggers keep
        # it in step with every write, bulk deletes included.
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(meta_text, body_text, "
            "content='document_search', content_rowid='document_id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, meta_text, body_text) "
            "VALUES (new.document_id, new.meta_text, new.body_text); END"
        )
        op.execute(
            f"CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, meta_text, body_text) "
            "VALUES ('delete', old.document_id, old.meta_text, old.body_text); END"
        )
        op.execute(
            f"CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, meta_text, body_text) "
            "VALUES ('delete', old.document_id, old.meta_text, old.body_text); "
            f"INSERT INTO {FTS_TABLE}(rowid, meta_text, body_text) "
            "VALUES (new.document_id, new.meta_text, new.body_text); END"
        )
    elif dialect == "postgresql":
        # Text is already folded by fold_vi, so the 'simple' configuration (no stemming, no
        # stop words, no unaccent) is exactly right for Vietnamese syllables. The tsvector is a
        # stored generated column: an expression index alone makes every hit recompute
        # to_tsvector over the whole body when PostgreSQL rechecks rows.
        op.execute(
            "ALTER TABLE document_search ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple'::regconfig, meta_text || ' ' || body_text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_document_search_fulltext ON document_search "
            "USING gin (search_vector)"
        )

def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("document_search_ai", "document_search_ad", "document_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_document_search_fulltext")
    with op.batch_alter_table('document_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_search_unit_id'))
        batch_op.drop_index('ix_document_search_org_date')

    op.drop_table('document_search')
