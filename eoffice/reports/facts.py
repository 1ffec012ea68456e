"""Deriving report facts from audit events, inside the transaction that records them.

``project(event)`` is registered as an audit listener; ``rebuild()`` replays the whole trail (for
events recorded before the module existed, or after the holiday calendar changed, since late
working days are computed when the work ends).

Rules, per the event contract in docs/events.md:
- every event on a document, meeting or task gives an ``EventSubject`` row for its actor and one
  for each person in ``details.user_ids``;
- documents: ``assigned``/``reassigned``/``directed`` start a person's handling (deadline from
  ``details.deadline``), their first ``opened`` is noted, and ``completed`` ends the handling of
  every assignee still working on it (the document as a whole is done);
- signatures: ``submitted_for_signature`` starts a wait for each signer in ``user_ids``; that
  signer's ``signed`` ends it (without such an event, the wait starts at the latest
  ``format_approved``: the draft reached the signer's desk);
- ``draft_returned`` without ``user_ids`` is charged to the draft's creator (``draft_created``);
- tasks: ``task_assigned`` starts (kind ``action_item`` when the source is a meeting),
  ``task_completed`` ends, ``task_returned`` reopens, ``extension_granted`` moves the deadline;
- meetings: ``invited`` starts; ``checked_in`` with ``status`` present/excused/absent (default
  present) sets attended/excused/absent, ``declined`` (and ``delegated``, for the actor) →
  excused, ``closed`` → absent for everyone invited who has no outcome yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.reports.calendar import working_days_between
from eoffice.reports.models import EventSubject, WorkItem

REPORTED_KINDS = frozenset({"document", "meeting", "task"})
DOCUMENT_STARTS = frozenset({"assigned", "reassigned", "directed"})
SIGNATURE_STARTS = ("submitted_for_signature", "format_approved")
ATTENDANCE = {"present": "attended", "excused": "excused", "absent": "absent"}


def _user_ids(details: dict[str, Any]) -> list[int]:
    raw = details.get("user_ids") or []
    result: list[int] = []
    for value in raw if isinstance(raw, list) else []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number not in result:
            result.append(number)
    return result


def _deadline(details: dict[str, Any]) -> datetime | None:
    value = details.get("deadline")
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _rating(details: dict[str, Any]) -> float | None:
    value = details.get("rating")
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _items(kind: str, object_id: str, user_ids: list[int] | None = None) -> list[WorkItem]:
    query = select(WorkItem).where(WorkItem.kind == kind, WorkItem.object_id == object_id)
    if user_ids is not None:
        query = query.where(WorkItem.user_id.in_(user_ids))
    return list(db.session.execute(query).scalars())


def _start(event: Event, kind: str, user_ids: list[int], deadline: datetime | None) -> None:
    existing = {item.user_id: item for item in _items(kind, event.object_id, user_ids)}
    for user_id in user_ids:
        item = existing.get(user_id)
        if item is None:
            db.session.add(WorkItem(
                kind=kind, object_kind=event.object_kind, object_id=event.object_id,
                user_id=user_id, started_at=event.occurred_at, start_event_id=event.id,
                deadline=deadline,
            ))
        elif item.ended_at is None and deadline is not None:
            item.deadline = deadline


def _end(item: WorkItem, event: Event, outcome: str | None = None) -> None:
    item.ended_at = event.occurred_at
    item.end_event_id = event.id
    item.duration_s = (event.occurred_at - item.started_at).total_seconds()
    if outcome is not None:
        item.outcome = outcome
    elif item.deadline is None:
        item.outcome = "no_deadline"
        item.late_working_days = None
    elif event.occurred_at <= item.deadline:
        item.outcome = "on_time"
        item.late_working_days = 0
    else:
        item.outcome = "late"
        item.late_working_days = working_days_between(item.deadline, event.occurred_at)


def _reopen(item: WorkItem) -> None:
    item.ended_at = item.end_event_id = item.duration_s = None
    item.outcome = item.late_working_days = None


def _project_work(event: Event, details: dict[str, Any], users: list[int]) -> None:
    kind, action = event.object_kind, event.action
    actor = [event.actor_id] if event.actor_id is not None else []
    if kind == "document":
        if action in DOCUMENT_STARTS:
            _start(event, "document", users, _deadline(details))
        elif action == "opened":
            for item in _items("document", event.object_id, actor or users):
                if item.first_opened_at is None:
                    item.first_opened_at = event.occurred_at
                    item.open_event_id = event.id
                    item.open_delay_s = (event.occurred_at - item.started_at).total_seconds()
        elif action == "completed":
            for item in _items("document", event.object_id):
                if item.ended_at is None:
                    _end(item, event)
        elif action == "submitted_for_signature":
            _start(event, "signature", users, _deadline(details))
        elif action == "signed":
            open_items = [item for item in _items("signature", event.object_id, actor or users)
                          if item.ended_at is None]
            if not open_items and actor:
                start = _signature_start(event)
                if start is not None:
                    _start(start, "signature", actor, None)
                    db.session.flush()
                    open_items = [item for item in _items("signature", event.object_id, actor)
                                  if item.ended_at is None]
            for item in open_items:
                _end(item, event)
    elif kind == "task":
        work_kind = "action_item" if details.get("source_kind") == "meeting" else "task"
        if action == "task_assigned":
            _start(event, work_kind, users, _deadline(details))
        elif action == "extension_granted":
            deadline = _deadline(details)
            for item in _items(work_kind, event.object_id):
                if item.ended_at is None and deadline is not None:
                    item.deadline = deadline
        elif action == "task_completed":
            for item in _items(work_kind, event.object_id):
                if item.ended_at is None:
                    _end(item, event)
        elif action == "task_returned":
            for item in _items(work_kind, event.object_id):
                _reopen(item)
    elif kind == "meeting":
        if action == "invited":
            _start(event, "meeting", users, None)
        elif action == "checked_in":
            # The roll call: the secretary marks people present, excused or absent (the last
            # mark wins); a deputy or guest who was never invited gets an item here.
            outcome = ATTENDANCE.get(str(details.get("status") or "present"), "attended")
            targets = users or actor
            _start(event, "meeting", targets, None)
            for item in _items("meeting", event.object_id, targets):
                _end(item, event, outcome)
        elif action in ("declined", "delegated"):
            # A delegation names the deputy in user_ids; the excused person is the actor.
            targets = actor if action == "delegated" else (users or actor)
            for item in _items("meeting", event.object_id, targets):
                if item.outcome != "attended":
                    _end(item, event, "excused")
        elif action == "closed":
            for item in _items("meeting", event.object_id):
                if item.outcome is None:
                    _end(item, event, "absent")


def _signature_start(event: Event) -> Event | None:
    """When no ``submitted_for_signature`` named the signer, the wait began when the draft last
    reached the signer's desk (its format check passed)."""
    return db.session.execute(
        select(Event).where(
            Event.object_kind == "document", Event.object_id == event.object_id,
            Event.action.in_(SIGNATURE_STARTS), Event.id < event.id,
        ).order_by(Event.id.desc()).limit(1)
    ).scalar_one_or_none()


