"""Recording events and verifying the chain.

The chain makes after-the-fact edits visible: each event's hash covers its own fields and the
previous event's hash, so changing, deleting or reordering any row breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from eoffice.audit.models import Event
from eoffice.extension_points import register, registered
from eoffice.extensions import db
from eoffice.timestamps import utcnow

GENESIS = "0" * 64
# Any constant works; it names the PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK_KEY = 0x0E0FF1CE

# Called with each new event inside ``record``'s transaction, so derived rows (e.g. the reports'
# indexed facts) commit or roll back with the event itself. Listeners never touch the chain.
EventListener = Callable[[Event], None]


def add_listener(app: Flask, listener: EventListener) -> None:
    """Register ``listener(event)`` to run after every ``record`` in ``app`` (idempotent)."""
    register(app, "audit_listeners", listener)


def _canonical_time(value: datetime) -> str:
    # Microseconds are kept: both databases store them, and the hash must be reproducible.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def event_hash(
    prev_hash: str,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    object_kind: str,
    object_id: str,
    details: dict[str, Any],
    actor_name: str | None = None,
    actor_title: str | None = None,
) -> str:
    """The event's hash. The actor's name and title as they were (recorded since the
    snapshot columns exist) are covered when present; rows recorded before keep the hash
    they were written with."""
    fields: list[Any] = [prev_hash, _canonical_time(occurred_at), actor_id, action, object_kind,
                         object_id, details]
    if actor_name is not None or actor_title is not None:
        fields.append([actor_name, actor_title])
    payload = json.dumps(
        fields,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain_tail(session: Any) -> None:
    """Hold the right to append until this transaction ends, so the tail read below is final.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a no-op write, which makes the
    driver open the write transaction now (taking SQLite's single writer lock, waiting on the
    busy timeout) instead of at the INSERT, after another writer may have appended. Without
    this, two writers read the same tail and the unique ``prev_hash`` refuses one of them.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})
    elif dialect == "sqlite":
        session.execute(text("UPDATE events SET id = id WHERE id = -1"))


def _as_they_are_now(actor: Any | None) -> tuple[str | None, str | None]:
    """The actor's name and title at the moment of the act (None for the system)."""
    if actor is None or getattr(actor, "id", None) is None:
        return None, None
    position = getattr(actor, "position", None)
    return getattr(actor, "full_name", None), getattr(position, "title", None)


def record(
    actor: Any | None,
    action: str,
    object_kind: str,
    object_id: object,
    **details: Any,
) -> Event:
    """Append an event in the caller's transaction (it commits or rolls back with the work).

    ``actor`` is a user (or None for the system). ``details`` must be JSON-serialisable and
    must never hold secrets or, for secret ballots, the choice made.
    """
    session = db.session
    _lock_chain_tail(session)
    last = session.execute(select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
    prev_hash = last or GENESIS
    # Round-trip through JSON so the hash is computed over exactly what the database returns.
    clean_details = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    occurred_at = utcnow()
    actor_id = getattr(actor, "id", None)
    actor_name, actor_title = _as_they_are_now(actor)
    event = Event(
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_name=actor_name,
        actor_title=actor_title,
        action=action,
        object_kind=object_kind,
        object_id=str(object_id),
        details=clean_details,
        prev_hash=prev_hash,
        hash=event_hash(
            prev_hash, occurred_at, actor_id, action, object_kind, str(object_id), clean_details,
            actor_name, actor_title,
        ),
    )
    session.add(event)
    session.flush()
    for listener in registered("audit_listeners"):
        listener(event)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.checked} events, chain intact"
        return f"BROKEN at event {self.first_broken_id}: {self.reason} ({self.checked} checked)"


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk all events in order, recomputing each hash; name the first one that does not fit.

    Reads plain rows, not ORM objects, so it neither fills nor disturbs the caller's session.
    """
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    columns = (
        Event.id, Event.prev_hash, Event.hash, Event.occurred_at, Event.actor_id,
        Event.action, Event.object_kind, Event.object_id, Event.details,
        Event.actor_name, Event.actor_title,
    )
    while True:
        rows = db.session.execute(
            select(*columns).where(Event.id > last_id).order_by(Event.id).limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(ok=True, checked=checked)
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(False, checked, row.id, "previous-hash link does not match")
            recomputed = event_hash(
                row.prev_hash, row.occurred_at, row.actor_id, row.action,
                row.object_kind, row.object_id, row.details, row.actor_name, row.actor_title,
            )
            if recomputed != row.hash:
                return ChainReport(False, checked, row.id, "content does not match its hash")
            expected_prev = row.hash
            checked += 1
            last_id = row.id
