"""Sessions end on the server (issue #17, item 11): a copied cookie stops working at logout,
and a password change or a lock ends every session of the user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from eoffice.accounts.models import User
from eoffice.accounts.service import update_user
from eoffice.accounts.sessions import IDLE, UserSession
from eoffice.extensions import db
from eoffice.timestamps import utcnow
from tests.conftest import login


def _copy_cookies(source: FlaskClient, target: FlaskClient) -> None:
    for cookie in source._cookies.values():  # type: ignore[attr-defined]
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def test_a_copied_cookie_stops_working_after_logout(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/api/v1/me").status_code == 200  # the copy works while the session does
    client.post("/logout", data={"csrf_token": token})
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/my-work").status_code == 302  # to the login page


def test_a_password_change_or_lock_ends_every_session(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "chuyenvien")
    login(laptop, "chuyenvien")
    with app.app_context():
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = db.session.execute(select(User).where(User.username == "chuyenvien")).scalar_one()
        update_user(admin, user, full_name=user.full_name, roles=list(user.roles),
                    unit_ids=[m.unit_id for m in user.memberships], position_id=None,
                    active=True, new_password="mat-khau-moi-dai-1")
        db.session.commit()
        ended = db.session.execute(select(UserSession).where(
            UserSession.user_id == user.id)).scalars().all()
        assert len(ended) == 2 and all(row.ended_at is not None for row in ended)
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401


def test_an_idle_session_expires(app: Flask, client: FlaskClient,
                                 login_as: Callable[[str], str]) -> None:
    login_as("vanthu")
    assert client.get("/api/v1/me").status_code == 200
    with app.app_context():
        db.session.execute(update(UserSession).values(
            last_seen_at=utcnow() - IDLE - timedelta(minutes=1)))
        db.session.commit()
    assert client.get("/api/v1/me").status_code == 401
