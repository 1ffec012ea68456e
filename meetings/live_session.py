"""The live session with its record: the state machine of ``meetings.live`` kept in the database.

Every change goes through ``live_transaction``: the state row is re-read, changed by
``live.apply`` and written back only if its version is still the one read (PostgreSQL
additionally locks the row), then the change is published, in version order within a process,
and with the version number so that clients of every process put them in order themselves.
The effects a command reports (opened, closed, attendance, a speech ended, a conclusion) become
rows and audit events (docs/events.md) in that same transaction. Polls and action items are
session commands too and use the same transaction (``meetings.polls``, ``meetings.follow_ups``).
The private notes a participant keeps on the papers during the session are here as well.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.organisation.models import Position
from eoffice.timestamps import utcnow
from meetings import live
from meetings.access import can_view_document, live_role
from meetings.live import Actor, Change, LiveError
from meetings.models import (
    AgendaItem,
    Attendance,
    LiveStateRow,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Note,
    Participant,
    ParticipantRole,
    Poll,
    PollVoter,
    Response,
    Speech,
)

Publisher = Callable[[int, Change], None]
_publisher: Publisher = lambda _meeting_id, _change: None  # noqa: E731
_locks: dict[int, threading.RLock] = {}
_locks_guard = threading.Lock()
RETRIES = 20


def set_publisher(publisher: Publisher) -> None:
    """The namespace registers how changes reach clients (kept out of this module's imports)."""
    global _publisher
    _publisher = publisher


def _meeting_lock(meeting_id: int) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(meeting_id, threading.RLock())


def _participant_rows(meeting: Meeting) -> list[Row[Any]]:
    """Everyone invited, with their name, title and whom they stand in for, in one query.

    Not ``meeting.participants`` and their ``user``: that is a query per person (and per
    title), and a council session invites hundreds — building the roster that way took a
    quarter of a second at 500 invitees, at the opening and at every join before it.
    """
    person, deputy_for = aliased(User), aliased(User)
    return list(db.session.execute(
        select(Participant.user_id, Participant.role, Participant.response,
               Participant.attendance, Participant.absence_reason, person.full_name,
               Position.title, deputy_for.full_name.label("deputy_for"))
        .join(person, person.id == Participant.user_id)
        .outerjoin(Position, Position.id == person.position_id)
        .outerjoin(deputy_for, deputy_for.id == Participant.delegated_from_id)
        .where(Participant.meeting_id == meeting.id)
        .order_by(Participant.id)
    ).all())


def _people(meeting: Meeting, rows: list[Row[Any]]) -> dict[int, dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row.response == Response.DELEGATED:
            continue
        role = row.role
        if row.user_id == meeting.chair_id:
            role = ParticipantRole.CHAIR.value
        elif row.user_id == meeting.secretary_id:
            role = ParticipantRole.SECRETARY.value
        people[row.user_id] = {
            "name": row.full_name, "title": row.title or "", "role": role,
            "votes": role in (ParticipantRole.CHAIR, ParticipantRole.MEMBER),
            "deputy_for": row.deputy_for,
        }
    return people


def _roster(meeting: Meeting, rows: list[Row[Any]] | None = None) -> dict[str, Any]:
    people = _people(meeting, _participant_rows(meeting) if rows is None else rows)
    voters = sum(1 for p in people.values() if p["votes"])
    presenter = aliased(User)
    items = db.session.execute(
        select(AgendaItem.id, AgendaItem.title, AgendaItem.duration_minutes,
               presenter.full_name)
        .outerjoin(presenter, presenter.id == AgendaItem.presenter_id)
        .where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
    ).all()
    documents = db.session.execute(
        select(MeetingDocument.id, MeetingDocument.item_id, MeetingDocument.title,
               MeetingDocument.file_id)
        .join(AgendaItem, AgendaItem.id == MeetingDocument.item_id)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, MeetingDocument.id)
    ).all()
    return {
        "agenda": [{"id": i.id, "title": i.title, "duration_s": i.duration_minutes * 60,
                    "presenter": i.full_name} for i in items],
        "people": people,
        "documents": {d.id: {"item_id": d.item_id, "title": d.title, "file_id": d.file_id}
                      for d in documents},
        "quorum_needed": live.quorum_needed(voters, meeting.quorum_percent),
    }


def _initial_state(meeting: Meeting) -> live.State:
    rows = _participant_rows(meeting)
    roster = _roster(meeting, rows)
    state = live.new_state(meeting.id, agenda=roster["agenda"], people=roster["people"],
                           documents=roster["documents"], quorum_percent=meeting.quorum_percent)
    for row in rows:
        if str(row.user_id) in state["attendance"] and row.attendance != Attendance.ABSENT:
            state["attendance"][str(row.user_id)].update(
                status=row.attendance, reason=row.absence_reason)
    return state


def _state_row(meeting: Meeting) -> LiveStateRow:
    row = db.session.get(LiveStateRow, meeting.id, with_for_update=True, populate_existing=True)
    if row is None:
        row = LiveStateRow(meeting_id=meeting.id, version=0, state=_initial_state(meeting))
        db.session.add(row)
        db.session.flush()
    return row


def sync_roster(user: User, meeting_id: int) -> None:
    """After a preparation change is committed, a session already started sees it too."""
    if db.session.get(LiveStateRow, meeting_id) is None:
        return
    live_transaction(user, meeting_id, lambda m, a, s, now: live.apply(
        s, a, "roster", _roster(m), now, internal=True), require_role=False)


def live_transaction(
    user: User,
    meeting_id: int,
    work: Callable[[Meeting, Actor, live.State, float], Change],
    *,
    require_role: bool = True,
) -> Change:
    """Run ``work`` on a fresh copy of the state; persist it if nobody changed it meanwhile."""
    with _meeting_lock(meeting_id):
        for attempt in range(RETRIES):
            try:
                meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
                if meeting is None:
                    raise LiveError("not_found", "Không tìm thấy cuộc họp.")
                role = live_role(user, meeting)
                if role is None and require_role:
                    raise LiveError("forbidden", "Bạn không có trong danh sách dự họp.")
                row = _state_row(meeting)
                # Freshly parsed from the column (populate_existing), so ours to change; it is
                # written back by the versioned UPDATE below, never by the ORM's flush.
                state = row.state
                before = state["version"]
                change = work(meeting, Actor(user.id, role or "system"), state, time.time())
                _record_effects(user, meeting, change)
                result = db.session.execute(
                    update(LiveStateRow)
                    .where(LiveStateRow.meeting_id == meeting_id, LiveStateRow.version == before)
                    .values(version=state["version"], state=state, updated_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:
                    db.session.rollback()
                    continue
                db.session.commit()
            except LiveError:
                db.session.rollback()
                raise
            except (OperationalError, IntegrityError):
                # SQLite refuses a write whose read snapshot went stale, and two appends to
                # the audit chain may race on it (unique prev_hash); start again.
                db.session.rollback()
                time.sleep(0.005 * (attempt + 1))
                continue
            _publisher(meeting_id, change)
            return change
    raise LiveError("busy", "Hệ thống đang bận; vui lòng thử lại.")


def _dt(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _record_effects(user: User, meeting: Meeting, change: Change) -> None:
    """Turn the live effects into the durable record and audit events."""
    for kind, data in change.effects:
        if kind == "opened":
            meeting.status = MeetingStatus.LIVE.value
            meeting.opened_at = utcnow()
            audit.record(user, "opened", "meeting", meeting.id)
        elif kind == "closed":
            meeting.status = MeetingStatus.CLOSED.value
            meeting.closed_at = utcnow()
            audit.record(user, "closed", "meeting", meeting.id)
        elif kind == "attendance":
            # One row, not the whole list of invitees loaded to find it.
            row = db.session.execute(
                select(Participant).where(Participant.meeting_id == meeting.id,
                                          Participant.user_id == data["user_id"])
            ).scalar_one()
            row.attendance = data["status"]
            row.absence_reason = data["reason"]
            row.checked_in_at = _dt(data["at"])
            audit.record(user, "checked_in", "meeting", meeting.id,
                         user_ids=[data["user_id"]], status=data["status"])
        elif kind == "speech_ended":
            db.session.add(Speech(
                meeting_id=meeting.id, item_id=data["item_id"], user_id=data["user_id"],
                queue=data["queue"], requested_at=_dt(data.get("requested_at")),
                started_at=_dt(data["started_at"]), ended_at=_dt(data["ended_at"]),
            ))
            audit.record(user, "spoke", "meeting", meeting.id, user_ids=[data["user_id"]],
                         queue=data["queue"],
                         seconds=round(data["ended_at"] - data["started_at"], 1))
        elif kind == "conclusion":
            item = next(i for i in meeting.items if i.id == data["item_id"])
            item.conclusion = data["text"]
            item.conclusion_at = utcnow()
            audit.record(user, "conclusion_recorded", "meeting", meeting.id,
                         item_id=item.id)


def command(user: User, meeting_id: int, name: str, payload: dict[str, Any]) -> Change:
    """A participant's or the chair's command in the live session."""
    return live_transaction(
        user, meeting_id, lambda m, actor, state, now: live.apply(state, actor, name, payload, now)
    )


def snapshot(user: User, meeting_id: int) -> dict[str, Any]:
    """The whole state for one user: shared part, live vote counts, and what is only theirs."""
    meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None or (role := live_role(user, meeting)) is None:
        raise LiveError("forbidden", "Bạn không có trong danh sách dự họp.")
    row = db.session.get(LiveStateRow, meeting_id, populate_existing=True)
    # Freshly parsed from the column (populate_existing): no copy needed.
    state = _initial_state(meeting) if row is None else row.state
    polls = db.session.execute(select(Poll).where(Poll.meeting_id == meeting_id)).scalars().all()
    for poll in polls:
        if str(poll.id) in state["polls"]:
            state["polls"][str(poll.id)]["voted"] = poll.voted_count
    ballots = db.session.execute(
        select(PollVoter.poll_id, PollVoter.choice)
        .join(Poll, Poll.id == PollVoter.poll_id)
        .where(Poll.meeting_id == meeting_id, PollVoter.user_id == user.id)
    ).all()
    hidden = [
        d.id for i in meeting.items for d in i.documents if not can_view_document(user, d)
    ]
    person = state["people"].get(str(user.id), {})
    state["me"] = {
        "user_id": user.id, "name": user.full_name, "role": role,
        "votes": bool(person.get("votes")),
        "ballots": {str(poll_id): choice for poll_id, choice in ballots},
        "hidden_documents": hidden,
    }
    state["server_time"] = time.time()
    return state


# --------------------------------------------------------------------------- private notes
def save_note(user: User, meeting_id: int, document_id: int, page: int, body: str) -> Note | None:
    """Keep (or, with an empty body, delete) the user's private note on a page."""
    document = db.session.get(MeetingDocument, document_id)
    if document is None or document.item.meeting_id != meeting_id or not can_view_document(
        user, document
    ):
        raise LiveError("unknown_document", "Tài liệu không thuộc cuộc họp này.")
    if not 1 <= page <= live.MAX_PAGE or len(body) > 20_000:
        raise LiveError("bad_note", "Ghi chú không hợp lệ.")
    note = db.session.execute(
        select(Note).where(Note.document_id == document_id, Note.user_id == user.id,
                           Note.page == page)
    ).scalar_one_or_none()
    if not body.strip():
        if note is not None:
            db.session.delete(note)
        db.session.commit()
        return None
    if note is None:
        note = Note(document_id=document_id, user_id=user.id, page=page, body=body)
        db.session.add(note)
    note.body, note.updated_at = body, utcnow()
    db.session.commit()
    return note


def notes_for(user: User, meeting_id: int) -> list[Note]:
    return list(db.session.execute(
        select(Note).join(MeetingDocument).join(AgendaItem)
        .where(AgendaItem.meeting_id == meeting_id, Note.user_id == user.id)
        .order_by(Note.document_id, Note.page)
    ).scalars())
