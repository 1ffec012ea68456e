"""Acts on a task declared once: every page act is in the API with the same inputs, refusals
come from the one tree of errors, and two people acting at once cannot both succeed."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import get_args

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from eoffice.actions.declaration import registry
from eoffice.audit.models import Event
from eoffice.errors import Conflict, Forbidden, InvalidInput, NotFound
from eoffice.extensions import db
from eoffice.tasks import actions, errors, forms, service
from eoffice.tasks.models import Task, TaskExtension, TaskFile
from eoffice.timestamps import VIETNAM, utcnow
from tests.conftest import login
from tests.tasks.test_tasks import user


def _png(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _task(app: Flask, state: str = "assigned") -> int:
    """A task from truongphong to chuyenvien, brought to ``state`` through the service."""
    with app.app_context():
        boss, worker = user("truongphong"), user("chuyenvien")
        task = service.assign_task(boss, title="Tổng hợp báo cáo tháng",
                                   assignee_ids=[worker.id],
                                   deadline=utcnow() + timedelta(days=3))
        if state in ("in_progress", "submitted", "done"):
            service.accept_task(worker, task)
        if state in ("submitted", "done"):
            service.complete_task(worker, task, result="Đã gửi báo cáo")
        if state == "done":
            service.approve_task(boss, task)
        db.session.commit()
        task_id = task.id
        db.session.remove()
    return task_id


def _events(task_id: int, action: str) -> int:
    return db.session.execute(select(func.count(Event.id)).where(
        Event.object_kind == "task", Event.object_id == str(task_id),
        Event.action == action)).scalar_one()


# ----------------------------------------------------------------------- one declaration
def test_every_page_action_on_tasks_is_in_the_api(app: Flask, client: FlaskClient) -> None:
    """A page never offers an act the API lacks: each POST page route on a task is a declared
    action whose JSON route is documented with the same input fields."""
    spec = client.get("/api/v1/openapi.json").get_json()
    declared = registry("tasks")
    page_posts = {rule.endpoint.split(".", 1)[1] for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("tasks.") and "POST" in (rule.methods or ())
                  and rule.rule.startswith("/tasks/<int:task_id>/")}
    assert page_posts == {a.page_endpoint for a in declared if a.page_rule} == {
        "accept", "progress", "extension", "decide", "complete", "review", "rate"}
    schemas = spec["components"]["schemas"]
    for action in declared:
        operation = spec["paths"][f"/api/v1/tasks/{{task_id}}/actions/{action.name}"]["post"]
        assert operation["tags"] == ["tasks"] and operation["summary"] == action.summary
        content = operation["requestBody"]["content"]
        schema_name = next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(schemas[schema_name].get("properties", {})) == set(action.input.model_fields)
        assert set(action.path_fields) <= set(action.input.model_fields)
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/Task"}
        assert {"400", "403", "404", "409"} <= set(operation["responses"])
    # Attachments go as multipart; the other acts take JSON too.
    progress = spec["paths"]["/api/v1/tasks/{task_id}/actions/progress"]["post"]
    assert "multipart/form-data" in progress["requestBody"]["content"]
    files = schemas["ProgressReport"]["properties"]["files"]
    assert files["items"] == {"type": "string", "format": "binary"}
    # The old generic route is gone: every POST on a task is a declared action.
    posts = {path for path, operations in spec["paths"].items()
             if path.startswith("/api/v1/tasks/{task_id}") and "post" in operations}
    assert posts == {f"/api/v1/tasks/{{task_id}}/actions/{a.name}" for a in declared}
    # Creating a task: the page form's fields, as a typed body.
    create = spec["paths"]["/api/v1/tasks"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewTask"}
    assert set(schemas["NewTask"]["properties"]) == set(actions.NewTask.model_fields) == {
        name for name in forms.AssignForm.__dict__ if not name.startswith("_")
        and hasattr(getattr(forms.AssignForm, name), "field_class")}
    assert schemas["NewTask"]["properties"]["priority"]["enum"] == list(service.PRIORITIES)
    assert set(get_args(actions.Priority)) == set(service.PRIORITIES)


def test_the_page_forms_post_the_declared_inputs() -> None:
    """What each page form sends is a field of the action it posts to (the path gives the
    rest)."""
    by_endpoint = {a.page_endpoint: a for a in registry("tasks")}
    for endpoint, form in [("progress", forms.ProgressForm), ("complete", forms.CompleteForm),
                           ("extension", forms.ExtensionForm), ("review", forms.ReviewForm)]:
        fields = {name for name in form.__dict__ if not name.startswith("_")
                  and hasattr(getattr(form, name), "field_class")}
        action = by_endpoint[endpoint]
        assert fields | set(action.path_fields) == set(action.input.model_fields), endpoint


def test_task_refusals_are_the_one_tree_of_errors(app: Flask, demo: None) -> None:
    assert service.TaskError is errors.TaskError  # what meetings and older callers catch
    assert issubclass(errors.InvalidTask, InvalidInput)
    assert issubclass(errors.TaskForbidden, Forbidden)
    assert issubclass(errors.TaskNotFound, NotFound)
    assert issubclass(errors.TaskConflict, Conflict)
    for cls, status in [(errors.InvalidTask, 400), (errors.TaskForbidden, 403),
                        (errors.TaskNotFound, 404), (errors.TaskConflict, 409)]:
        error = cls("Thông báo")
        assert isinstance(error, errors.TaskError) and error.status == status
        assert str(error) == error.message == "Thông báo"
    task_id = _task(app)
    with app.app_context():
        worker, other = user("chuyenvien"), user("vanthu")
        with pytest.raises(errors.TaskNotFound):
            service.get_visible(other, task_id)
        task = service.get_visible(worker, task_id)
        with pytest.raises(errors.TaskForbidden, match="Chỉ người giao việc"):
            service.rate_task(worker, task, rating=5)
        with pytest.raises(errors.TaskConflict, match="trạng thái “Mới giao”"):
            service.approve_task(user("truongphong"), task)
        with pytest.raises(errors.InvalidTask, match="Cần nhập kết quả"):
            service.complete_task(worker, task, result=" ")


# ----------------------------------------------------------------------- compare-and-set
@pytest.mark.parametrize("first, second", [("approve", "return"), ("return", "approve"),
                                           ("approve", "approve")])
def test_two_people_acting_at_once_one_wins(
    app: Flask, demo: None, first: str, second: str
) -> None:
    """Two sessions read the task as "submitted"; the first to write wins, the other is
    refused with a 409 and leaves no trace."""
    task_id = _task(app, "submitted")

    def act(decision: str) -> None:
        boss, task = user("truongphong"), db.session.get(Task, task_id)
        if decision == "approve":
            service.approve_task(boss, task)
        else:
            service.return_task(boss, task, note="Bổ sung số liệu")

    with app.app_context():  # the slower person: reads the task now, acts last
        slow_task = db.session.get(Task, task_id)
        slow_boss = user("truongphong")
        assert slow_task.state == "submitted"
        with app.app_context():  # the quicker one: a session of its own, commits first
            act(first)
            db.session.commit()
        with pytest.raises(errors.TaskConflict, match="vừa được người khác xử lý") as refused:
            if second == "approve":
                service.approve_task(slow_boss, slow_task)
            else:
                service.return_task(slow_boss, slow_task, note="Làm lại")
        assert refused.value.status == 409
        db.session.rollback()
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.state == {"approve": "done", "return": "returned"}[first]
        approved, returned = _events(task_id, "task_approved"), _events(task_id, "task_returned")
        assert (approved, returned) == ((1, 0) if first == "approve" else (0, 1))
        actor = db.session.execute(select(Event.actor_id).where(
            Event.object_id == str(task_id), Event.action.in_(
                ["task_approved", "task_returned"]))).scalar_one()
        assert actor == user("truongphong").id


def test_an_extension_is_decided_once(app: Flask, demo: None) -> None:
    task_id = _task(app, "in_progress")
    with app.app_context():
        task = db.session.get(Task, task_id)
        extension = service.request_extension(
            user("chuyenvien"), task, new_deadline=task.deadline + timedelta(days=2),
            reason="Chờ số liệu")
        db.session.commit()
        extension_id = extension.id
    with app.app_context():
        slow = db.session.get(TaskExtension, extension_id)
        assert slow.status == "pending"
        with app.app_context():
            service.decide_extension(user("truongphong"),
                                     db.session.get(TaskExtension, extension_id), grant=True)
            db.session.commit()
        with pytest.raises(errors.TaskConflict, match="vừa được xử lý"):
            service.decide_extension(user("truongphong"), slow, grant=False)
        db.session.rollback()
    with app.app_context():
        assert db.session.get(TaskExtension, extension_id).status == "granted"
        assert _events(task_id, "extension_granted") == 1
        assert _events(task_id, "extension_refused") == 0


def test_over_http_the_second_of_two_simultaneous_acts_gets_409(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request has loaded the task as "submitted"; before it writes, someone else's
    approval commits. The request is answered 409 and changes nothing."""
    task_id = _task(app, "submitted")
    token = login_as("truongphong")
    real_return = service.return_task

    def someone_else_approves_first(actor: object, task: Task, **kwargs: object) -> Task:
        with app.app_context():
            service.approve_task(user("truongphong"), db.session.get(Task, task_id))
            db.session.commit()
        return real_return(actor, task, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "return_task", someone_else_approves_first)
    answer = client.post(f"/api/v1/tasks/{task_id}/actions/review",
                         headers={"X-CSRFToken": token},
                         json={"decision": "return", "note": "Làm lại"})
    assert answer.status_code == 409
    assert answer.get_json() == {"error": 409, "message": "Công việc vừa được người khác xử "
                                                          "lý; hãy tải lại trang."}
    monkeypatch.undo()
    shown = client.get(f"/api/v1/tasks/{task_id}").get_json()
    assert shown["state"] == "done"
    with app.app_context():
        assert _events(task_id, "task_returned") == 0


