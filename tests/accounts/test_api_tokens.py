"""API tokens: created on the command line and shown once, stored as a hash, accepted as
``Authorization: Bearer`` on /api/v1 only (as that user, without CSRF), refused once revoked
or when the user is locked; cookie sessions keep their CSRF check."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from eoffice.accounts.models import User
from eoffice.accounts.tokens import INVALID_TOKEN, TOUCH_EVERY, ApiToken
from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.timestamps import utcnow
from tests.files.test_files import tiny_pdf

TOKEN_RE = re.compile(r"eo_[A-Za-z0-9_-]{43}")


def create_token(app: Flask, username: str, name: str = "Cổng dịch vụ công") -> str:
    result = app.test_cli_runner().invoke(args=["tokens", "create", username, "--name", name])
    assert result.exit_code == 0, result.output
    [token] = TOKEN_RE.findall(result.output)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(app: Flask, action: str) -> list[Event]:
    with app.app_context():
        rows = db.session.execute(
            select(Event).where(Event.action == action).order_by(Event.id)
        ).scalars().all()
        db.session.expunge_all()
        return list(rows)


def user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def token_row(app: Flask) -> ApiToken:
    with app.app_context():
        row = db.session.execute(select(ApiToken)).scalar_one()
        db.session.expunge(row)
        return row


def test_created_on_the_command_line_printed_once_and_stored_as_a_hash(
    app: Flask, demo: None
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", "chuyenvien", "--name", "Cổng dịch vụ công"])
    assert result.exit_code == 0, result.output
    [token] = TOKEN_RE.findall(result.output)
    assert result.output.count(token) == 1

    row = token_row(app)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:8] and row.name == "Cổng dịch vụ công"
    assert row.user_id == user_id(app, "chuyenvien")
    assert row.created_at is not None and row.last_used_at is None and row.revoked_at is None
    stored = [str(getattr(row, column.key)) for column in ApiToken.__table__.columns]
    assert not any(token in value or token[8:] in value for value in stored)

    listing = runner.invoke(args=["tokens", "list", "chuyenvien"])
    assert listing.exit_code == 0 and row.prefix in listing.output
    assert token not in listing.output and "Cổng dịch vụ công" in listing.output

    [created] = events(app, "api_token_created")
    assert created.actor_id is None and created.object_kind == "api_token"
    assert created.object_id == str(row.id)
    assert created.details["user_ids"] == [row.user_id]
    assert token not in str(created.details)

    unknown = runner.invoke(args=["tokens", "create", "khongco", "--name", "x"])
    assert unknown.exit_code != 0 and not TOKEN_RE.search(unknown.output)


def test_bearer_token_is_the_user_on_the_api_without_csrf(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    token = create_token(app, "chuyenvien")
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200 and me.get_json()["username"] == "chuyenvien"
    assert "Set-Cookie" not in me.headers  # no session is opened for a token

    # A POST action: no CSRF token, no cookie, only the Bearer header.
    upload = client.post("/api/v1/files", headers=bearer(token),
                         data={"file": (io.BytesIO(tiny_pdf()), "x.pdf")})
    assert upload.status_code == 201, upload.get_data(as_text=True)
    assert upload.get_json()["uploaded_by"] == user_id(app, "chuyenvien")
    file_id = upload.get_json()["id"]
    assert client.get(f"/api/v1/files/{file_id}/content", headers=bearer(token)).data == tiny_pdf()

    # Exactly the user's permissions: another user's token cannot read that private file.
    other = create_token(app, "vanthu", "Phần mềm văn thư")
    assert client.get(f"/api/v1/files/{file_id}", headers=bearer(other)).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(other)).get_json()["username"] == "vanthu"


def test_last_use_is_written_and_audited_at_most_once_per_window(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    token = create_token(app, "chuyenvien")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    row = token_row(app)
    assert row.last_used_at is not None and utcnow() - row.last_used_at < timedelta(minutes=1)
    [used] = events(app, "api_token_used")
    assert used.actor_id == row.user_id and used.object_kind == "api_token"
    assert used.object_id == str(row.id)

    # The window passes: the next use is written and audited again.
    earlier = utcnow() - TOUCH_EVERY - timedelta(seconds=1)
    with app.app_context():
        db.session.execute(update(ApiToken).values(last_used_at=earlier))
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert token_row(app).last_used_at > earlier  # type: ignore[operator]
    assert len(events(app, "api_token_used")) == 2


def test_revoked_unknown_and_locked_user_tokens_get_401(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    token = create_token(app, "chuyenvien")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    row_id = token_row(app).id
    runner = app.test_cli_runner()
    revoked = runner.invoke(args=["tokens", "revoke", str(row_id)])
    assert revoked.exit_code == 0, revoked.output
    [event] = events(app, "api_token_revoked")
    assert event.object_id == str(row_id) and event.actor_id is None
    assert token_row(app).revoked_at is not None
    again = runner.invoke(args=["tokens", "revoke", str(row_id)])
    assert again.exit_code == 0 and len(events(app, "api_token_revoked")) == 1
    assert runner.invoke(args=["tokens", "revoke", "9999"]).exit_code != 0

    expected = {"error": 401, "message": INVALID_TOKEN}
    for headers in (bearer(token), bearer("eo_" + "x" * 43), bearer("nonsense"), bearer("")):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401 and response.get_json() == expected
    post = client.post("/api/v1/files", headers=bearer(token),
                       data={"file": (io.BytesIO(tiny_pdf()), "x.pdf")})
    assert post.status_code == 401 and post.get_json() == expected

    locked = create_token(app, "vanthu", "Phần mềm văn thư")
    assert client.get("/api/v1/me", headers=bearer(locked)).status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.username == "vanthu").values(active=False))
        db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(locked))
    assert response.status_code == 401 and response.get_json() == expected
    refused = runner.invoke(args=["tokens", "create", "vanthu", "--name", "Mới"])
    assert refused.exit_code != 0 and not TOKEN_RE.search(refused.output)


def test_a_token_never_logs_in_on_pages(app: Flask, client: FlaskClient, demo: None) -> None:
    token = create_token(app, "chuyenvien")
    page = client.get("/my-work", headers=bearer(token))
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get("/files/", headers=bearer(token)).status_code == 302


def test_cookie_sessions_keep_csrf_and_never_stand_in_for_a_token(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = create_token(app, "chuyenvien")
    csrf = login_as("vanthu")
    pdf = {"file": (io.BytesIO(tiny_pdf()), "x.pdf")}
    assert client.post("/api/v1/files", data=pdf).status_code == 400  # cookie, no CSRF token
    assert client.post("/logout").status_code == 400  # a page: the same
    assert client.get("/api/v1/me").get_json()["username"] == "vanthu"

    # With a token, the token decides, never the browser's session beside it.
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["username"] == "chuyenvien"
    wrong = client.post("/api/v1/files", headers=bearer("eo_" + "y" * 43),
                        data={"file": (io.BytesIO(tiny_pdf()), "x.pdf")})
    assert wrong.status_code == 401
    assert client.get("/api/v1/me", headers=bearer("")).status_code == 401

    with_csrf = client.post("/api/v1/files", headers={"X-CSRFToken": csrf},
                            data={"file": (io.BytesIO(tiny_pdf()), "x.pdf")})
    assert with_csrf.status_code == 201


def test_the_admin_sees_a_users_tokens(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = create_token(app, "chuyenvien", "Cổng dịch vụ công")
    create_token(app, "chuyenvien", "Phần mềm kế toán")
    app.test_cli_runner().invoke(args=["tokens", "revoke", str(token_row_id(app, token))])
    login_as("admin")
    page = client.get(f"/admin/users/{user_id(app, 'chuyenvien')}").get_data(as_text=True)
    assert "Mã truy cập API" in page
    assert "Cổng dịch vụ công" in page and "Phần mềm kế toán" in page
    assert token[:8] in page and token not in page
    assert "Chưa dùng" in page and "Còn hiệu lực" in page
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", page)


def token_row_id(app: Flask, token: str) -> int:
    digest = hashlib.sha256(token.encode()).hexdigest()
    with app.app_context():
        return db.session.execute(
            select(ApiToken.id).where(ApiToken.token_hash == digest)
        ).scalar_one()
