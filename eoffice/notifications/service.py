"""Notifications come from the audit trail: an act that puts work on someone notifies them.

Every act is recorded once (``eoffice.audit.record``) with the people it is *for* in
``details.user_ids`` (units in ``unit_ids``: their heads are told). A listener on the trail
stores one notification per person in the act's own transaction, so a rolled-back act notifies
nobody; after the commit each person's browsers get it over the existing ``/notify`` socket
with their new unread count (the bell and a toast naming the document, meeting or task).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import event as orm_event
from sqlalchemy import func, select, update

from eoffice import audit
from eoffice.accounts.models import UnitMembership, User
from eoffice.audit.models import Event
from eoffice.audit.phrases import actor_of, addressed
from eoffice.documents.notifications import NAMESPACE, room
from eoffice.errors import NotFound
from eoffice.extensions import db, socketio
from eoffice.links import link_context
from eoffice.notifications.models import Notification
from eoffice.reports.links import link_for, name_for
from eoffice.timestamps import to_local, utcnow

#: Acts that hand something to the people in ``user_ids``/``unit_ids``.
NOTIFYING = frozenset({
    "presented", "assigned", "reassigned", "forwarded", "submitted_for_signature",
    "draft_created", "draft_returned", "delivered", "overdue",
    "invited", "reminded",
    "task_assigned", "task_returned", "task_completed", "extension_requested",
    "extension_granted", "extension_refused", "task_reminded", "task_overdue",
})
#: The session's pending pushes, sent after its commit (dropped on rollback).
_PENDING = "eoffice.notifications.pending"


def recipients(row: Event) -> list[int]:
    """The people an act is for: named people and the heads of named units, not the actor."""
    details = row.details or {}
    people = {i for i in details.get("user_ids") or [] if isinstance(i, int)}
    units = [i for i in details.get("unit_ids") or [] if isinstance(i, int)]
    if units:
        people.update(db.session.execute(
            select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(units),
                                                 UnitMembership.is_head.is_(True))
        ).scalars())
    people.discard(row.actor_id or -1)
    return sorted(people)


def title_of(row: Event, reader: User) -> str:
    """"Trần Văn Hùng giao bạn xử lý — Văn bản đến số 7 — Về việc …, hạn 15/01/2027"."""
    named = name_for(row.object_kind, row.object_id, reader)
    text = f"{actor_of(row)} {addressed(row.action, row.object_kind)} — {named.label}"
    deadline = (row.details or {}).get("deadline")
    if isinstance(deadline, str) and deadline:
        try:
            local = to_local(_aware(deadline))
        except ValueError:
            local = None
        if local is not None:
            text += f", hạn {local.strftime('%d/%m/%Y')}"
    return text[:500]


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def on_event(row: Event) -> None:
    """Audit listener: store the act's notifications in the act's own transaction."""
    if row.action not in NOTIFYING:
        return
    people = recipients(row)
    if not people:
        return
    readers = db.session.execute(select(User).where(User.id.in_(people))).scalars().all()
    # A sweep or a job acts outside any request: its links are built as commands build them.
    with nullcontext() if has_request_context() else link_context(current_app):
        url = link_for(row.object_kind, row.object_id) or ""
        titles = {reader.id: title_of(row, reader) for reader in readers}
    pending = db.session.info.setdefault(_PENDING, [])
    for reader in readers:
        note = Notification(user_id=reader.id, event_id=row.id, title=titles[reader.id],
                            url=url[:500], object_kind=row.object_kind,
                            object_id=row.object_id, created_at=utcnow())
        db.session.add(note)
        db.session.flush()
        pending.append((reader.id, {"id": note.id, "title": note.title, "url": note.url,
                                    "unread": unread_count(reader.id)}))


def _push_committed(session: Any) -> None:
    for user_id, payload in session.info.pop(_PENDING, None) or []:
        socketio.emit("notification", payload, to=room(user_id), namespace=NAMESPACE)


def _forget_rolled_back(session: Any) -> None:
    session.info.pop(_PENDING, None)


def listen_once() -> None:
    """One pair of session listeners for the process, whatever the number of apps."""
    if not orm_event.contains(db.session, "after_commit", _push_committed):
        orm_event.listen(db.session, "after_commit", _push_committed)
        orm_event.listen(db.session, "after_rollback", _forget_rolled_back)


def unread_count(user_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def recent(user: User, *, page: int = 1, per_page: int = 50) -> list[Notification]:
    """The user's notifications, newest first."""
    return list(db.session.execute(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).scalars())


def get_own(user: User, notification_id: int) -> Notification:
    """A notification of ``user``; anyone else's is answered as missing."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("Không tìm thấy thông báo.")
    return note


def mark_read(user: User, note: Notification) -> Notification:
    if note.user_id != user.id:
        raise NotFound("Không tìm thấy thông báo.")
    if note.read_at is None:
        note.read_at = utcnow()
        audit.record(user, "notification_read", "notification", note.id)
    return note


@dataclass(frozen=True)
class Marked:
    """How many notifications one "mark all as read" marked."""

    count: int


def mark_read_up_to(user: User, note: Notification) -> Marked:
    """Mark ``note`` and every older unread notification of ``user`` as read (the list's
    "mark all": what arrived after the page was shown stays unread)."""
    if note.user_id != user.id:
        raise NotFound("Không tìm thấy thông báo.")
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.id <= note.id,
               Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    marked = int(getattr(result, "rowcount", 0) or 0)
    if marked:
        audit.record(user, "notifications_read", "notification", note.id, count=marked)
    return Marked(marked)
