"""A known month of work, recorded as audit events at chosen times (the events are the contract).

Kept apart from the tests so the browser test can seed the same scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.reports.calendar import add_working_days, seed_holidays
from eoffice.tasks import service as tasks
from eoffice.timestamps import VIETNAM


class Clock:
    """The time ``audit.record`` and the task service see; set in Vietnam local time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, tzinfo=VIETNAM)

    def set(self, text: str) -> datetime:
        self.now = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VIETNAM)
        return self.now

    def __call__(self) -> datetime:
        return self.now


def use_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("eoffice.audit.service.utcnow", clock)
    monkeypatch.setattr("eoffice.tasks.service.utcnow", clock)
    return clock


def user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


@dataclass
class Scenario:
    d1_deadline: datetime
    d2_id: int = 102


def seed_may_2026(clock: Clock) -> Scenario:
    """Documents across the Giỗ Tổ and 30/4–1/5 holidays, signatures, meetings and tasks."""
    seed_holidays()  # the migration seeds them, but tests wipe every table between runs
    clerk, head, staff = user("vanthu"), user("truongphong"), user("chuyenvien")
    chair = user("chutich")

    def doc(action: str, when: str, actor: User | None, doc_id: int, **details: object) -> None:
        clock.set(when)
        details.setdefault("direction", "incoming")
        audit.record(actor, action, "document", doc_id, **details)

    # Friday 24/4: two documents for the specialist, due in 3 working days. Sat 25, Sun 26
    # (Giỗ Tổ), Mon 27 (nghỉ bù), Thu 30/4, Fri 1/5 and the weekend are skipped: due Mon 4/5.
    friday = clock.set("2026-04-24 09:00")
    deadline = add_working_days(friday, 3)
    for doc_id in (101, 102):
        doc("assigned", "2026-04-24 09:00", head, doc_id, user_ids=[staff.id],
            deadline=deadline.isoformat())
    doc("opened", "2026-04-24 11:00", staff, 101, first=True)
    doc("opened", "2026-04-25 08:00", staff, 101, first=False)
    doc("completed", "2026-05-04 16:00", staff, 101)  # on time, 247 h
    doc("completed", "2026-05-05 10:00", staff, 102)  # late by 1 working day, 265 h
    # Monday 4/5: one for the unit head, done the same morning (4 h), opened after 1 h.
    doc("assigned", "2026-05-04 08:00", clerk, 103, user_ids=[head.id],
        deadline=add_working_days(clock.set("2026-05-04 08:00"), 2).isoformat())
    doc("opened", "2026-05-04 09:00", head, 103, first=True)
    doc("completed", "2026-05-04 12:00", head, 103)
    # 6/5: one never finished, due 7/5: overdue and open at the end of May.
    doc("assigned", "2026-05-06 08:00", head, 104, user_ids=[staff.id],
        deadline=add_working_days(clock.set("2026-05-06 08:00"), 1).isoformat())
    # A draft returned to the specialist; two documents signed by the chairman.
    doc("draft_returned", "2026-05-04 10:00", head, 105, direction="outgoing",
        user_ids=[staff.id])
    doc("submitted_for_signature", "2026-05-05 08:00", head, 105, user_ids=[chair.id])
    doc("signed", "2026-05-05 10:30", chair, 105)  # 2.5 h
    doc("submitted_for_signature", "2026-05-06 08:00", head, 106, user_ids=[chair.id])
    doc("signed", "2026-05-06 09:00", chair, 106)  # 1 h

    # Meetings: the specialist attends one and misses another; the head is excused.
    clock.set("2026-05-02 09:00")
    audit.record(chair, "invited", "meeting", 7, user_ids=[staff.id, head.id])
    audit.record(chair, "invited", "meeting", 8, user_ids=[staff.id])
    clock.set("2026-05-06 10:00")
    audit.record(head, "declined", "meeting", 7, reason="Đi công tác")
    clock.set("2026-05-07 08:00")
    audit.record(staff, "checked_in", "meeting", 7)
    clock.set("2026-05-08 11:00")
    audit.record(chair, "closed", "meeting", 8)

    # Tasks: one on time and rated 4; one meeting action item, extension asked, done late.
    clock.set("2026-05-04 09:00")
    t1 = tasks.assign_task(head, title="Báo cáo tháng", assignee_ids=[staff.id],
                           deadline=add_working_days(clock.now, 2))
    t2 = tasks.assign_task(head, title="Kết luận họp: rà soát", assignee_ids=[staff.id],
                           deadline=datetime(2026, 5, 5, 17, tzinfo=VIETNAM), source_kind="meeting",
                           source_id=7)
    clock.set("2026-05-05 08:00")
    tasks.request_extension(staff, t2, new_deadline=clock.now + timedelta(days=10),
                            reason="Chờ ý kiến các phòng")
    clock.set("2026-05-06 15:00")
    tasks.complete_task(staff, t1, result="Đã gửi")
    clock.set("2026-05-07 09:00")
    tasks.approve_task(head, t1, rating=4)
    clock.set("2026-05-08 09:00")
    tasks.complete_task(staff, t2, result="Đã rà soát")
    db.session.commit()
    return Scenario(d1_deadline=deadline)
