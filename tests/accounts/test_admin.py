"""Administrators manage units and users; nobody else can."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.organisation.models import Organisation, Unit
from tests.conftest import login


def test_admin_adds_a_unit_under_a_parent(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("admin")
    with app.app_context():
        parent = db.session.execute(select(Unit).where(Unit.abbreviation == "VP")).scalar_one()
        parent_id = parent.id
    response = client.post(
        "/admin/units",
        data={"name": "Phòng Khoa giáo - Văn xã", "abbreviation": "KGVX",
              "parent_id": parent_id, "csrf_token": token},
    )
    assert response.status_code == 302
    page = client.get("/admin/units").get_data(as_text=True)
    assert "Phòng Khoa giáo - Văn xã" in page
    duplicate = client.post(
        "/admin/units",
        data={"name": "Trùng", "abbreviation": "KGVX", "parent_id": 0, "csrf_token": token},
    )
    assert "Ký hiệu đơn vị đã được dùng." in duplicate.get_data(as_text=True)


def test_admin_creates_a_user_who_can_log_in(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("admin")
    with app.app_context():
        unit_id = db.session.execute(select(Unit.id).where(Unit.abbreviation == "NC")).scalar_one()
    response = client.post(
        "/admin/users/new",
        data={
            "username": "ngocmai", "full_name": "Ngô Thị Ngọc Mai", "password": "mat-khau-moi-1",
            "roles": ["specialist"], "unit_ids": [unit_id], "position_id": 0, "active": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "ngocmai")).scalar_one()
        assert user.roles == {Role.SPECIALIST}
        assert [u.abbreviation for u in user.units] == ["NC"]
    other = app.test_client()
    login(other, "ngocmai", "mat-khau-moi-1")
    assert "Ngô Thị Ngọc Mai" in other.get("/my-work").get_data(as_text=True)


def test_short_password_is_refused(client: FlaskClient, login_as: Callable[[str], str]) -> None:
    token = login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"username": "x1", "full_name": "X", "password": "ngan", "position_id": 0,
              "csrf_token": token},
    )
    assert "Mật khẩu phải có ít nhất 10 ký tự." in response.get_data(as_text=True)


def test_locking_a_user_ends_their_session(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    victim = app.test_client()
    login(victim, "chuyenvien")
    token = login_as("admin")
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "chuyenvien")).scalar_one()
        user_id = user.id
    response = client.post(
        f"/admin/users/{user_id}",
        data={"full_name": "Đặng Thu Trang", "roles": ["specialist"], "position_id": 0,
              "csrf_token": token},
    )
    assert response.status_code == 302
    assert victim.get("/my-work").status_code == 302


def test_non_admins_are_forbidden(client: FlaskClient, login_as: Callable[[str], str]) -> None:
    login_as("chutich")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/units").status_code == 403


def test_admin_cannot_see_another_organisations_user(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    with app.app_context():
        other = Organisation(organ_id="000.00.00.G01", name="Sở Tư pháp", abbreviation="STP")
        db.session.add(other)
        db.session.flush()
        from eoffice.accounts.service import create_user

        stranger = create_user(None, username="nguoila", full_name="Người Lạ",
                               password="mat-khau-dai-1", organisation_id=other.id)
        db.session.commit()
        stranger_id = stranger.id
    login_as("admin")
    assert client.get(f"/admin/users/{stranger_id}").status_code == 404
