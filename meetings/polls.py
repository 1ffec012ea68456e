"""Votes in the session: a poll is prepared, opened by the chair, voted on once each, closed.

Preparing, opening and closing a poll are session commands (``live_session.live_transaction``);
a ballot is not: it is the hottest write of a session and goes straight to its rows, with
per-option counters so that a secret poll never stores who chose what.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.timestamps import utcnow
from meetings import live
from meetings.live import Actor, Change, LiveError
from meetings.live_session import RETRIES, live_transaction
from meetings.models import (
    Attendance,
    Meeting,
    Participant,
    ParticipantRole,
    Poll,
    PollTally,
    PollVoter,
    Response,
)

DEFAULT_OPTIONS = ["Đồng ý", "Không đồng ý", "Ý kiến khác"]
#: What the approving votes are counted against.
MAJORITY_BASES = {"present": "thành viên có mặt", "members": "tổng số thành viên",
                  "cast": "số phiếu biểu quyết"}
#: How many of them must approve: (label, numerator, denominator, strictly more).
THRESHOLDS = {"half": ("quá 1/2", 1, 2, True), "two_thirds": ("từ 2/3 trở lên", 2, 3, False),
              "three_quarters": ("từ 3/4 trở lên", 3, 4, False)}


def verdict(result: list[int] | None, base: str, threshold: str, *, eligible: int, voted: int,
            members: int) -> dict[str, Any] | None:
    """Passed or not: the first option's votes (Đồng ý) against the base chosen at creation.

    ``eligible``: voting members present when the poll opened; ``members``: all voting
    members; ``voted``: ballots cast. None until the poll has a result.
    """
    if result is None:
        return None
    approving = result[0] if result else 0
    count = {"present": eligible, "members": members, "cast": voted}.get(base, eligible)
    label, numerator, denominator, strict = THRESHOLDS.get(threshold, THRESHOLDS["half"])
    needed = approving * denominator
    passed = count > 0 and (needed > numerator * count if strict else
                            needed >= numerator * count)
    base_label = MAJORITY_BASES.get(base, MAJORITY_BASES["present"])
    return {"passed": passed, "approving": approving, "base_count": count,
            "text": (f"{'Thông qua' if passed else 'Không thông qua'}: {approving}/{count} "
                     f"{base_label} tán thành (cần {label})")}


def _voting_members(state: live.State) -> int:
    return sum(1 for person in state["people"].values() if person["votes"])


def _poll_view(poll: Poll, state: live.State | None = None) -> dict[str, Any]:
    members = _voting_members(state) if state else poll.eligible_count
    return {"id": poll.id, "question": poll.question, "options": list(poll.options),
            "secret": poll.secret, "state": poll.state, "item_id": poll.item_id,
            "eligible": poll.eligible_count, "voted": poll.voted_count,
            "result": poll.result, "majority_base": poll.majority_base,
            "threshold": poll.threshold,
            "rule": f"{THRESHOLDS.get(poll.threshold, THRESHOLDS['half'])[0]} "
                    f"{MAJORITY_BASES.get(poll.majority_base, '')}",
            "verdict": verdict(poll.result, poll.majority_base, poll.threshold,
                               eligible=poll.eligible_count, voted=poll.voted_count,
                               members=members)}


def create_poll(user: User, meeting_id: int, *, question: str, options: list[str] | None,
                secret: bool, item_id: int | None = None, majority_base: str = "present",
                threshold: str = "half") -> Change:
    question = question.strip()
    if majority_base not in MAJORITY_BASES or threshold not in THRESHOLDS:
        raise LiveError("bad_rule", "Cách tính kết quả biểu quyết không hợp lệ.")
    options = [o.strip() for o in (options or DEFAULT_OPTIONS) if o.strip()]
    if not question or len(question) > 500:
        raise LiveError("bad_question", "Nội dung biểu quyết là bắt buộc (tối đa 500 ký tự).")
    if not 2 <= len(options) <= 10 or len(set(options)) != len(options) or any(
        len(o) > 200 for o in options
    ):
        raise LiveError("bad_options", "Cần từ 2 đến 10 phương án khác nhau.")

    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live.require_organiser(actor)
        live.require(state["status"] != "closed", "bad_state", "Phiên họp đã kết thúc.")
        if item_id is not None and not any(i.id == item_id for i in meeting.items):
            raise LiveError("unknown_item", "Không có nội dung này trong chương trình họp.")
        poll = Poll(meeting_id=meeting.id, item_id=item_id, question=question,
                    options=options, secret=secret, state="draft",
                    majority_base=majority_base, threshold=threshold)
        db.session.add(poll)
        db.session.flush()
        for index in range(len(options)):
            db.session.add(PollTally(poll_id=poll.id, option_index=index, count=0))
        return live.apply(state, actor, "poll_set", {"poll": _poll_view(poll, state)}, now,
                          internal=True)

    return live_transaction(user, meeting_id, work)


def _meeting_poll(meeting: Meeting, poll_id: int, *, lock: bool = False) -> Poll:
    poll = db.session.get(Poll, poll_id, populate_existing=True, with_for_update=lock)
    if poll is None or poll.meeting_id != meeting.id:
        raise LiveError("unknown_poll", "Không tìm thấy phiếu biểu quyết.")
    return poll


def open_poll(user: User, meeting_id: int, poll_id: int) -> Change:
    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live.require_chair(actor)
        live.require(state["status"] == "open", "bad_state",
                      "Chỉ mở biểu quyết khi phiên họp đang diễn ra.")
        poll = _meeting_poll(meeting, poll_id, lock=True)
        live.require(poll.state == "draft", "bad_poll_state", "Phiếu này đã được mở trước đó.")
        poll.state = "open"
        poll.opened_at = utcnow()
        poll.eligible_count = sum(
            1 for uid, mark in state["attendance"].items()
            if mark["status"] == "present" and state["people"][uid]["votes"]
        )
        audit.record(user, "poll_opened", "meeting", meeting.id, poll_id=poll.id,
                     secret=poll.secret)
        return live.apply(state, actor, "poll_set", {"poll": _poll_view(poll, state)}, now,
                          internal=True)

    return live_transaction(user, meeting_id, work)


def close_poll(user: User, meeting_id: int, poll_id: int) -> Change:
    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live.require_chair(actor)
        poll = _meeting_poll(meeting, poll_id, lock=True)
        live.require(poll.state == "open", "poll_closed", "Phiếu biểu quyết không đang mở.")
        closed = db.session.execute(
            update(Poll).where(Poll.id == poll.id, Poll.state == "open")
            .values(state="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        live.require(closed.rowcount == 1, "poll_closed", "Phiếu biểu quyết không đang mở.")
        db.session.refresh(poll)
        tallies = dict(db.session.execute(
            select(PollTally.option_index, PollTally.count).where(PollTally.poll_id == poll.id)
        ).all())
        poll.result = [tallies.get(i, 0) for i in range(len(poll.options))]
        view = _poll_view(poll, state)
        audit.record(user, "poll_closed", "meeting", meeting.id, poll_id=poll.id,
                     voted=poll.voted_count, eligible=poll.eligible_count,
                     passed=view["verdict"]["passed"] if view["verdict"] else None)
        return live.apply(state, actor, "poll_set", {"poll": view}, now, internal=True)

    return live_transaction(user, meeting_id, work)


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
