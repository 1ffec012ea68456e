"""The notification centre: an act that hands work to someone stores a notification naming
the object, pushes it live with the unread count, and the person reads one or all."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from eoffice.audit.models import Event
from eoffice.documents import service
from eoffice.extensions import db, socketio
from eoffice.notifications.models import Notification
from tests.conftest import login
from tests.documents.conftest import create_incoming, user

SUBJECT = "Về việc tổng kết công tác năm 2026"


def _present_to_chair(app: Flask) -> int:
    with app.app_context():
        document = create_incoming(subject=SUBJECT)
        service.present(user("vanthu"), document, user("chutich").id)
        db.session.commit()
        document_id = document.id
        db.session.remove()
    return document_id


def test_presenting_notifies_the_leader_live_with_the_document_named(
    app: Flask, demo: None
) -> None:
    leader_browser = app.test_client()
    login(leader_browser, "chutich")
    leader_socket = socketio.test_client(app, namespace="/notify",
                                         flask_test_client=leader_browser)
    clerk_browser = app.test_client()
    login(clerk_browser, "vanthu")
    clerk_socket = socketio.test_client(app, namespace="/notify",
                                        flask_test_client=clerk_browser)
    document_id = _present_to_chair(app)

    pushed = [m for m in leader_socket.get_received("/notify") if m["name"] == "notification"]
    assert len(pushed) == 1
    payload = pushed[0]["args"][0]
    assert payload["unread"] == 1
    assert SUBJECT in payload["title"] and " trình bạn — Văn bản đến số " in payload["title"]
    assert payload["title"].startswith(f"{_name(app, 'vanthu')} ")
    assert payload["url"] == f"/documents/incoming/{document_id}"
    # The clerk acted: she is not notified of her own act.
    assert not [m for m in clerk_socket.get_received("/notify") if m["name"] == "notification"]

    page = leader_browser.get("/my-work").get_data(as_text=True)
    assert 'class="bell-count" data-unread>1<' in page
    listing = leader_browser.get("/notifications/").get_data(as_text=True)
    assert SUBJECT in listing and "1 thông báo chưa đọc" in listing


def _name(app: Flask, username: str) -> str:
    with app.app_context():
        return user(username).full_name


def test_reading_one_opens_the_document_and_reading_all_clears_the_bell(
    app: Flask, demo: None, client: FlaskClient
) -> None:
    first = _present_to_chair(app)
    _present_to_chair(app)
    token = login(client, "chutich")
    api = client.get("/api/v1/notifications").get_json()
    assert api["unread"] == 2 and [n["read"] for n in api["items"]] == [False, False]
    oldest, newest = api["items"][1]["id"], api["items"][0]["id"]

    opened = client.post(f"/notifications/{oldest}/read", data={"csrf_token": token})
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/documents/incoming/{first}")
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1

    answer = client.post(f"/api/v1/notifications/{newest}/actions/read_up_to",
                         json={}, headers={"X-CSRFToken": token}).get_json()
    assert answer["marked"] == 1 and answer["unread"] == 0
    page = client.get("/notifications/").get_data(as_text=True)
    assert "0 thông báo chưa đọc" in page and "Đánh dấu tất cả" not in page
    with app.app_context():  # who read what, and when, is in the audit trail
        reads = db.session.query(Event).filter(Event.object_kind == "notification").all()
        assert [(e.action, e.actor_name) for e in reads] == [
            ("notification_read", "Trần Văn Hùng"), ("notifications_read", "Trần Văn Hùng")]


def test_nobody_reads_another_persons_notifications(
    app: Flask, demo: None, client: FlaskClient
) -> None:
    _present_to_chair(app)
    with app.app_context():
        note_id = db.session.query(Notification.id).scalar()
    token = login(client, "phochutich")
    response = client.post(f"/api/v1/notifications/{note_id}/actions/read", json={},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 404
    assert client.post(f"/notifications/{note_id}/read",
                       data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is None


def test_a_rolled_back_act_notifies_nobody(app: Flask, demo: None) -> None:
    with app.app_context():
        document = create_incoming(subject=SUBJECT)
        service.present(user("vanthu"), document, user("chutich").id)
        db.session.rollback()
        assert db.session.query(Notification).count() == 0



def test_the_api_is_documented(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/api/v1/notifications",
            "/api/v1/notifications/{notification_id}/actions/read",
            "/api/v1/notifications/{notification_id}/actions/read_up_to"} <= set(spec["paths"])
    assert "Notification" in spec["components"]["schemas"]
