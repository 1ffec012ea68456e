"""The search index table: one row per document, text pre-folded by ``fold_vi``.

The table holds no foreign key to ``documents`` on purpose: the index is derived data that
:mod:`eoffice.documents.search` rebuilds from the documents module, and keeping it FK-free lets
its migration stand on the foundation alone (no ordering between module migrations).

The full-text machinery lives outside the models because it differs per database and the
ORM has no words for it:

* SQLite: an external-content FTS5 virtual table ``document_search_fts`` (rowid =
  document_id) plus triggers that keep it in step with every insert/update/delete on
  ``document_search`` — including bulk deletes that never pass through our functions.
* PostgreSQL: a stored generated column ``search_vector`` =
  ``to_tsvector('simple', meta_text || ' ' || body_text)`` with a GIN index.

Both are created by migration ``0003_document_search``; :func:`include_name` tells Alembic's
model-vs-database comparison to look past them (they are not model objects: the column exists
on one database only and is never written by the application).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow

__all__ = ["FTS_TABLE", "PG_FULLTEXT_INDEX", "PG_VECTOR_COLUMN", "DocumentSearch", "include_name"]

FTS_TABLE = "document_search_fts"
PG_FULLTEXT_INDEX = "ix_document_search_fulltext"
PG_VECTOR_COLUMN = "search_vector"


class DocumentSearch(db.Model):  # type: ignore[name-defined]
    """Searchable text and filter columns of one document (derived, rebuildable)."""

    __tablename__ = "document_search"
    __table_args__ = (
        Index("ix_document_search_org_date", "organisation_id", "document_date"),
    )

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    direction: Mapped[str] = mapped_column(String(10))  # "outgoing" / "incoming"
    register_kind: Mapped[str] = mapped_column(String(30), default="")
    doc_type: Mapped[str] = mapped_column(String(10), default="")  # "QĐ", "" = công văn
    status: Mapped[str] = mapped_column(String(20), default="")
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    document_date: Mapped[date | None] = mapped_column(Date)
    meta_text: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: skip the FTS5 table with its shadow tables and the PG-only column/index."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == PG_VECTOR_COLUMN:
        return False
    return not (type_ == "index" and name == PG_FULLTEXT_INDEX)
