"""What a meeting leaves behind: action items that become tasks, and the session's record.

An action item is an eoffice task for its assignee (their "my work"), created during the
session. The record (attendance, speeches, ballots, action items) is read here for the minutes
(``meetings.minutes``), which are built only from it; conclusions are written by the session
itself (``live_session``), as an effect of the chair's command.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.tasks.service import TaskError, assign_task
from meetings import live
from meetings.live import Actor, Change, LiveError
from meetings.live_session import live_transaction
from meetings.models import (
    ActionItem,
    Meeting,
    Participant,
    Poll,
    PollVoter,
    Response,
    Speech,
)


def add_action_item(user: User, meeting_id: int, *, title: str, assignee_id: int,
                    deadline: datetime, item_id: int | None = None) -> Change:
    """A follow-up: an eoffice task for the assignee (their "my work"), recorded in the session."""
    title = title.strip()
    if not title or len(title) > 500:
        raise LiveError("bad_title", "Nội dung công việc là bắt buộc (tối đa 500 ký tự).")
    if deadline.tzinfo is None:
        raise LiveError("bad_deadline", "Thời hạn không hợp lệ.")

    def work(meeting: Meeting, actor: Actor, state: live.State, now: float) -> Change:
        live.require_organiser(actor)
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

    return live_transaction(user, meeting_id, work)


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
