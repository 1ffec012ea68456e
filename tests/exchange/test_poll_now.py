"""Nhận văn bản ngay: a clerk asks for the inbox now instead of waiting for the minute's poll;
the job it starts takes in what waits on the hub and says how much. Here one app is both the
hub and the installation (a province running its own hub), as in ``test_axis_poll``."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from eoffice.demo import seed_demo
from eoffice.exchange.axis import POLL_JOB
from eoffice.exchange.axis.client import AxisClient
from eoffice.extensions import db
from eoffice.jobs import queue
from tests.conftest import login
from tests.exchange.ministry import incoming_subjects, package, send


def ask(client: FlaskClient, token: str) -> tuple[int, dict[str, object]]:
    answer = client.post("/api/v1/exchange/poll", headers={"X-CSRFToken": token})
    return answer.status_code, answer.get_json()


def test_a_clerk_gets_waiting_mail_at_once_and_sees_what_the_poll_took_in(
        installation: tuple[Flask, AxisClient]) -> None:
    application, ministry = installation
    send(ministry, "cv-21", package("21"))
    clerk = application.test_client()
    token = login(clerk, "vanthu")
    status, job = ask(clerk, token)
    assert status == 202 and job["kind"] == POLL_JOB and job["state"] == "queued", job
    assert ask(clerk, token) == (202, job)  # a double click while it waits: the same poll
    with application.app_context():
        assert queue.drain() == 1  # what the job worker does at once
        db.session.remove()
    done = clerk.get(f"/api/v1/jobs/{job['id']}").get_json()
    assert done["state"] == "done" and done["result"]["accepted"] == 1, done
    assert done["kind_label"] == "Nhận văn bản liên thông"
    assert incoming_subjects(application) == ["Về việc báo cáo đầu tư công số 21"]
    # Once it has run, asking again is a new poll; nothing is waiting any more.
    status, again = ask(clerk, token)
    assert status == 202 and again["id"] != job["id"]
    with application.app_context():
        queue.drain()
        db.session.remove()
    assert clerk.get(f"/api/v1/jobs/{again['id']}").get_json()["result"]["accepted"] == 0


def test_only_clerks_and_administrators_may_ask(
        installation: tuple[Flask, AxisClient]) -> None:
    application, _ministry = installation
    specialist = application.test_client()
    status, body = ask(specialist, login(specialist, "chuyenvien"))
    assert status == 403 and "văn thư" in str(body), body
    administrator = application.test_client()
    assert ask(administrator, login(administrator, "admin"))[0] == 202


def test_without_an_axis_the_request_says_so(app: Flask) -> None:
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    clerk = app.test_client()
    status, body = ask(clerk, login(clerk, "vanthu"))
    assert status == 409 and "EOFFICE_AXIS_URL" in str(body), body


def test_the_incoming_list_offers_it_to_a_clerk_and_the_button_takes_the_mail_in(
        installation: tuple[Flask, AxisClient]) -> None:
    application, ministry = installation
    send(ministry, "cv-22", package("22"))
    clerk = application.test_client()
    token = login(clerk, "vanthu")
    page = clerk.get("/documents/incoming").get_data(as_text=True)
    assert "Nhận văn bản ngay" in page
    answer = clerk.post("/exchange/poll", data={"csrf_token": token},
                        headers={"Referer": "http://localhost/documents/incoming"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/documents/incoming")
    with application.app_context():
        assert queue.drain() == 1
        db.session.remove()
    assert "Về việc báo cáo đầu tư công số 22" in clerk.get("/documents/incoming").get_data(
        as_text=True)
    # Not offered to a specialist (and refused if posted anyway), nor without CSRF.
    specialist = application.test_client()
    specialist_token = login(specialist, "chuyenvien")
    assert "Nhận văn bản ngay" not in specialist.get("/documents/incoming").get_data(
        as_text=True)
    assert specialist.post("/exchange/poll",
                           data={"csrf_token": specialist_token}).status_code == 403
    assert clerk.post("/exchange/poll").status_code in (400, 403)


def test_without_an_axis_the_incoming_list_does_not_offer_it(app: Flask) -> None:
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    clerk = app.test_client()
    login(clerk, "vanthu")
    assert "Nhận văn bản ngay" not in clerk.get("/documents/incoming").get_data(as_text=True)
