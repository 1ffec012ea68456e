"""API tokens: how an integrator's program calls ``/api/v1`` as a user, without a browser.

An operator creates a token on the server (``flask --app wsgi tokens create USERNAME --name
LABEL``); it is printed once and only its SHA-256 is kept, with its first characters
(``prefix``) so people can tell their tokens apart. A request to ``/api/v1`` carrying
``Authorization: Bearer <token>`` is that user, with exactly the user's permissions, and only
that user: the cookie session is not consulted for it (``load_session_user`` steps aside), so
the request cannot borrow a browser's login. An unknown or revoked token, or one whose user is
locked, gets 401 JSON. Pages never accept a token: they keep cookie sessions.

CSRF protects cookie sessions, whose cookie a browser sends by itself; a Bearer header is never
sent by a browser on its own, so requests authenticated by one are exempt. Flask-WTF's default
check is therefore switched off and run here instead (``csrf.protect(apply_exemptions=True)``,
the documented hook) for every request that does not carry a token.

``last_used_at`` is written at most every ``TOUCH_EVERY`` per token, and that first use in the
window is an ``api_token_used`` event: a write per request would contend with real work for
SQLite's single writer.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import click
from flask import Flask, abort, g, has_request_context, request
from flask.cli import AppGroup
from sqlalchemy import ForeignKey, String, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import csrf, db, login_manager
from eoffice.timestamps import UTCDateTime, format_local, utcnow

TOKEN_PREFIX = "eo_"
PREFIX_LENGTH = 8
TOUCH_EVERY = timedelta(minutes=5)
API_PATH = "/api/v1"
INVALID_TOKEN = ("Mã truy cập API không hợp lệ, đã bị thu hồi hoặc tài khoản của nó đã bị "
                 "khóa.")

_G_KEY = "eoffice_bearer_user"


class ApiToken(db.Model):  # type: ignore[name-defined]
    """One integrator's credential for one user; usable until revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TokenError(ValueError):
    """A refused token action; the message is Vietnamese and shown as is."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` (in the caller's transaction): the row and the token itself,
    which exists nowhere else afterwards. ``actor`` None is the command line."""
    name = name.strip()
    if not name:
        raise TokenError("Cần đặt tên cho mã truy cập (--name).")
    if len(name) > 120:
        raise TokenError("Tên mã truy cập dài quá 120 ký tự.")
    if not user.active:
        raise TokenError(f"Tài khoản {user.username} đã bị khóa.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_hash(token),
                   prefix=token[:PREFIX_LENGTH])
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "api_token_created", "api_token", row.id,
                 user_ids=[user.id], name=name, prefix=row.prefix)
    return row, token


def revoke_token(actor: User | None, row: ApiToken) -> bool:
    """Revoke ``row`` (in the caller's transaction); False when it already was."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    audit.record(actor, "api_token_revoked", "api_token", row.id,
                 user_ids=[row.user_id], prefix=row.prefix)
    return True


def tokens_of(user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first (revoked ones included)."""
    return list(db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def user_for_token(token: str) -> User | None:
    """The active user ``token`` stands for, or None (unknown, revoked, user locked).

    Commits when it records a use (first thing in the request: nothing else is pending)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        # Conditional, so that of two requests arriving together only one writes and audits.
        touched = db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == row.id, or_(ApiToken.last_used_at.is_(None),
                                              ApiToken.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if touched:
            audit.record(user, "api_token_used", "api_token", row.id)
            db.session.commit()
        else:
            db.session.rollback()
    return user


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header on an ``/api/v1`` request, else None
    (pages, other schemes, no header). An empty token is ``""``: present, and refused."""
    if not has_request_context():
        return None
    path = request.path
    if path != API_PATH and not path.startswith(API_PATH + "/"):
        return None
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def request_user() -> User | None:
    """The user of this request's Bearer token, resolved once per request."""
    if _G_KEY not in g:
        token = bearer_token()
        setattr(g, _G_KEY, None if token is None else user_for_token(token))
    user: User | None = g.get(_G_KEY)
    return user


def init_app(app: Flask) -> None:
    """Authenticate ``/api/v1`` requests by token; CSRF for everything else; the commands."""
    # Flask-WTF's own check would refuse a token request (no CSRF token): run it ourselves.
    check_csrf = app.config.get("WTF_CSRF_CHECK_DEFAULT", True)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    login_manager.request_loader(lambda _request: request_user())

    @app.before_request
    def _api_token_or_csrf() -> None:
        if bearer_token() is not None:
            if request_user() is None:
                abort(401, description=INVALID_TOKEN)
            return
        if app.config["WTF_CSRF_ENABLED"] and check_csrf:
            csrf.protect(apply_exemptions=True)

    app.cli.add_command(_commands())


def _find_user(username: str) -> User:
    user = db.session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"Không tìm thấy người dùng {username}.")
    return user


def _commands() -> AppGroup:
    group = AppGroup("tokens", help="API tokens for integrators (Bearer on /api/v1).")

    @group.command("create")
    @click.argument("username")
    @click.option("--name", "label", required=True, help="Tên gợi nhớ, ví dụ: Cổng dịch vụ công.")
    def create_command(username: str, label: str) -> None:
        """Create a token for USERNAME and print it (once: only its hash is kept)."""
        user = _find_user(username)
        try:
            row, token = create_token(None, user, label)
        except TokenError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
        click.echo(f"Đã tạo mã truy cập #{row.id} «{row.name}» cho {user.username}.")
        click.echo("Mã chỉ hiển thị một lần này; hãy lưu ngay vào nơi an toàn:")
        click.echo(token)

    @group.command("revoke")
    @click.argument("token_id", type=int)
    def revoke_command(token_id: int) -> None:
        """Revoke token TOKEN_ID: it stops working at once."""
        row = db.session.get(ApiToken, token_id)
        if row is None:
            raise click.ClickException(f"Không có mã truy cập #{token_id}.")
        if not revoke_token(None, row):
            click.echo(f"Mã truy cập #{token_id} đã bị thu hồi từ trước.")
            return
        db.session.commit()
        click.echo(f"Đã thu hồi mã truy cập #{token_id} ({row.prefix}…).")

    @group.command("list")
    @click.argument("username")
    def list_command(username: str) -> None:
        """List USERNAME's tokens (never the tokens themselves)."""
        user = _find_user(username)
        rows = tokens_of(user.id)
        if not rows:
            click.echo(f"{user.username} chưa có mã truy cập nào.")
            return
        for row in rows:
            state = (f"thu hồi {format_local(row.revoked_at)}" if row.revoked_at
                     else "đang dùng được")
            used = format_local(row.last_used_at) or "chưa dùng"
            click.echo(f"#{row.id:<5} {row.prefix}…  {row.name}  — tạo "
                       f"{format_local(row.created_at)}, dùng lần cuối: {used}, {state}")

    return group
