"""What the secretary records in the session: conclusions, and action items that become tasks.

Through the Socket.IO path a browser uses; what is checked is the record (rows, the task in
the assignee's work, the audit events, the change everybody receives), never how long it took
(``bench/meeting_writes.py`` measures that).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.tasks.models import Task, TaskAssignee
from eoffice.tasks.service import tasks_for
from meetings import service
from meetings.models import ActionItem, AgendaItem, Meeting
from tests.meetings.conftest import Person, Prepared

DEADLINE = "2030-02-01T17:00:00+07:00"


def open_session(prepared: Prepared, person: Callable[[str], Person]) -> tuple[Person, ...]:
    chair, secretary, member = person("chutich"), person("thuky"), person("truongphong")
    for p in (chair, secretary, member):
        p.join(prepared.meeting_id)
    assert chair.emit("open")["ok"]
    return chair, secretary, member


def test_a_conclusion_and_an_action_item_are_recorded_and_the_task_exists(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    _chair, secretary, member = open_session(prepared, person)
    item_id, assignee_id = prepared.item_ids[0], prepared.users["truongphong"]
    member.received()  # what came before
    with mapp.app_context():
        before = db.session.execute(select(func.max(Event.id))).scalar()

    concluded = secretary.emit("conclude", {"item_id": item_id,
                                            "text": "  Thống nhất thông qua báo cáo.  "})
    assert concluded["ok"], concluded
    added = secretary.emit("add_action", {"title": "Hoàn thiện báo cáo gửi Sở Tài chính",
                                          "assignee_id": assignee_id, "deadline": DEADLINE,
                                          "item_id": item_id})
    assert added["ok"], added
    assert added["version"] == concluded["version"] + 1

    # Everyone in the room received both, in order.
    changes = member.received("change")
    assert [c["version"] for c in changes] == [concluded["version"], added["version"]]
    assert changes[0]["patch"] == {f"conclusions.{item_id}": "Thống nhất thông qua báo cáo."}
    [action] = changes[1]["patch"]["actions"]

    with mapp.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert item.conclusion == "Thống nhất thông qua báo cáo."
        assert item.conclusion_at is not None
        row = db.session.execute(
            select(ActionItem).where(ActionItem.meeting_id == prepared.meeting_id)
        ).scalar_one()
        assert (row.title, row.assignee_id, row.item_id, row.created_by_id) == (
            "Hoàn thiện báo cáo gửi Sở Tài chính", assignee_id, item_id,
            prepared.users["thuky"])
        assert row.deadline == datetime(2030, 2, 1, 10, tzinfo=UTC)
        assert action == {
            "id": row.id, "title": row.title, "assignee_id": assignee_id,
            "assignee": db.session.get(User, assignee_id).full_name, "item_id": item_id,
            "deadline": "2030-02-01T17:00:00+07:00", "task_id": row.task_id,
        }
        # The action item is a task in the assignee's work, assigned by the secretary.
        task = db.session.get(Task, row.task_id)
        assert task is not None
        assert (task.title, task.state, task.source_kind, task.source_id,
                task.assigner_id) == (row.title, "assigned", "meeting", prepared.meeting_id,
                                      prepared.users["thuky"])
        assert task.deadline == row.deadline
        assert [a.user_id for a in task.assignees] == [assignee_id]
        assert task.id in [t.id for t in tasks_for(db.session.get(User, assignee_id))]
        # And the trail says who did what.
        events = {e.action: e for e in db.session.execute(
            select(Event).where(Event.action.in_(("conclusion_recorded", "task_assigned")),
                                Event.id > before)
        ).scalars()}
        assert events["conclusion_recorded"].object_id == str(prepared.meeting_id)
        assert events["conclusion_recorded"].details == {"item_id": item_id}
        assert events["conclusion_recorded"].actor_id == prepared.users["thuky"]
        assert events["task_assigned"].object_id == str(task.id)
        assert events["task_assigned"].details["user_ids"] == [assignee_id]
        assert events["task_assigned"].details["source_kind"] == "meeting"

    # A member who joins now sees both in the snapshot.
    late = person("phochutich").join(prepared.meeting_id)
    assert late["conclusions"] == {str(item_id): "Thống nhất thông qua báo cáo."}
    assert late["actions"] == [action]


def test_only_organisers_record_and_a_refused_action_item_leaves_nothing(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    _chair, secretary, member = open_session(prepared, person)
    item_id = prepared.item_ids[0]

    def counts() -> tuple[int, ...]:
        with mapp.app_context():
            return tuple(db.session.execute(select(func.count()).select_from(model)).scalar()
                         for model in (ActionItem, Task, TaskAssignee, Event))

    before = counts()
    assert member.emit("conclude", {"item_id": item_id, "text": "Tự kết luận"})["error"] == (
        "forbidden")
    assert member.emit("add_action", {"title": "Tự giao việc", "deadline": DEADLINE,
                                      "assignee_id": prepared.users["truongphong"]})[
        "error"] == "forbidden"
    # Nobody of this office: refused by the tasks' own rule, after the task was begun.
    refused = secretary.emit("add_action", {"title": "Giao cho người lạ", "deadline": DEADLINE,
                                            "assignee_id": 999_999})
    assert refused["error"] == "bad_action", refused
    assert secretary.emit("conclude", {"item_id": 999_999, "text": "Lạc đề"})["error"] == (
        "unknown_item")
    assert counts() == before
    with mapp.app_context():
        assert all(not i.conclusion for i in db.session.get(
            Meeting, prepared.meeting_id).items)
    state = secretary.emit("snapshot")["snapshot"]
    assert state["conclusions"] == {} and state["actions"] == []


def test_the_session_names_everyone_as_the_invitations_stand(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    """The roster the session is built from: names and titles, roles, who votes, who stands
    in for whom, the agenda with its presenters and durations, and the papers."""
    with mapp.app_context():
        member = db.session.get(User, prepared.users["chuyenvien"])
        meeting = db.session.get(Meeting, prepared.meeting_id)
        service.respond(member, meeting, "delegated", deputy_id=prepared.users["chanhvanphong"],
                        reason="Đi công tác")
        third = service.add_agenda_item(db.session.get(User, prepared.users["thuky"]), meeting,
                                        title="Ý kiến các thành viên", duration_minutes=5,
                                        presenter_id=prepared.users["phochutich"]).id
        db.session.commit()
        names = {uid: (db.session.get(User, uid).full_name, db.session.get(User, uid).title)
                 for uid in prepared.users.values()}
    state = person("thuky").join(prepared.meeting_id)
    expected_roles = {"chutich": "chair", "thuky": "secretary", "phochutich": "member",
                      "truongphong": "member", "chanhvanphong": "member", "vanthu": "guest"}
    assert state["people"] == {
        str(prepared.users[name]): {
            "name": names[prepared.users[name]][0],
            "title": names[prepared.users[name]][1],
            "role": role, "votes": role in ("chair", "member"),
            "deputy_for": names[prepared.users["chuyenvien"]][0] if name == "chanhvanphong"
            else None,
        } for name, role in expected_roles.items()
    }
    assert any(p["title"] for p in state["people"].values())  # the demo users have titles
    assert set(state["attendance"]) == set(state["people"])
    assert state["quorum_needed"] == 2  # half of the four voters
    assert [(i["id"], i["title"], i["duration_s"], i["presenter"]) for i in state["agenda"]] == [
        (prepared.item_ids[0], "Tình hình kinh tế - xã hội", 1200, None),
        (prepared.item_ids[1], "Kế hoạch tháng 12", 600, None),
        (third, "Ý kiến các thành viên", 300, names[prepared.users["phochutich"]][0])]
    assert list(state["documents"]) == [str(prepared.document_id)]
    assert state["documents"][str(prepared.document_id)]["item_id"] == prepared.item_ids[0]
    assert state["documents"][str(prepared.document_id)]["title"] == "Báo cáo tình hình"
