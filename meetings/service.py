"""Meeting rules: preparation, invitations, responses, the live session, votes, follow-ups.

Pages, the API and the Socket.IO namespace all call these functions; each records its audit
event (docs/events.md) in the same transaction as the change. Live-session changes go through
``_live_transaction``: the state row is re-read, changed by ``live.apply`` and written back only
if its version is still the one read (PostgreSQL additionally locks the row), then the change
is published — in version order within a process, and with the version number so that clients
of every process put them in order themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.files.access import can_view_file, is_vetoed
from eoffice.files.content_check import PDF
from eoffice.files.models import StoredFile
from eoffice.files.service import save_upload
from eoffice.timestamps import utcnow
from meetings import live
from meetings.live import Actor, Change, LiveError
from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    ItemAccess,
    LiveStateRow,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Note,
    Participant,
    ParticipantRole,
    Poll,
    PollTally,
    PollVoter,
    Response,
    Speech,
)

DEFAULT_OPTIONS = ["Đồng ý", "Không đồng ý", "Ý kiến khác"]
CREATOR_ROLES = (Role.LEADER, Role.MEETING_SECRETARY, Role.UNIT_HEAD, Role.MANAGER, Role.CLERK)


class MeetingError(ValueError):
    """A refused request; the message is Vietnamese and safe to show."""


# --------------------------------------------------------------------------- permissions
def participant_row(user: User, meeting: Meeting) -> Participant | None:
    # A query, not a scan of ``meeting.participants``: a session may have a thousand invitees.
    return db.session.execute(
        select(Participant).where(Participant.meeting_id == meeting.id,
                                  Participant.user_id == user.id)
    ).scalar_one_or_none()


def can_view(user: User, meeting: Meeting) -> bool:
    """The one check for meetings: organisers and invitees (deputies included) see it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.organisation_id != meeting.organisation_id:
        return False
    if user.id in (meeting.created_by_id, meeting.chair_id, meeting.secretary_id):
        return True
    return participant_row(user, meeting) is not None


def can_manage(user: User, meeting: Meeting) -> bool:
    """Who prepares the meeting: its creator, chair and secretary."""
    return can_view(user, meeting) and user.id in (
        meeting.created_by_id, meeting.chair_id, meeting.secretary_id
    )


def can_create(user: User) -> bool:
    return has_role(user, *CREATOR_ROLES)


def live_role(user: User, meeting: Meeting) -> str | None:
    """The role in the session, or None when the user may not join it."""
    if not can_view(user, meeting):
        return None
    if user.id == meeting.chair_id:
        return ParticipantRole.CHAIR.value
    if user.id == meeting.secretary_id:
        return ParticipantRole.SECRETARY.value
    row = participant_row(user, meeting)
    if row is None or row.response == Response.DELEGATED:
        return None  # the creator who is not invited, or someone who sent a deputy
    return row.role


def can_view_document(user: User, document: MeetingDocument) -> bool:
    """Meeting rules (invitee; restricted items for the named few) *and* the file's vetoes:
    a secret incoming document attached by its chair stays secret from the other members,
    and a revoked one is served to nobody."""
    if is_vetoed(user, document.file):
        return False
    item = document.item
    meeting = item.meeting
    if not can_view(user, meeting):
        return False
    if not item.restricted or can_manage(user, meeting):
        return True
    return any(access.user_id == user.id for access in item.access)


def file_rule(user: User, stored: StoredFile) -> bool:
    """Registered with ``eoffice.files.access``: meeting files follow the meeting's rules."""
    documents = db.session.execute(
        select(MeetingDocument).where(MeetingDocument.file_id == stored.id)
    ).scalars().all()
    if any(can_view_document(user, document) for document in documents):
        return True
    meetings = db.session.execute(
        select(Meeting).where(
            or_(Meeting.minutes_file_id == stored.id, Meeting.invitation_file_id == stored.id)
        )
    ).scalars().all()
    return any(can_view(user, meeting) for meeting in meetings)


def get_meeting(user: User, meeting_id: int) -> Meeting | None:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_view(user, meeting):
        return None
    return meeting