def _drafter(event: Event) -> list[int]:
    """A returned draft without ``user_ids`` is charged to whoever created the draft."""
    actor_id = db.session.execute(
        select(Event.actor_id).where(
            Event.object_kind == "document", Event.object_id == event.object_id,
            Event.action == "draft_created",
        ).order_by(Event.id).limit(1)
    ).scalar()
    return [actor_id] if actor_id is not None else []


def project(event: Event) -> None:
    """The audit listener: add this event's facts to the session (flushed with the caller's)."""
    if event.object_kind not in REPORTED_KINDS:
        return
    details = event.details or {}
    users = _user_ids(details)
    if event.action == "draft_returned" and not users and event.object_kind == "document":
        users = _drafter(event)
    rows: list[tuple[int, str]] = []
    if event.actor_id is not None:
        rows.append((event.actor_id, "actor"))
    rows += [(user_id, "subject") for user_id in users]
    value = _rating(details)
    for user_id, role in rows:
        db.session.add(EventSubject(
            event_id=event.id, user_id=user_id, role=role, action=event.action,
            object_kind=event.object_kind, object_id=event.object_id,
            occurred_at=event.occurred_at, value=value,
        ))
    # Starting rows must be visible to the ending event of the same flush.
    db.session.flush()
    _project_work(event, details, users)
    db.session.flush()


def rebuild(batch_size: int = 5000) -> int:
    """Recreate every fact from the trail, in event order; return how many events were replayed.

    A maintenance command (``flask reports rebuild``), not a report: reports never loop here.
    """
    db.session.execute(delete(WorkItem))
    db.session.execute(delete(EventSubject))
    last_id, replayed = 0, 0
    while True:
        events = db.session.execute(
            select(Event).where(Event.id > last_id, Event.object_kind.in_(REPORTED_KINDS))
            .order_by(Event.id).limit(batch_size)
        ).scalars().all()
        if not events:
            return replayed
        for event in events:
            project(event)
            replayed += 1
            last_id = event.id
