"""Gapless yearly numbering: one counter row per organisation, year and register kind.

A number is taken inside the caller's transaction, so if that transaction fails the number is
given back and the series stays gapless. Concurrent takers are serialised by the database:
``SELECT … FOR UPDATE`` on the counter row on PostgreSQL; on SQLite the counter is bumped
with an ``UPDATE`` first, which takes the database's single write lock until commit.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from eoffice.documents.models import Direction, Document, DocumentRegister
from eoffice.extensions import db
from eoffice.organisation.models import Organisation, Unit

OUTGOING = "outgoing"
INCOMING = "incoming"
SECRET = "secret"  # outgoing secret documents
INCOMING_SECRET = "incoming_secret"


def register_kind_for(document: Document) -> str:
    """Which series a document's number comes from (Decree 30, Art. 15)."""
    if document.direction == Direction.INCOMING:
        return INCOMING_SECRET if document.is_secret else INCOMING
    if document.is_secret:
        return SECRET
    if document.is_legal_normative and document.type_code:
        return f"legal:{document.type_code}"
    return OUTGOING


def _ensure_register(organisation_id: int, year: int, kind: str) -> None:
    values = {"organisation_id": organisation_id, "year": year, "kind": kind, "last_number": 0}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(DocumentRegister).values(**values).on_conflict_do_nothing())


def take_number(organisation_id: int, year: int, kind: str) -> int:
    """The next number of the series, held by the caller's transaction until it commits."""
    _ensure_register(organisation_id, year, kind)
    where = (
        DocumentRegister.organisation_id == organisation_id,
        DocumentRegister.year == year,
        DocumentRegister.kind == kind,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        current = db.session.execute(
            select(DocumentRegister.last_number).where(*where).with_for_update()
        ).scalar_one()
        db.session.execute(update(DocumentRegister).where(*where).values(last_number=current + 1))
        return current + 1
    db.session.execute(
        update(DocumentRegister).where(*where).values(last_number=DocumentRegister.last_number + 1)
    )
    return db.session.execute(select(DocumentRegister.last_number).where(*where)).scalar_one()


def peek_last(organisation_id: int, year: int, kind: str) -> int:
    found = db.session.execute(
        select(DocumentRegister.last_number).where(
            DocumentRegister.organisation_id == organisation_id,
            DocumentRegister.year == year,
            DocumentRegister.kind == kind,
        )
    ).scalar()
    return found or 0


def format_number(number: int) -> str:
    """Numbers below 10 get a leading zero: 05, 15, 123."""
    return f"{number:02d}"


def notation_for(document: Document, organisation: Organisation, unit: Unit | None) -> str:
    """``QĐ-UBND`` for typed documents; a công văn has no type: ``UBND-VP``."""
    if document.type_code:
        return f"{document.type_code}-{organisation.abbreviation}"
    if unit is not None:
        return f"{organisation.abbreviation}-{unit.abbreviation}"
    return organisation.abbreviation