def test_two_extension_requests_leave_one_pending(app: Flask, demo: None) -> None:
    task_id = _task(app, "in_progress")
    with app.app_context():
        worker, task = user("chuyenvien"), db.session.get(Task, task_id)
        service.request_extension(worker, task, new_deadline=task.deadline + timedelta(days=1),
                                  reason="Lý do một")
        with pytest.raises(errors.TaskConflict, match="đang chờ xử lý"):
            service.request_extension(worker, task,
                                      new_deadline=task.deadline + timedelta(days=2),
                                      reason="Lý do hai")


# ----------------------------------------------------------------------- pages
def test_pages_extension_review_and_rating(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    task_id = _task(app, "in_progress")
    url = f"/tasks/{task_id}"
    token = login_as("chuyenvien")
    assert client.post(url + "/accept", data={}).status_code == 400  # no CSRF token
    asked = client.post(url + "/extension", data={
        "csrf_token": token, "new_deadline": "2031-01-02T10:00", "reason": "Chờ số liệu"},
        follow_redirects=True)
    assert asked.status_code == 200 and "Đã gửi đề nghị gia hạn." in asked.get_data(as_text=True)
    # Not the assigner: refused with the reason.
    forbidden = client.post(url + "/review/rate", data={"csrf_token": token, "rating": "5"})
    assert forbidden.status_code == 403
    assert "Chỉ người giao việc" in forbidden.get_data(as_text=True)
    # A refusal of what was typed goes back to the page, with the reason.
    bad = client.post(url + "/progress", data={"csrf_token": token, "percent": "nhiều"},
                      headers={"Referer": "http://localhost" + url}, follow_redirects=True)
    assert "“Tỷ lệ hoàn thành (%)” phải là một số nguyên." in bad.get_data(as_text=True)
    assert bad.request.path == url
    client.post("/logout", data={"csrf_token": token})

    token = login_as("truongphong")
    with app.app_context():
        extension_id = db.session.execute(select(TaskExtension.id).where(
            TaskExtension.task_id == task_id)).scalar_one()
    page = client.get(url).get_data(as_text=True)
    for decision in ("grant", "refuse"):
        assert f'action="/tasks/{task_id}/extension/{extension_id}/{decision}"' in page
    assert client.post(f"{url}/extension/{extension_id}/maybe",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"{url}/extension/{extension_id + 1}/grant",
                       data={"csrf_token": token}).status_code == 404
    granted = client.post(f"{url}/extension/{extension_id}/grant", data={"csrf_token": token},
                          follow_redirects=True)
    assert "Đã gia hạn." in granted.get_data(as_text=True)
    again = client.post(f"{url}/extension/{extension_id}/refuse", data={"csrf_token": token})
    assert again.status_code == 409
    assert "Đề nghị gia hạn này đã được xử lý." in again.get_data(as_text=True)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.deadline == datetime(2031, 1, 2, 10, 0, tzinfo=VIETNAM)
        service.complete_task(user("chuyenvien"), task, result="Xong")
        db.session.commit()

    page = client.get(url).get_data(as_text=True)
    assert f'formaction="/tasks/{task_id}/review/approve"' in page
    approved = client.post(url + "/review/approve", data={
        "csrf_token": token, "note": "Tốt", "rating": "4"}, follow_redirects=True)
    assert "Đã duyệt kết quả." in approved.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert f'action="/tasks/{task_id}/review/rate"' in page
    rated = client.post(url + "/review/rate", data={"csrf_token": token, "rating": "5"},
                        follow_redirects=True)
    assert "Đã đánh giá chất lượng." in rated.get_data(as_text=True)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.state == "done" and task.rating == 5
        assert _events(task_id, "task_rated") == 2


def test_page_return_and_progress_with_several_files(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    task_id = _task(app, "submitted")
    url = f"/tasks/{task_id}"
    token = login_as("truongphong")
    returned = client.post(url + "/review/return", data={"csrf_token": token, "note": "Thiếu"},
                           follow_redirects=True)
    assert "Đã trả lại để làm tiếp." in returned.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})

    token = login_as("chuyenvien")
    reported = client.post(url + "/progress", data={
        "csrf_token": token, "percent": "80", "note": "Đã bổ sung",
        "files": [(io.BytesIO(_png("red")), "bieu-do.png"),
                  (io.BytesIO(_png("blue")), "so-lieu.png")]},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Đã báo cáo tiến độ." in reported.get_data(as_text=True)
    with app.app_context():
        task = db.session.get(Task, task_id)
        assert task.state == "in_progress" and task.percent == 80
        assert db.session.execute(select(func.count(TaskFile.id))).scalar_one() == 2


# ----------------------------------------------------------------------- API
def test_api_acts_validate_and_refuse_like_the_pages(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    task_id = _task(app)
    token = login_as("chuyenvien")
    headers = {"X-CSRFToken": token}
    base = f"/api/v1/tasks/{task_id}/actions"
    accepted = client.post(f"{base}/accept", headers=headers, json={})
    assert accepted.status_code == 200 and accepted.get_json()["message"] == "Đã nhận việc."
    missing = client.post(f"{base}/progress", headers=headers, json={"note": "x"})
    assert missing.status_code == 400
    assert missing.get_json() == {"error": 400, "message": "Thiếu “Tỷ lệ hoàn thành (%)”."}
    too_much = client.post(f"{base}/progress", headers=headers, json={"percent": 120})
    assert too_much.get_json()["message"] == "Tỷ lệ hoàn thành phải từ 0 đến 100."
    with_files = client.post(f"{base}/progress", headers=headers, data={
        "percent": "30", "files": [(io.BytesIO(_png()), "a.png"), (io.BytesIO(_png()), "b.png")]},
        content_type="multipart/form-data")
    assert with_files.status_code == 200 and with_files.get_json()["percent"] == 30
    extension = client.post(f"{base}/request_extension", headers=headers, json={
        "new_deadline": "15/01/2031", "reason": "Chờ ý kiến sở"})
    assert extension.status_code == 200, extension.get_json()
    assert extension.get_json()["extensions"][0]["new_deadline"].startswith("2031-01-15T16:59:59")
    bad_day = client.post(f"{base}/request_extension", headers=headers, json={
        "new_deadline": "31/02/2031", "reason": "x"})
    assert bad_day.status_code == 400 and "Thời hạn đề nghị" in bad_day.get_json()["message"]
    not_mine = client.post(f"{base}/decide_extension", headers=headers, json={
        "extension_id": extension.get_json()["extensions"][0]["id"], "decision": "grant"})
    assert not_mine.status_code == 403
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "vanthu")
    hidden = client.post(f"{base}/accept", headers={"X-CSRFToken": token}, json={})
    assert hidden.status_code == 404 and hidden.get_json()["error"] == 404
    assert client.get(f"/api/v1/tasks/{task_id}").status_code == 404
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "truongphong")
    headers = {"X-CSRFToken": token}
    wrong = client.post(f"{base}/decide_extension", headers=headers, json={
        "extension_id": 999999, "decision": "grant"})
    assert wrong.status_code == 404
    unknown = client.post(f"{base}/decide_extension", headers=headers, json={
        "extension_id": extension.get_json()["extensions"][0]["id"], "decision": "maybe"})
    assert unknown.status_code == 400 and "không nằm trong" in unknown.get_json()["message"]
    refused = client.post(f"{base}/decide_extension", headers=headers, json={
        "extension_id": extension.get_json()["extensions"][0]["id"], "decision": "refuse"})
    assert refused.status_code == 200
    assert refused.get_json()["message"] == "Đã từ chối gia hạn."
    assert refused.get_json()["extensions"][0]["status"] == "refused"