def meetings_for(user: User) -> list[Meeting]:
    invited = select(Participant.meeting_id).where(Participant.user_id == user.id)
    return list(db.session.execute(
        select(Meeting).where(
            Meeting.organisation_id == user.organisation_id,
            or_(Meeting.id.in_(invited), Meeting.created_by_id == user.id,
                Meeting.chair_id == user.id, Meeting.secretary_id == user.id),
        ).order_by(Meeting.starts_at.desc()).limit(300)
    ).scalars())


def upcoming_for(user: User, now: datetime | None = None) -> list[Meeting]:
    now = now or utcnow()
    return [
        m for m in meetings_for(user)
        if m.status in (MeetingStatus.INVITED, MeetingStatus.LIVE)
        and (m.status == MeetingStatus.LIVE or (m.ends_at or m.starts_at) >= now)
        and live_role(user, m) is not None
    ][::-1]


# --------------------------------------------------------------------------- preparation
def _org_users(organisation_id: int, ids: list[int]) -> dict[int, User]:
    found = db.session.execute(
        select(User).where(User.id.in_(ids), User.organisation_id == organisation_id,
                           User.active.is_(True))
    ).scalars().all()
    users = {u.id: u for u in found}
    if len(users) != len(set(ids)):
        raise MeetingError("Có người được chọn không hợp lệ.")
    return users


