"""Fixtures for the meetings module: the app with meetings plugged in and a prepared meeting."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import meetings
from eoffice.accounts.models import User
from eoffice.extensions import db, socketio
from eoffice.timestamps import utcnow
from meetings import service
from meetings.namespace import NAMESPACE
from tests.conftest import login, make_app
from tests.meetings.pdfs import numbered_pdf
from tests.services.browser import browser  # noqa: F401


@pytest.fixture()
def mapp(app: Flask, demo: None, database_url: str, tmp_path: Path) -> Flask:
    """The app with meetings, on the same database, with Socket.IO in threading mode.

    Threading mode because tests serve over werkzeug's threaded server (and the test client)
    without gevent's monkey-patching; production runs gevent (see ``wsgi.py``).
    """
    threaded = make_app(tmp_path / "meetings-app", database_url,
                        extra={"SOCKETIO_ASYNC_MODE": "threading"})
    meetings.init_app(threaded)
    return threaded


@dataclass
class Prepared:
    meeting_id: int
    item_ids: list[int]
    document_id: int
    users: dict[str, int]


def user_id(username: str) -> int:
    return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def prepare_meeting(app: Flask, *, pages: int = 5, invite: bool = True) -> Prepared:
    """Chair chutich, secretary thuky, members phochutich/truongphong/chuyenvien, guest vanthu."""
    with app.app_context():
        users = {name: user_id(name) for name in
                 ("chutich", "thuky", "phochutich", "truongphong", "chuyenvien", "vanthu",
                  "chanhvanphong")}
        creator = db.session.get(User, users["thuky"])
        meeting = service.create_meeting(
            creator, title="Họp giao ban tháng 11", starts_at=utcnow() + timedelta(hours=1),
            location="Phòng họp số 1", chair_id=users["chutich"], secretary_id=users["thuky"],
            member_ids=[users["phochutich"], users["truongphong"], users["chuyenvien"]],
            guest_ids=[users["vanthu"]],
        )
        first = service.add_agenda_item(creator, meeting, title="Tình hình kinh tế - xã hội",
                                        duration_minutes=20)
        second = service.add_agenda_item(creator, meeting, title="Kế hoạch tháng 12",
                                         duration_minutes=10)
        document = service.attach_upload(creator, first, io.BytesIO(numbered_pdf(pages)),
                                         "bao-cao.pdf", "Báo cáo tình hình")
        if invite:
            service.send_invitations(creator, meeting)
        db.session.commit()
        return Prepared(meeting.id, [first.id, second.id], document.id, users)


@pytest.fixture()
def prepared(mapp: Flask) -> Prepared:
    return prepare_meeting(mapp)


class Person:
    """A logged-in browser session and its Socket.IO connection to /meeting."""

    def __init__(self, app: Flask, username: str) -> None:
        self.http: FlaskClient = app.test_client()
        self.csrf = login(self.http, username)
        self.sio = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=self.http)
        self.username = username

    def emit(self, event: str, payload: Any = None) -> Any:
        args = () if payload is None else (payload,)
        return self.sio.emit(event, *args, namespace=NAMESPACE, callback=True)

    def received(self, name: str | None = None) -> list[Any]:
        events = self.sio.get_received(NAMESPACE)
        return [e["args"][0] for e in events if name is None or e["name"] == name]

    def join(self, meeting_id: int) -> dict[str, Any]:
        reply = self.emit("join", {"meeting_id": meeting_id})
        assert reply["ok"], reply
        return reply["snapshot"]


@pytest.fixture()
def person(mapp: Flask) -> Callable[[str], Person]:
    people: list[Person] = []

    def make(username: str) -> Person:
        people.append(Person(mapp, username))
        return people[-1]

    yield make  # type: ignore[misc]
    for p in people:
        if p.sio.is_connected(NAMESPACE):
            p.sio.disconnect(NAMESPACE)
