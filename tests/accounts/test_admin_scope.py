"""Administrators manage accounts and settings, not documents (issue #17, items 3 and 4).

Public holidays change every organisation's deadlines, so only the super-administrator edits
them; an organisation's admin holds no other role implicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.accounts.service import AccountError, create_user, update_user
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.reports.models import Holiday
from tests.conftest import csrf_token_from, login
from tests.documents.conftest import create_incoming

PASSWORDS = {"admin_stp": "mat-khau-dai-1"}


def _second_organisation_admin(app: Flask) -> None:
    with app.app_context():
        other = Organisation(organ_id="000.00.00.G02", name="Sở Tư pháp", abbreviation="STP")
        db.session.add(other)
        db.session.flush()
        create_user(None, username="admin_stp", full_name="Quản trị Sở Tư pháp",
                    password=PASSWORDS["admin_stp"], organisation_id=other.id, roles=[Role.ADMIN])
        db.session.add(Holiday(day=date(2026, 10, 10), name="Ngày thử nghiệm 10/10"))
        db.session.commit()


def _holiday_count(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Holiday)).scalar_one()


def test_only_the_super_administrator_changes_public_holidays(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    _second_organisation_admin(app)
    with app.app_context():
        holiday_id = db.session.execute(select(Holiday.id).where(
            Holiday.day == date(2026, 10, 10))).scalar_one()
    before = _holiday_count(app)
    for username in ("admin_stp", "admin"):  # another organisation's admin, and ours
        visitor = app.test_client()
        token = login(visitor, username, PASSWORDS.get(username, "matkhau123"))
        page = visitor.get("/reports/holidays")
        assert page.status_code == 200
        assert "Ngày thử nghiệm 10/10" in page.get_data(as_text=True)
        assert visitor.post(f"/reports/holidays/{holiday_id}/delete",
                            data={"csrf_token": token}).status_code == 403
        assert visitor.post("/reports/holidays", data={
            "csrf_token": token, "day": "2026-12-24", "name": "Ngày thử"}).status_code == 403
    assert _holiday_count(app) == before
    token = login(client, "quantri")
    assert client.post(f"/reports/holidays/{holiday_id}/delete",
                       data={"csrf_token": token}).status_code == 302
    assert _holiday_count(app) == before - 1


def test_admin_holds_no_other_role(app: Flask, client: FlaskClient, demo: None) -> None:
    with app.app_context():
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        assert not has_role(admin, Role.CLERK, Role.LEADER, Role.MANAGER, Role.UNIT_HEAD)
        incoming = create_incoming(subject="Công văn thường của Sở Xây dựng")
        file_id = incoming.current_version.file_id
        document_id = incoming.id
    token = login(client, "admin")
    # Cannot read an incoming document or its content, as a clerk could.
    assert client.get(f"/documents/incoming/{document_id}").status_code == 404
    assert client.get(f"/files/{file_id}/download").status_code == 404
    assert client.get(f"/api/v1/documents/{document_id}").status_code == 404
    # Cannot register an incoming document (a clerk's act).
    answer = client.post("/api/v1/documents/incoming", data={"subject": "x"},
                         headers={"X-CSRFToken": token})
    assert answer.status_code in (400, 403)
    # Still manages the organisation's accounts.
    assert client.get("/admin/users").status_code == 200
    assert csrf_token_from(client.get("/admin/users").get_data(as_text=True))


def test_an_organisation_admin_cannot_grant_the_installation_wide_role(
    app: Flask, demo: None
) -> None:
    with app.app_context():
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        clerk = db.session.execute(select(User).where(User.username == "vanthu")).scalar_one()
        try:
            update_user(admin, admin, full_name=admin.full_name,
                        roles=[Role.ADMIN, Role.SUPER_ADMIN], unit_ids=[], position_id=None,
                        active=True)
        except AccountError as error:
            assert "quản trị toàn hệ thống" in str(error)
        else:
            raise AssertionError("an organisation admin raised himself to super-administrator")
        db.session.rollback()
        super_admin = db.session.execute(
            select(User).where(User.username == "quantri")).scalar_one()
        update_user(super_admin, clerk, full_name=clerk.full_name,
                    roles=[Role.CLERK, Role.SUPER_ADMIN], unit_ids=[], position_id=None,
                    active=True)
        db.session.commit()
        assert Role.SUPER_ADMIN in clerk.roles
        # An organisation admin editing that user keeps the role it cannot see or change.
        update_user(admin, clerk, full_name="Nguyễn Thị Lan", roles=[Role.CLERK], unit_ids=[],
                    position_id=None, active=True)
        db.session.commit()
        assert Role.SUPER_ADMIN in clerk.roles


def test_admin_page_of_another_organisations_user_is_not_found(
    app: Flask, client: FlaskClient, demo: None, login_as: Callable[[str], str]
) -> None:
    _second_organisation_admin(app)
    with app.app_context():
        ours = db.session.execute(select(User.id).where(User.username == "vanthu")).scalar_one()
    login(client, "admin_stp", PASSWORDS["admin_stp"])
    assert client.get(f"/admin/users/{ours}").status_code == 404
