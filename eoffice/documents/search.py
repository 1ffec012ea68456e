"""Accent-insensitive full-text search over documents, on SQLite and PostgreSQL.

Everything stored and every query goes through :func:`formats.folding.fold_vi` and
is then reduced to plain words separated by spaces ("15/QĐ-UBND" → "15 qd ubnd"). Doing that
in Python, before the database sees the text, is what makes the two backends behave alike:

* SQLite FTS5 (``unicode61`` tokenizer) and PostgreSQL's ``simple`` text-search parser both
  split on spaces identically, whereas on raw text PostgreSQL would treat "15/qd-ubnd" as a file
  path and "qd-ubnd" as a hyphenated compound, and FTS5 would not.
* PostgreSQL needs no ``unaccent`` extension (which needs superuser rights to install and
  whose rules differ from ours for đ/Đ): the text arrives already folded, and the ``simple``
  configuration adds neither stemming nor stop words — right for Vietnamese, whose syllables
  are words on their own.

The caller's transaction is used (nothing is committed here), like ``eoffice.audit.record``:
index a document in the same transaction that registers or issues it.

Access control is not this module's business, but paging must happen *after* it — so
:class:`SearchQuery` takes ``visible_ids``, a SQL ``SELECT`` of document ids the user may see
(e.g. built from ``documents.access.visible_filter``), and applies it inside the query.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from eoffice.documents.search_models import FTS_TABLE, PG_VECTOR_COLUMN, DocumentSearch
from eoffice.extensions import db
from eoffice.timestamps import utcnow
from formats.folding import fold_vi

__all__ = [
    "MAX_BODY_CHARS",
    "IndexEntry",
    "SearchPage",
    "SearchQuery",
    "extract_pdf_text",
    "index_document",
    "remove_document",
    "search",
    "search_words",
]

MAX_BODY_CHARS = 300_000
"""Body text kept per document: far beyond any official letter, well below PostgreSQL's 1 MB
tsvector limit."""
MAX_QUERY_WORDS = 12
MIN_PREFIX = 3
_WORD_RE = re.compile(r"[^\W_]+")


def search_words(value: str) -> list[str]:
    """The folded words of ``value`` — the unit both indexing and querying work in."""
    return _WORD_RE.findall(fold_vi(value))


def _normalise(value: str) -> str:
    return " ".join(search_words(value))


@dataclass(frozen=True)
class IndexEntry:
    """What the documents module knows about one document, as plain values."""

    document_id: int
    organisation_id: int
    direction: str
    subject: str
    register_kind: str = ""
    doc_type: str = ""
    type_name: str = ""
    number_notation: str = ""
    status: str = ""
    unit_id: int | None = None
    document_date: date | None = None
    organ_name: str = ""
    signer: str = ""
    recipients: str = ""
    extra: str = ""
    body_text: str = ""
    """Plain text of the main file (see :func:`extract_pdf_text`)."""


@dataclass(frozen=True)
class SearchQuery:
    organisation_id: int
    text: str = ""
    direction: str | None = None
    doc_types: Sequence[str] = ()
    register_kinds: Sequence[str] = ()
    statuses: Sequence[str] = ()
    unit_ids: Sequence[int] = ()
    date_from: date | None = None
    date_to: date | None = None
    visible_ids: Select | None = None  # type: ignore[type-arg]
    """A ``SELECT`` of one integer column: the document ids the user may see."""
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchPage:
    """Document ids of one page, newest document date first, and the total number of hits."""

    ids: list[int]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def extract_pdf_text(pdf: bytes, *, timeout: float = 60) -> str:
    """Plain text of a PDF: poppler's ``pdftotext`` (fast, good reading order), else pypdf.

    Returns "" for a PDF without a text layer (a scan) or one that cannot be read — indexing
    must never fail because of a file's content.
    """
    exe = shutil.which("pdftotext")
    if exe:
        try:
            result = subprocess.run([exe, "-q", "-enc", "UTF-8", "-", "-"], input=pdf,
                                    capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return ""
        return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else ""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # any unreadable PDF simply has no searchable text
        return ""


def index_document(entry: IndexEntry) -> None:
    """Insert or refresh the index row of one document (in the caller's transaction)."""
    meta = _normalise(" ".join((
        entry.number_notation, entry.type_name, entry.subject, entry.organ_name, entry.signer,
        entry.recipients, entry.extra,
    )))
    body = _normalise(entry.body_text[: MAX_BODY_CHARS * 2])[:MAX_BODY_CHARS]
    row = db.session.get(DocumentSearch, entry.document_id)
    if row is None:
        row = DocumentSearch(document_id=entry.document_id)
        db.session.add(row)
    row.organisation_id = entry.organisation_id
    row.direction = entry.direction
    row.register_kind = entry.register_kind
    row.doc_type = entry.doc_type
    row.status = entry.status
    row.unit_id = entry.unit_id
    row.document_date = entry.document_date
    row.meta_text = meta
    row.body_text = body
    row.indexed_at = utcnow()
    db.session.flush()  # the SQLite FTS triggers run now, inside the same transaction


def remove_document(document_id: int) -> None:
    """Drop a document from the index (e.g. a revoked document's content is removed)."""
    row = db.session.get(DocumentSearch, document_id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def _text_condition(words: list[str]) -> ColumnElement[bool]:
    """Every word must occur; the last one may be a prefix (the user is still typing).

    A prefix shorter than :data:`MIN_PREFIX` is matched as a whole word: "s*" would expand to
    thousands of terms and cost seconds on a large index, for hits nobody can use.
    """
    dialect = db.session.get_bind().dialect.name
    last_is_prefix = len(words[-1]) >= MIN_PREFIX
    if dialect == "postgresql":
        terms = [*words[:-1], words[-1] + (":*" if last_is_prefix else "")]
        return text(f"{PG_VECTOR_COLUMN} @@ to_tsquery('simple'::regconfig, :tsq)").bindparams(
            tsq=" & ".join(terms))
    if dialect == "sqlite":
        quoted = [f'"{w}"' for w in words]
        if last_is_prefix:
            quoted[-1] += "*"
        match = " ".join(quoted)
        fts_ids = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts")
        return DocumentSearch.document_id.in_(fts_ids.bindparams(fts=match))
    # Any other database: substring match on the folded columns (slow but correct).
    return and_(*(
        (DocumentSearch.meta_text + " " + DocumentSearch.body_text).contains(w) for w in words
    ))


def search(query: SearchQuery) -> SearchPage:
    """Ids of documents matching ``query`` (filters AND text), one page, plus the total."""
    per_page = max(1, min(query.per_page, 200))
    page = max(1, query.page)
    conditions: list[ColumnElement[bool]] = [
        DocumentSearch.organisation_id == query.organisation_id]
    if query.direction:
        conditions.append(DocumentSearch.direction == query.direction)
    if query.doc_types:
        conditions.append(DocumentSearch.doc_type.in_(list(query.doc_types)))
    if query.register_kinds:
        conditions.append(DocumentSearch.register_kind.in_(list(query.register_kinds)))
    if query.statuses:
        conditions.append(DocumentSearch.status.in_(list(query.statuses)))
    if query.unit_ids:
        conditions.append(DocumentSearch.unit_id.in_(list(query.unit_ids)))
    if query.date_from:
        conditions.append(DocumentSearch.document_date >= query.date_from)
    if query.date_to:
        conditions.append(DocumentSearch.document_date <= query.date_to)
    if query.visible_ids is not None:
        conditions.append(DocumentSearch.document_id.in_(query.visible_ids))
    words = search_words(query.text)[:MAX_QUERY_WORDS]
    if words:
        conditions.append(_text_condition(words))

    # One pass: the total rides along as a window count, so the (possibly expensive) text
    # match is evaluated once per request instead of once for the page and once for the count.
    rows = db.session.execute(
        select(DocumentSearch.document_id, func.count().over().label("total"))
        .where(*conditions)
        .order_by(DocumentSearch.document_date.desc().nulls_last(),
                  DocumentSearch.document_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:  # past the last page: the count is still wanted for the pager
        total = db.session.execute(
            select(func.count()).select_from(DocumentSearch).where(*conditions)
        ).scalar_one()
    return SearchPage(ids=[r.document_id for r in rows], total=total, page=page,
                      per_page=per_page)