def test_api_creates_a_task_from_the_page_form_fields(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("truongphong")
    with app.app_context():
        worker_id = user("chuyenvien").id
        unit_id = user("truongphong").memberships[0].unit_id
    headers = {"X-CSRFToken": token}
    created = client.post("/api/v1/tasks", headers=headers, json={
        "title": "Rà soát hồ sơ", "description": "Theo kế hoạch", "assignee_ids": [worker_id],
        "unit_ids": [unit_id], "working_days": 3, "priority": "urgent"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["priority"] == "urgent" and body["description"] == "Theo kế hoạch"
    assert {(a["user_id"], a["unit_id"]) for a in body["assignees"]} == {
        (worker_id, None), (None, unit_id)}
    local = datetime.fromisoformat(body["deadline"]).astimezone(VIETNAM)
    assert (local.hour, local.minute) == (23, 59)

    # A deadline without an offset is Vietnam time, as the page's field sends it.
    naive = client.post("/api/v1/tasks", headers=headers, json={
        "title": "Việc có giờ", "assignee_ids": [worker_id], "deadline": "2031-03-04T08:30"})
    assert naive.status_code == 201
    assert datetime.fromisoformat(naive.get_json()["deadline"]) == datetime(
        2031, 3, 4, 8, 30, tzinfo=VIETNAM)

    for body, message in [
        ({"assignee_ids": [worker_id], "working_days": 2}, "Thiếu “Tên công việc”."),
        ({"title": "x" * 501, "assignee_ids": [worker_id], "working_days": 2},
         "“Tên công việc” dài quá 500 ký tự."),
        ({"title": "Việc", "assignee_ids": [worker_id]},
         "Cần chọn thời hạn hoặc số ngày làm việc."),
        ({"title": "Việc", "assignee_ids": [worker_id], "working_days": 2, "priority": "max"},
         "“Mức ưu tiên” không nằm trong các giá trị cho phép."),
        ({"title": "Việc", "assignee_ids": ["ai"], "working_days": 2},
         "“Người thực hiện” phải là một số nguyên."),
        ({"title": "Việc", "working_days": 2},
         "Cần chọn ít nhất một người hoặc đơn vị thực hiện."),
        ({"title": "Việc", "assignee_ids": [worker_id], "deadline": "2020-01-01T08:00+07:00"},
         "Thời hạn phải ở sau thời điểm hiện tại."),
    ]:
        answer = client.post("/api/v1/tasks", headers=headers, json=body)
        assert (answer.status_code, answer.get_json()) == (400, {"error": 400,
                                                                 "message": message}), body
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "chuyenvien")
    forbidden = client.post("/api/v1/tasks", headers={"X-CSRFToken": token}, json={
        "title": "Việc", "assignee_ids": [worker_id], "working_days": 2})
    assert forbidden.status_code == 403
    assert forbidden.get_json()["message"] == "Bạn không có quyền giao việc."
    with app.app_context():
        assert db.session.execute(select(func.count(Task.id))).scalar_one() == 2
