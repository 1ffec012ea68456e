"""``audit export``: the events of a period as JSON lines, with what an inspector needs to check
them without access to the system: every hashed field, each event's hash and the previous one,
and the anchors (TSA tokens) that fall in the period."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eoffice.audit.anchors import statement
from eoffice.audit.models import AuditAnchor, Event
from eoffice.extensions import db
from eoffice.timestamps import utcnow

#: How each event's hash is made, stated in the export itself.
HASH_RULE = ("sha256 over the JSON array [prev_hash, occurred_at (UTC ISO, microseconds, no "
             "zone), actor_id, action, object_kind, object_id, details] plus [actor_name, "
             "actor_title] when either is set; keys sorted, separators ',' ':', UTF-8")


def _line(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n")


def export(first_day: date, last_day: date, zone: str, out: TextIO) -> int:
    """Write the events of ``first_day``..``last_day`` (whole local days) to ``out``."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first_day, time(), tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), tz).astimezone(UTC)
    _line(out, {"type": "export", "from": first_day.isoformat(), "to": last_day.isoformat(),
                "timezone": zone, "generated_at": utcnow().isoformat(), "hash_rule": HASH_RULE})
    count = 0
    first_id = last_id = None
    events = db.session.execute(select(Event).where(Event.occurred_at >= start,
                                                    Event.occurred_at < end)
                                .order_by(Event.id).execution_options(yield_per=1000))
    for event in events.scalars():
        _line(out, {
            "type": "event", "id": event.id,
            "occurred_at": event.occurred_at.astimezone(UTC).replace(tzinfo=None)
            .isoformat(timespec="microseconds"),
            "actor_id": event.actor_id, "actor_name": event.actor_name,
            "actor_title": event.actor_title, "action": event.action,
            "object_kind": event.object_kind, "object_id": event.object_id,
            "details": event.details, "prev_hash": event.prev_hash, "hash": event.hash,
        })
        count += 1
        first_id = first_id or event.id
        last_id = event.id
    if first_id is not None:
        # Anchors over events of the period, and the first one after it (it vouches for the
        # period's last events too: the chain links them to the anchored head).
        anchors = list(db.session.execute(
            select(AuditAnchor).where(AuditAnchor.event_id >= first_id)
            .order_by(AuditAnchor.event_id)).scalars())
        covering = [a for a in anchors if a.event_id <= last_id] + \
                   [a for a in anchors if a.event_id > last_id][:1]
        for anchor in covering:
            _line(out, {
                "type": "anchor", "event_id": anchor.event_id, "event_hash": anchor.event_hash,
                "anchored_at": anchor.anchored_at.isoformat(), "tsa": anchor.tsa,
                "statement": statement(anchor.event_id, anchor.event_hash).decode(),
                "token": base64.b64encode(anchor.token).decode(),
            })
    _line(out, {"type": "summary", "events": count, "first_id": first_id, "last_id": last_id})
    db.session.rollback()
    return count