def create_meeting(
    creator: User,
    *,
    title: str,
    starts_at: datetime,
    chair_id: int,
    secretary_id: int,
    member_ids: list[int],
    guest_ids: list[int] | None = None,
    ends_at: datetime | None = None,
    location: str = "",
    online_url: str = "",
    description: str = "",
    quorum_percent: int = 50,
) -> Meeting:
    """Create a meeting in preparation (flushed, not committed)."""
    if not can_create(creator):
        raise MeetingError("Bạn không có quyền tạo cuộc họp.")
    title = title.strip()
    if not title or len(title) > 300:
        raise MeetingError("Tên cuộc họp là bắt buộc (tối đa 300 ký tự).")
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise MeetingError("Thời gian không hợp lệ.")
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingError("Thời gian kết thúc phải sau thời gian bắt đầu.")
    if not location.strip() and not online_url.strip():
        raise MeetingError("Cần nhập địa điểm hoặc đường dẫn họp trực tuyến.")
    if not 1 <= quorum_percent <= 100:
        raise MeetingError("Tỷ lệ tối thiểu để họp phải từ 1 đến 100%.")
    guest_ids = [g for g in dict.fromkeys(guest_ids or []) if g not in (chair_id, secretary_id)]
    member_ids = [
        m for m in dict.fromkeys(member_ids)
        if m not in (chair_id, secretary_id) and m not in guest_ids
    ]
    _org_users(creator.organisation_id, [chair_id, secretary_id, *member_ids, *guest_ids])
    if chair_id == secretary_id:
        raise MeetingError("Người chủ trì và thư ký phải là hai người khác nhau.")
    meeting = Meeting(
        organisation_id=creator.organisation_id, title=title, description=description.strip(),
        starts_at=starts_at, ends_at=ends_at, location=location.strip(),
        online_url=online_url.strip(), chair_id=chair_id, secretary_id=secretary_id,
        created_by_id=creator.id, quorum_percent=quorum_percent,
        status=MeetingStatus.DRAFT.value,
    )
    meeting.participants = (
        [Participant(user_id=chair_id, role=ParticipantRole.CHAIR.value,
                     response=Response.ACCEPTED.value),
         Participant(user_id=secretary_id, role=ParticipantRole.SECRETARY.value,
                     response=Response.ACCEPTED.value)]
        + [Participant(user_id=uid, role=ParticipantRole.MEMBER.value) for uid in member_ids]
        + [Participant(user_id=uid, role=ParticipantRole.GUEST.value) for uid in guest_ids]
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(creator, "meeting_created", "meeting", meeting.id,
                 user_ids=sorted(p.user_id for p in meeting.participants))
    return meeting


def _require_manager(user: User, meeting: Meeting) -> None:
    if not can_manage(user, meeting):
        raise MeetingError("Chỉ người tạo, chủ trì hoặc thư ký được chuẩn bị cuộc họp.")
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise MeetingError("Cuộc họp đã kết thúc.")


def add_agenda_item(
    user: User, meeting: Meeting, *, title: str, duration_minutes: int = 15,
    presenter_id: int | None = None, restricted_to: list[int] | None = None,
) -> AgendaItem:
    _require_manager(user, meeting)
    title = title.strip()
    if not title or len(title) > 300:
        raise MeetingError("Tên nội dung là bắt buộc (tối đa 300 ký tự).")
    if not 1 <= duration_minutes <= 600:
        raise MeetingError("Thời lượng phải từ 1 đến 600 phút.")
    invited = {p.user_id for p in meeting.participants}
    if presenter_id is not None and presenter_id not in invited:
        raise MeetingError("Người trình bày phải là người được mời họp.")
    restricted_to = sorted(set(restricted_to or []))
    if not set(restricted_to) <= invited:
        raise MeetingError("Chỉ giới hạn quyền xem cho người được mời họp.")
    item = AgendaItem(
        meeting_id=meeting.id, position=len(meeting.items) + 1, title=title,
        duration_minutes=duration_minutes, presenter_id=presenter_id,
        restricted=bool(restricted_to),
        access=[ItemAccess(user_id=uid) for uid in restricted_to],
    )
    meeting.items.append(item)
    db.session.flush()
    return item


def attach_upload(user: User, item: AgendaItem, stream: BinaryIO, filename: str | None,
                  title: str = "") -> MeetingDocument:
    """Attach an uploaded PDF (the browser viewer shows PDF) to an agenda item."""
    _require_manager(user, item.meeting)
    stored = save_upload(user, stream, filename, allowed=frozenset({PDF}))
    return _attach(user, item, stored, title)


def attach_existing(user: User, item: AgendaItem, file_id: int, title: str = "") -> MeetingDocument:
    """Attach a file the user may already see, e.g. an issued document of the e-office."""
    _require_manager(user, item.meeting)
    stored = db.session.get(StoredFile, file_id)
    if stored is None or not can_view_file(user, stored):
        raise MeetingError("Không tìm thấy tệp hoặc bạn không có quyền dùng tệp này.")
    if stored.content_type != "application/pdf":
        raise MeetingError("Chỉ đính kèm được tệp PDF.")
    return _attach(user, item, stored, title)


def _attach(user: User, item: AgendaItem, stored: StoredFile, title: str) -> MeetingDocument:
    document = MeetingDocument(
        item=item, file_id=stored.id, title=(title.strip() or stored.original_name)[:300],
        added_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def send_invitations(user: User, meeting: Meeting, pdf: bytes | None = None) -> Meeting:
    """Mark invitations sent (with the generated giấy mời when given) and record ``invited``."""
    _require_manager(user, meeting)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.INVITED):
        raise MeetingError("Không thể gửi giấy mời ở trạng thái hiện tại.")
    if pdf is not None:
        import io

        stored = save_upload(user, io.BytesIO(pdf), f"giay-moi-hop-{meeting.id}.pdf",
                             allowed=frozenset({PDF}))
        meeting.invitation_file_id = stored.id
    meeting.status = MeetingStatus.INVITED.value
    audit.record(user, "invited", "meeting", meeting.id,
                 user_ids=sorted(p.user_id for p in meeting.participants))
    return meeting


def respond(user: User, meeting: Meeting, answer: str, *, reason: str = "",
            deputy_id: int | None = None) -> Participant:
    """Accept, decline with a reason, or delegate attendance to a deputy (ủy quyền)."""
    row = participant_row(user, meeting)
    if row is None or (row.delegated_from_id is not None and answer == "delegated"):
        raise MeetingError("Bạn không thể ủy quyền tham dự cuộc họp này.")
    if meeting.status not in (MeetingStatus.INVITED, MeetingStatus.DRAFT):
        raise MeetingError("Cuộc họp đã bắt đầu hoặc đã kết thúc; không thể phản hồi.")
    if row.role in (ParticipantRole.CHAIR, ParticipantRole.SECRETARY) and answer != "accepted":
        raise MeetingError("Chủ trì và thư ký không thể từ chối; hãy đổi người trong cuộc họp.")
    if row.response == Response.DELEGATED:
        raise MeetingError("Bạn đã ủy quyền tham dự cho người khác.")
    reason = reason.strip()[:500]
    now = utcnow()
    if answer == "accepted":
        row.response, row.response_reason = Response.ACCEPTED.value, ""
        audit.record(user, "accepted", "meeting", meeting.id)
    elif answer == "declined":
        if not reason:
            raise MeetingError("Hãy nêu lý do vắng mặt.")
        row.response, row.response_reason = Response.DECLINED.value, reason
        row.attendance, row.absence_reason = Attendance.EXCUSED.value, reason
        audit.record(user, "declined", "meeting", meeting.id, reason=reason)
    elif answer == "delegated":
        if deputy_id is None or deputy_id == user.id:
            raise MeetingError("Hãy chọn người dự thay.")
        _org_users(meeting.organisation_id, [deputy_id])
        if any(p.user_id == deputy_id for p in meeting.participants):
            raise MeetingError("Người dự thay đã có trong danh sách mời.")
        row.response, row.response_reason = Response.DELEGATED.value, reason
        meeting.participants.append(Participant(
            user_id=deputy_id, role=row.role, response=Response.ACCEPTED.value,
            delegated_from_id=user.id, responded_at=now,
        ))
        audit.record(user, "delegated", "meeting", meeting.id, user_ids=[deputy_id],
                     reason=reason)
    else:
        raise MeetingError("Phản hồi không hợp lệ.")
    row.responded_at = now
    db.session.flush()
    return row


# --------------------------------------------------------------------------- live session
Publisher = Callable[[int, Change], None]
_publisher: Publisher = lambda _meeting_id, _change: None  # noqa: E731
_locks: dict[int, threading.RLock] = {}
_locks_guard = threading.Lock()
RETRIES = 20


def set_publisher(publisher: Publisher) -> None:
    """The namespace registers how changes reach clients (kept out of the service's imports)."""
    global _publisher
    _publisher = publisher


def _meeting_lock(meeting_id: int) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(meeting_id, threading.RLock())


def _people(meeting: Meeting) -> dict[int, dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for row in meeting.participants:
        if row.response == Response.DELEGATED:
            continue
        role = row.role
        if row.user_id == meeting.chair_id:
            role = ParticipantRole.CHAIR.value
        elif row.user_id == meeting.secretary_id:
            role = ParticipantRole.SECRETARY.value
        people[row.user_id] = {
            "name": row.user.full_name, "title": row.user.title, "role": role,
            "votes": role in (ParticipantRole.CHAIR, ParticipantRole.MEMBER),
            "deputy_for": row.delegated_from.full_name if row.delegated_from else None,
        }
    return people


def _roster(meeting: Meeting) -> dict[str, Any]:
    people = _people(meeting)
    voters = sum(1 for p in people.values() if p["votes"])
    return {
        "agenda": [{"id": i.id, "title": i.title, "duration_s": i.duration_minutes * 60,
                    "presenter": i.presenter.full_name if i.presenter else None}
                   for i in meeting.items],
        "people": people,
        "documents": {d.id: {"item_id": i.id, "title": d.title, "file_id": d.file_id}
                      for i in meeting.items for d in i.documents},
        "quorum_needed": live.quorum_needed(voters, meeting.quorum_percent),
    }


def _initial_state(meeting: Meeting) -> live.State:
    roster = _roster(meeting)
    state = live.new_state(meeting.id, agenda=roster["agenda"], people=roster["people"],
                           documents=roster["documents"], quorum_percent=meeting.quorum_percent)
    for row in meeting.participants:
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
    _live_transaction(user, meeting_id, lambda m, a, s, now: live.apply(
        s, a, "roster", _roster(m), now, internal=True), require_role=False)


def _live_transaction(
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
            row = next(p for p in meeting.participants if p.user_id == data["user_id"])
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
    return _live_transaction(
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


# --------------------------------------------------------------------------- polls
def _poll_view(poll: Poll) -> dict[str, Any]:
    return {"id": poll.id, "question": poll.question, "options": list(poll.options),
            "secret": poll.secret, "state": poll.state, "item_id": poll.item_id,
            "eligible": poll.eligible_count, "voted": poll.voted_count,
            "result": poll.result}


def create_poll(user: User, meeting_id: int, *, question: str, options: list[str] | None,
                secret: bool, item_id: int | None = None) -> Change:
    question = question.strip()
    options = [o.strip() for o in (options or DEFAULT_OPTIONS) if o.strip()]
    if not question or len(question) > 500:
        raise LiveError("bad_question", "Nội dung biểu quyết là bắt buộc (tối đa 500 ký tự).")
    if not 2 <= len(options) <= 10 or len(set(options)) != len(options) or any(
        len(o) > 200 for o in options
    ):
        raise LiveError("bad_options", "Cần từ 2 đến 10 phương án khác nhau.")

    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live._organiser(actor)
        live._require(state["status"] != "closed", "bad_state", "Phiên họp đã kết thúc.")
        if item_id is not None and not any(i.id == item_id for i in meeting.items):
            raise LiveError("unknown_item", "Không có nội dung này trong chương trình họp.")
        poll = Poll(meeting_id=meeting.id, item_id=item_id, question=question,
                    options=options, secret=secret, state="draft")
        db.session.add(poll)
        db.session.flush()
        for index in range(len(options)):
            db.session.add(PollTally(poll_id=poll.id, option_index=index, count=0))
        return live.apply(state, actor, "poll_set", {"poll": _poll_view(poll)}, now,
                          internal=True)

    return _live_transaction(user, meeting_id, work)


def _meeting_poll(meeting: Meeting, poll_id: int, *, lock: bool = False) -> Poll:
    poll = db.session.get(Poll, poll_id, populate_existing=True, with_for_update=lock)
    if poll is None or poll.meeting_id != meeting.id:
        raise LiveError("unknown_poll", "Không tìm thấy phiếu biểu quyết.")
    return poll


def open_poll(user: User, meeting_id: int, poll_id: int) -> Change:
    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live._chair(actor)
        live._require(state["status"] == "open", "bad_state",
                      "Chỉ mở biểu quyết khi phiên họp đang diễn ra.")
        poll = _meeting_poll(meeting, poll_id, lock=True)
        live._require(poll.state == "draft", "bad_poll_state", "Phiếu này đã được mở trước đó.")
        poll.state = "open"
        poll.opened_at = utcnow()
        poll.eligible_count = sum(
            1 for uid, mark in state["attendance"].items()
            if mark["status"] == "present" and state["people"][uid]["votes"]
        )
        audit.record(user, "poll_opened", "meeting", meeting.id, poll_id=poll.id,
                     secret=poll.secret)
        return live.apply(state, actor, "poll_set", {"poll": _poll_view(poll)}, now,
                          internal=True)

    return _live_transaction(user, meeting_id, work)


def close_poll(user: User, meeting_id: int, poll_id: int) -> Change:
    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live._chair(actor)
        poll = _meeting_poll(meeting, poll_id, lock=True)
        live._require(poll.state == "open", "poll_closed", "Phiếu biểu quyết không đang mở.")
        closed = db.session.execute(
            update(Poll).where(Poll.id == poll.id, Poll.state == "open")
            .values(state="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        live._require(closed.rowcount == 1, "poll_closed", "Phiếu biểu quyết không đang mở.")
        db.session.refresh(poll)
        tallies = dict(db.session.execute(
            select(PollTally.option_index, PollTally.count).where(PollTally.poll_id == poll.id)
        ).all())
        poll.result = [tallies.get(i, 0) for i in range(len(poll.options))]
        audit.record(user, "poll_closed", "meeting", meeting.id, poll_id=poll.id,
                     voted=poll.voted_count, eligible=poll.eligible_count)
        return live.apply(state, actor, "poll_set", {"poll": _poll_view(poll)}, now,
                          internal=True)

    return _live_transaction(user, meeting_id, work)


@dataclass(frozen=True)
class Ballot:
    poll_id: int
    duplicate: bool
    voted: int
    eligible: int


def cast_vote(user: User, meeting_id: int, poll_id: int, choice: int) -> Ballot:
    """Record one ballot. A retried ballot returns ``duplicate=True`` and changes nothing.

    "Once each" rests on the unique (poll, user) row; "only while open" on the conditional
    increment of the poll's counter, which on PostgreSQL also waits for a concurrent close.
    For a secret poll the choice only reaches the per-option counter. This is the hottest
    write of a session (hundreds of ballots within seconds), so it is a handful of statements.
    """
    for attempt in range(RETRIES):
        try:
            row = db.session.execute(
                select(Participant).where(Participant.meeting_id == meeting_id,
                                          Participant.user_id == user.id)
            ).scalar_one_or_none()
            if row is None or row.response == Response.DELEGATED:
                raise LiveError("forbidden", "Bạn không có trong danh sách dự họp.")
            poll = db.session.get(Poll, poll_id, populate_existing=True)
            if poll is None or poll.meeting_id != meeting_id:
                raise LiveError("unknown_poll", "Không tìm thấy phiếu biểu quyết.")
            if poll.state != "open":
                if _has_voted(poll_id, user.id):
                    return Ballot(poll_id, True, poll.voted_count, poll.eligible_count)
                raise LiveError("poll_closed", "Phiếu biểu quyết không đang mở.")
            if row.role not in (ParticipantRole.CHAIR, ParticipantRole.MEMBER):
                raise LiveError("not_eligible", "Bạn không thuộc thành phần biểu quyết.")
            if row.attendance != Attendance.PRESENT or row.checked_in_at is None or (
                poll.opened_at is not None and row.checked_in_at > poll.opened_at
            ):
                raise LiveError("not_eligible",
                                "Chỉ người đã điểm danh trước khi mở phiếu được biểu quyết.")
            if not 0 <= choice < len(poll.options):
                raise LiveError("bad_choice", "Phương án không hợp lệ.")
            db.session.add(PollVoter(poll_id=poll_id, user_id=user.id,
                                     choice=None if poll.secret else choice, cast_at=utcnow()))
            db.session.flush()  # a second ballot from the same person fails here
            counted = db.session.execute(
                update(Poll).where(Poll.id == poll_id, Poll.state == "open")
                .values(voted_count=Poll.voted_count + 1)
                .returning(Poll.voted_count, Poll.eligible_count)
                .execution_options(synchronize_session=False)
            ).first()
            if counted is None:  # closed meanwhile
                db.session.rollback()
                raise LiveError("poll_closed", "Phiếu biểu quyết không đang mở.")
            db.session.execute(
                update(PollTally).where(PollTally.poll_id == poll_id,
                                        PollTally.option_index == choice)
                .values(count=PollTally.count + 1)
                .execution_options(synchronize_session=False)
            )
            audit.record(user, "voted", "meeting", meeting_id, poll_id=poll_id)
            db.session.commit()
            return Ballot(poll_id, False, counted.voted_count, counted.eligible_count)
        except IntegrityError:
            db.session.rollback()
            if _has_voted(poll_id, user.id):  # a retry of a ballot already counted
                voted, eligible = db.session.execute(
                    select(Poll.voted_count, Poll.eligible_count).where(Poll.id == poll_id)
                ).one()
                return Ballot(poll_id, True, voted, eligible)
            continue  # the audit chain raced another append (SQLite); try again
        except OperationalError:
            db.session.rollback()
            time.sleep(0.005 * (attempt + 1))
            continue
        except LiveError:
            db.session.rollback()
            raise
    raise LiveError("busy", "Hệ thống đang bận; vui lòng thử lại.")


def _has_voted(poll_id: int, user_id: int) -> bool:
    return db.session.execute(
        select(PollVoter.id).where(PollVoter.poll_id == poll_id, PollVoter.user_id == user_id)
    ).first() is not None


def poll_progress(poll_id: int) -> tuple[int, int] | None:
    row = db.session.execute(
        select(Poll.voted_count, Poll.eligible_count, Poll.state).where(Poll.id == poll_id)
    ).first()
    if row is None or row.state != "open":
        return None
    return row.voted_count, row.eligible_count


# --------------------------------------------------------------------------- follow-ups
def add_action_item(user: User, meeting_id: int, *, title: str, assignee_id: int,
                    deadline: datetime, item_id: int | None = None) -> Change:
    """A follow-up: an eoffice task for the assignee (their "my work"), recorded in the session."""
    from eoffice.tasks.service import TaskError, assign_task

    title = title.strip()
    if not title or len(title) > 500:
        raise LiveError("bad_title", "Nội dung công việc là bắt buộc (tối đa 500 ký tự).")
    if deadline.tzinfo is None:
        raise LiveError("bad_deadline", "Thời hạn không hợp lệ.")

    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live._organiser(actor)
        if item_id is not None and not any(i.id == item_id for i in meeting.items):
            raise LiveError("unknown_item", "Không có nội dung này trong chương trình họp.")
        try:
            task = assign_task(
                user, title=title, description=f"Theo kết luận cuộc họp: {meeting.title}",
                assignee_ids=[assignee_id], deadline=deadline, source_kind="meeting",
                source_id=meeting.id,
            )
        except TaskError as error:
            raise LiveError("bad_action", str(error)) from None
        action = ActionItem(meeting_id=meeting.id, item_id=item_id, title=title,
                            assignee_id=assignee_id, deadline=deadline, task_id=task.id,
                            created_by_id=user.id)
        db.session.add(action)
        db.session.flush()
        assignee = db.session.get(User, assignee_id)
        return live.apply(state, actor, "action_added", {"action": {
            "id": action.id, "title": title, "assignee_id": assignee_id,
            "assignee": assignee.full_name if assignee else "", "item_id": item_id,
            "deadline": deadline.isoformat(), "task_id": task.id,
        }}, now, internal=True)

    return _live_transaction(user, meeting_id, work)


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


def vote_records(meeting: Meeting) -> list[tuple[Poll, list[PollVoter]]]:
    polls = db.session.execute(
        select(Poll).where(Poll.meeting_id == meeting.id).order_by(Poll.id)
    ).scalars().all()
    return [(poll, list(db.session.execute(
        select(PollVoter).where(PollVoter.poll_id == poll.id).order_by(PollVoter.id)
    ).scalars())) for poll in polls]


def speeches(meeting: Meeting) -> list[Speech]:
    return list(db.session.execute(
        select(Speech).where(Speech.meeting_id == meeting.id).order_by(Speech.started_at)
    ).scalars())


def action_items(meeting: Meeting) -> list[ActionItem]:
    return list(db.session.execute(
        select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
    ).scalars())


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    rows = db.session.execute(
        select(Participant.attendance, func.count()).where(
            Participant.meeting_id == meeting.id, Participant.response != Response.DELEGATED
        ).group_by(Participant.attendance)
    ).all()
    return {"present": 0, "absent": 0, "excused": 0, **dict(rows)}


# --------------------------------------------------------------------------- reminders
REMIND_BEFORE_HOURS = 24


def due_reminders(now: datetime | None = None) -> list[tuple[Meeting, list[int]]]:
    """Invitees of meetings starting within a day who were not reminded yet; marks them.

    Idempotent: ``reminded_at`` is set in the same transaction as the ``reminded`` event, so a
    second sweep finds nobody. Those who declined or sent a deputy are not reminded.
    """
    from datetime import timedelta

    now = now or utcnow()
    meetings = db.session.execute(
        select(Meeting).where(
            Meeting.status == MeetingStatus.INVITED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(hours=REMIND_BEFORE_HOURS),
        ).order_by(Meeting.starts_at)
    ).scalars().all()
    due: list[tuple[Meeting, list[int]]] = []
    for meeting in meetings:
        people = [p for p in meeting.participants if p.reminded_at is None
                  and p.response in (Response.PENDING, Response.ACCEPTED)]
        if not people:
            continue
        for person in people:
            person.reminded_at = now
        user_ids = sorted(p.user_id for p in people)
        audit.record(None, "reminded", "meeting", meeting.id, user_ids=user_ids)
        due.append((meeting, user_ids))
    return due
