"""Logging in and out, throttling, CSRF, cookie flags and where anonymous requests go."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.extensions import db
from tests.conftest import csrf_token_from, login


def _post_login(client: FlaskClient, username: str, password: str):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_demo_login_lands_on_my_work_in_vietnamese(client: FlaskClient, demo: None) -> None:
    login(client, "chuyenvien")
    page = client.get("/my-work").get_data(as_text=True)
    assert "Việc của tôi" in page
    assert "Đặng Thu Trang" in page
    assert "Ủy ban nhân dân tỉnh Hòa Bình" in page


def test_passwords_are_argon2_hashes(app: Flask, demo: None) -> None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "vanthu")).scalar_one()
        assert user.password_hash.startswith("$argon2id$")
        assert "matkhau123" not in user.password_hash


def test_wrong_password_is_refused_and_recorded(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    response = _post_login(client, "vanthu", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/my-work").status_code == 302
    with app.app_context():
        actions = db.session.execute(select(Event.action)).scalars().all()
        assert "login_failed" in actions


def test_repeated_failures_lock_even_the_right_password(client: FlaskClient, demo: None) -> None:
    for _ in range(5):
        _post_login(client, "chutich", "khong-dung-roi")
    response = _post_login(client, "chutich", "matkhau123")
    assert response.status_code == 429
    assert "đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
    # Another account is not affected by this one's lock.
    assert _post_login(client, "vanthu", "matkhau123").status_code == 302


def test_unknown_user_names_are_throttled_too(client: FlaskClient, demo: None) -> None:
    for _ in range(5):
        _post_login(client, "khong-ton-tai", "x" * 12)
    assert _post_login(client, "khong-ton-tai", "x" * 12).status_code == 429


def test_post_without_csrf_token_is_rejected(client: FlaskClient, demo: None) -> None:
    response = client.post("/login", data={"username": "vanthu", "password": "matkhau123"})
    assert response.status_code == 400
    assert client.get("/my-work").status_code == 302


def test_anonymous_page_redirects_to_login_and_api_gets_401_json(client: FlaskClient) -> None:
    page = client.get("/my-work")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=")
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.is_json and api.get_json()["error"] == "unauthorized"


def test_login_does_not_redirect_off_site(client: FlaskClient, demo: None) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"username": "vanthu", "password": "matkhau123", "csrf_token": token},
    )
    assert response.headers["Location"] == "/my-work"


def test_session_cookie_is_http_only_and_same_site(client: FlaskClient, demo: None) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "vanthu", "password": "matkhau123", "csrf_token": token}
    )
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(client: FlaskClient, demo: None) -> None:
    token = login(client, "vanthu")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/my-work").status_code == 302


def test_api_me_reports_roles_and_units(client: FlaskClient, demo: None) -> None:
    login(client, "truongphong")
    response = client.get("/api/v1/me")
    assert "Phòng Kinh tế".encode() in response.data  # readable UTF-8, not \u escapes
    me = response.get_json()
    assert me["roles"] == ["unit_head"]
    assert [u["name"] for u in me["units"]] == ["Phòng Kinh tế"]
    assert me["organisation"]["organ_id"] == "000.00.00.H41"


def _attempt(client: FlaskClient, username: str, password: str, address: str) -> str:
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    token = csrf_token_from(page.get_data(as_text=True))
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": token},
                         environ_base={"REMOTE_ADDR": address})
    return "ok" if answer.status_code == 302 else answer.get_data(as_text=True)


def test_wrong_passwords_from_one_place_do_not_lock_the_leader_out_elsewhere(
    app: Flask, demo: None
) -> None:
    """Five wrong passwords for chutich from one address lock that address only."""
    prankster, leader = app.test_client(), app.test_client()
    for _ in range(5):
        assert _attempt(prankster, "chutich", "sai-mat-khau", "198.51.100.9") != "ok"
    assert "đăng nhập sai quá nhiều lần" in _attempt(prankster, "chutich", "matkhau123",
                                                    "198.51.100.9")
    assert _attempt(leader, "chutich", "matkhau123", "203.113.1.20") == "ok"


def test_password_spraying_from_one_address_is_slowed(app: Flask, demo: None) -> None:
    """One password tried on twenty names locks the address, even for a right password."""
    sprayer = app.test_client()
    for number in range(20):
        _attempt(sprayer, f"nguoi{number}", "Matkhau@2026", "192.0.2.66")
    assert "đăng nhập sai quá nhiều lần" in _attempt(sprayer, "vanthu", "matkhau123",
                                                    "192.0.2.66")
    assert _attempt(app.test_client(), "vanthu", "matkhau123", "192.0.2.67") == "ok"
