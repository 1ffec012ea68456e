"""Tasks: assign, accept, report, extend, complete, review, rate, remind — each step recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.tasks import service
from eoffice.tasks.models import Task
from eoffice.timestamps import utcnow


def user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def task_events(task: Task) -> list[tuple[str, dict]]:
    rows = db.session.execute(
        select(Event).where(Event.object_kind == "task", Event.object_id == str(task.id))
        .order_by(Event.id)
    ).scalars()
    return [(row.action, row.details) for row in rows]


def test_full_task_lifecycle_records_every_step(app: Flask, demo: None) -> None:
    with app.app_context():
        boss, worker = user("truongphong"), user("chuyenvien")
        deadline = utcnow() + timedelta(days=3)
        task = service.assign_task(
            boss, title="Tổng hợp báo cáo quý", assignee_ids=[worker.id], deadline=deadline,
            priority="high", source_kind="document", source_id=42,
        )
        service.accept_task(worker, task)
        service.report_progress(worker, task, percent=40, note="Đã thu thập số liệu")
        ext = service.request_extension(worker, task, new_deadline=deadline + timedelta(days=2),
                                        reason="Chờ số liệu của huyện")
        service.decide_extension(boss, ext, grant=True)
        assert task.deadline == deadline + timedelta(days=2)
        service.complete_task(worker, task, result="Đã gửi báo cáo")
        service.return_task(boss, task, note="Bổ sung số liệu tháng 9")
        assert task.state == "returned"
        service.complete_task(worker, task, result="Đã bổ sung")
        service.approve_task(boss, task, rating=4)
        db.session.commit()

        actions = [action for action, _ in task_events(task)]
        assert actions == [
            "task_assigned", "task_accepted", "task_progress", "extension_requested",
            "extension_granted", "task_completed", "task_returned", "task_completed",
            "task_approved", "task_rated",
        ]
        assigned = task_events(task)[0][1]
        assert assigned["user_ids"] == [worker.id]
        assert assigned["source_kind"] == "document" and assigned["source_id"] == 42
        assert assigned["deadline"] == deadline.isoformat()
        assert task_events(task)[-1][1]["rating"] == 4
        assert task.state == "done" and task.rating == 4 and task.percent == 100


def test_refusals_are_explained_in_vietnamese(app: Flask, demo: None) -> None:
    with app.app_context():
        boss, worker, other = user("truongphong"), user("chuyenvien"), user("vanthu")
        with pytest.raises(service.TaskError, match="không có quyền giao việc"):
            service.assign_task(worker, title="x", assignee_ids=[other.id],
                                deadline=utcnow() + timedelta(days=1))
        task = service.assign_task(boss, title="Việc A", assignee_ids=[worker.id],
                                   deadline=utcnow() + timedelta(days=1))
        with pytest.raises(service.TaskError, match="không phải người được giao"):
            service.accept_task(other, task)
        with pytest.raises(service.TaskError, match="trạng thái “Mới giao”"):
            service.approve_task(boss, task)
        with pytest.raises(service.TaskError, match="từ 0 đến 100"):
            service.report_progress(worker, task, percent=120)
        with pytest.raises(service.TaskError, match="Chỉ người giao việc"):
            service.rate_task(worker, task, rating=5)


def test_unit_assignment_reaches_the_unit_head_and_members(app: Flask, demo: None) -> None:
    with app.app_context():
        leader, head, member = user("chutich"), user("truongphong"), user("chuyenvien")
        unit_id = head.memberships[0].unit_id
        task = service.assign_task(leader, title="Rà soát hồ sơ", assignee_ids=[],
                                   unit_ids=[unit_id], deadline=utcnow() + timedelta(days=5))
        assert service.is_assignee(member, task) and service.is_assignee(head, task)
        details = task_events(task)[0][1]
        assert details["unit_ids"] == [unit_id] and details["user_ids"] == [head.id]
        assert task in service.tasks_for(member)


def test_reminders_are_sent_once_before_and_once_after_the_deadline(
    app: Flask, demo: None
) -> None:
    with app.app_context():
        boss, worker = user("truongphong"), user("chuyenvien")
        task = service.assign_task(boss, title="Việc B", assignee_ids=[worker.id],
                                   deadline=utcnow() + timedelta(hours=30))
        db.session.commit()
        now = utcnow()
        assert service.remind_due(now) == {"task_reminded": 0, "task_overdue": 0}
        assert service.remind_due(now + timedelta(hours=7)) == {"task_reminded": 1,
                                                                "task_overdue": 0}
        assert service.remind_due(now + timedelta(hours=8)) == {"task_reminded": 0,
                                                                "task_overdue": 0}
        assert service.remind_due(now + timedelta(hours=31)) == {"task_reminded": 0,
                                                                 "task_overdue": 1}
        assert service.remind_due(now + timedelta(hours=40)) == {"task_reminded": 0,
                                                                 "task_overdue": 0}
        db.session.commit()
        actions = [a for a, _ in task_events(task)]
        assert actions.count("task_reminded") == 1 and actions.count("task_overdue") == 1
        # An extension re-arms the reminders for the new deadline.
        ext = service.request_extension(worker, task, new_deadline=task.deadline + timedelta(
            days=2), reason="Lý do")
        service.decide_extension(boss, ext, grant=True)
        assert service.remind_due(task.deadline + timedelta(minutes=1))["task_overdue"] == 1


def test_pages_assign_and_complete_a_task(
    client: FlaskClient, login_as: Callable[[str], str], app: Flask
) -> None:
    token = login_as("truongphong")
    with app.app_context():
        worker_id = user("chuyenvien").id
    response = client.post("/tasks/new", data={
        "csrf_token": token, "title": "Soạn tờ trình", "assignee_ids": [str(worker_id)],
        "working_days": "3", "priority": "urgent",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    task_url = response.headers["Location"]
    assert "Soạn tờ trình" in client.get(task_url).get_data(as_text=True)

    client.post("/logout", data={"csrf_token": token})
    token = login_as("chuyenvien")
    work = client.get("/my-work").get_data(as_text=True)
    assert "Soạn tờ trình" in work and "Khẩn" in work
    client.post(task_url + "/accept", data={"csrf_token": token})
    client.post(task_url + "/progress", data={"csrf_token": token, "percent": "50",
                                              "note": "Đang soạn"})
    client.post(task_url + "/complete", data={"csrf_token": token, "result": "Đã soạn xong"})
    page = client.get(task_url).get_data(as_text=True)
    assert "Chờ duyệt kết quả" in page and "Đang soạn" in page

    # Someone with no link to the task gets a 404, not a 403.
    client.post("/logout", data={"csrf_token": token})
    login_as("vanthu")
    assert client.get(task_url).status_code == 404


def test_json_api_follows_the_same_rules(
    client: FlaskClient, login_as: Callable[[str], str], app: Flask
) -> None:
    token = login_as("truongphong")
    with app.app_context():
        worker_id = user("chuyenvien").id
    headers = {"X-CSRFToken": token}
    created = client.post("/api/v1/tasks", headers=headers, json={
        "title": "Rà soát danh mục", "assignee_ids": [worker_id],
        "deadline": (utcnow() + timedelta(days=2)).isoformat()})
    assert created.status_code == 201, created.get_json()
    task_id = created.get_json()["id"]
    refused = client.post(f"/api/v1/tasks/{task_id}/actions/review", headers=headers,
                          json={"decision": "approve"})
    assert refused.status_code == 409 and "trạng thái" in refused.get_json()["message"]
    assert refused.get_json()["error"] == 409
    client.post("/logout", data={"csrf_token": token})
    token = login_as("chuyenvien")
    done = client.post(f"/api/v1/tasks/{task_id}/actions/complete",
                       headers={"X-CSRFToken": token}, json={"result": "Xong"})
    assert done.status_code == 200 and done.get_json()["state"] == "submitted"
    assert done.get_json()["message"] == "Đã báo cáo hoàn thành; chờ người giao việc duyệt."
    mine = client.get("/api/v1/tasks").get_json()
    assert [t["id"] for t in mine["assigned_to_me"]] == [task_id]
