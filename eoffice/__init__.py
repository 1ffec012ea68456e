"""eoffice: official documents, signatures, meetings and evidence of work.

``create_app`` is the application factory; ``wsgi.py`` composes it with the meetings module.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from eoffice.extensions import csrf, db, login_manager, migrate, socketio
from eoffice.settings import Settings, SettingsError

__all__ = ["Settings", "SettingsError", "create_app"]

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the application. ``overrides`` replace settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    if settings is None:
        settings = Settings.from_env(Path(app.instance_path), **overrides)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.update(
        EOFFICE_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,  # room for form fields
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead: long forms must not expire
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese stays readable
    app.config.update(settings.extra)

    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx: the client's address, https, the host and a path prefix come from the
        # proxy's headers — from exactly that many hops, never from what a client sends.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops, x_prefix=hops)
    _init_extensions(app, settings)
    from eoffice.realtime.patches import install_all

    # Process-wide, explicit, version-guarded replacements of library internals (see module).
    app.extensions["eoffice.patches"] = install_all()
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    from eoffice.web import control_characters

    control_characters.init_app(app)

    from eoffice.cli import register_cli

    register_cli(app)
    return app


def _engine_options(settings: Settings) -> dict[str, Any]:
    from eoffice import json_columns

    database_url = settings.database_url
    codec = {"json_serializer": json_columns.dumps, "json_deserializer": json_columns.loads}
    if database_url.startswith("sqlite"):
        from eoffice import sqlite_writes

        # Writers wait their turn at a cooperative gate, never inside SQLite (see the module).
        # Requests waiting at the gate keep their connection, so the pool is wide enough that
        # readers (pages, the health check) never queue behind a burst of writers; a SQLite
        # connection costs a file handle and a small page cache.
        return {"connect_args": sqlite_writes.connect_args(settings.sqlite_write_wait_seconds),
                "pool_size": 20,
                "max_overflow": 80, "pool_timeout": 20, **codec}
    from eoffice import database_busy

    # A request waits at most this long for a lock or a connection, then gets 503 (never hangs).
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20,
            "pool_timeout": database_busy.POOL_TIMEOUT_SECONDS,
            "connect_args": {"options": f"-c lock_timeout={database_busy.POSTGRES_LOCK_TIMEOUT}"},
            **codec}


def _init_extensions(app: Flask, settings: Settings) -> None:
    from sqlalchemy import event

    from eoffice.accounts.service import load_session_user
    from storage import open_store

    db.init_app(app)
    if settings.database_url.startswith("sqlite"):
        with app.app_context():
            from eoffice import sqlite_writes

            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(connection: Any, _record: Any) -> None:
                sqlite_writes.on_connect(connection)

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_session_user)
    from eoffice.accounts import tokens

    tokens.init_app(app)  # Bearer tokens on /api/v1; CSRF for cookie sessions only

    @login_manager.unauthorized_handler
    def _unauthorized() -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return jsonify(error="unauthorized", message="Cần đăng nhập."), 401
        from flask import flash, redirect, url_for

        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

    try:
        store = open_store(settings.storage_url, base_dir=settings.instance_path.parent)
    except ValueError as error:
        raise SettingsError("EOFFICE_STORAGE_URL", str(error)) from None
    app.extensions["eoffice.object_store"] = store
    from eoffice.files import orphans

    orphans.init_app(app)

    from eoffice.realtime.socket_queue import client_manager

    socketio.init_app(
        app,
        client_manager=client_manager(settings.redis_url),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        # None keeps Engine.IO's same-origin check: a page on another site cannot open a
        # socket with the user's cookie. List extra origins only for a separate front-end.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
        logger=False,
        engineio_logger=False,
    )


def _register_blueprints(app: Flask) -> None:
    from eoffice.accounts.admin_views import bp as admin_bp
    from eoffice.accounts.views import bp as accounts_bp
    from eoffice.api.views import bp as api_bp
    from eoffice.files.views import bp as files_bp
    from eoffice.web.views import bp as web_bp

    for blueprint in (web_bp, accounts_bp, admin_bp, files_bp, api_bp):
        app.register_blueprint(blueprint)

    # Each domain module plugs itself in: blueprints, navigation entries, "my work" sections.
    from eoffice import (
        audit,
        documents,
        exchange,
        health,
        jobs,
        mail,
        metrics,
        organisation,
        rate_limits,
        reports,
        request_log,
        tasks,
    )

    for module in (jobs, request_log, metrics, health, rate_limits, audit, mail, documents,
                   exchange, tasks, reports, organisation):
        module.init_app(app)
    # Exchange with other installations (the axis client, its inbox poll, the hub).
    from eoffice.exchange import axis as exchange_axis

    exchange_axis.init_app(app)
    # Remote signing (CSC API): the admin page, its API and the signing dialog's OTP helper.
    from eoffice.signing_keys import remote_views as signing_remote

    signing_remote.init_app(app)

    # The notification centre, after the modules whose objects it names and links to.
    from eoffice import notifications

    notifications.init_app(app)


ERROR_TEXT = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc đối tượng yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    409: "Thao tác không hợp lệ ở trạng thái hiện tại.",
    413: "Tệp hoặc dữ liệu gửi lên vượt quá dung lượng cho phép.",
    429: "Quá nhiều yêu cầu; vui lòng thử lại sau.",
    500: "Đã có lỗi trong hệ thống; sự cố đã được ghi nhận.",
    503: "Dịch vụ tạm thời không sẵn sàng.",
}


#: What a user reads when the object store cannot be reached (any route, page or API).
STORAGE_UNAVAILABLE = ("Kho lưu trữ tệp tạm thời không phản hồi; thao tác chưa được thực hiện. "
                       "Vui lòng thử lại sau ít phút.")


def _same_site_referrer() -> str | None:
    """The page a form was posted from, when it is one of ours (never an outside address)."""
    from urllib.parse import urlsplit

    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _register_error_handlers(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from eoffice import database_busy
    from eoffice.errors import DomainError
    from storage import CorruptObject, ObjectNotFound, StorageError, StorageUnavailable

    def render_error(code: int, description: str | None) -> ResponseReturnValue:
        message = ERROR_TEXT.get(code, "Đã có lỗi xảy ra.")
        detail = description if description and not description.isascii() else None
        if request.path.startswith("/api/"):
            return jsonify(error=code, message=detail or message), code
        return render_template("error.html", code=code, message=message, detail=detail), code

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; hãy tải lại trang."
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        return render_error(error.code or 500, error.description)

    @app.errorhandler(DomainError)
    def _refused(error: DomainError) -> ResponseReturnValue:
        # A service refused (eoffice.errors): nothing it did stays. The API answers the status
        # with the message; a page gets the message back on the page it came from, or an
        # error page when there is nothing to go back to (not found, forbidden, conflict).
        db.session.rollback()
        if request.path.startswith("/api/") or error.status != 400:
            return render_error(error.status, error.message)
        flash(error.message, "error")
        return redirect(_same_site_referrer() or url_for("web.my_work"), code=303)

    @app.errorhandler(StorageError)
    def _storage(error: StorageError) -> ResponseReturnValue:
        # Every read path (signing, meetings, exports, downloads) ends here when the object
        # store fails: the work was not done, and the clerk is told why in plain words.
        db.session.rollback()
        if isinstance(error, StorageUnavailable):
            app.logger.warning("object store unavailable on %s %s: %s", request.method,
                               request.path, error)
            response = render_error(503, STORAGE_UNAVAILABLE)
            return response[0], 503, {"Retry-After": "10"}  # type: ignore[index]
        app.logger.error("object store error on %s %s: %s", request.method, request.path,
                         error)
        if isinstance(error, CorruptObject):
            return render_error(500, "Tệp lưu trữ bị hỏng (không khớp mã băm); thao tác chưa "
                                     "được thực hiện và sự cố đã được ghi nhận.")
        if isinstance(error, ObjectNotFound):
            return render_error(500, "Không tìm thấy tệp trong kho lưu trữ; thao tác chưa được "
                                     "thực hiện và sự cố đã được ghi nhận.")
        return render_error(503, STORAGE_UNAVAILABLE)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        if database_busy.is_busy(error):
            app.logger.warning("database busy on %s %s: %s", request.method, request.path,
                               error)
            response = render_error(503, database_busy.MESSAGE)
            return response[0], 503, {"Retry-After": "2"}  # type: ignore[index]
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500, None)


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from eoffice.accounts.permissions import has_role
    from eoffice.accounts.roles import Role
    from eoffice.timestamps import format_local
    from eoffice.web.dates import DAY_PATTERN, show_day

    app.jinja_env.filters["local_time"] = format_local
    app.jinja_env.filters["day"] = show_day  # dates shown as dd/mm/yyyy
    # Events in plain Vietnamese (who did what, for whom, with the note): ``events|history``.
    from eoffice.audit.phrases import history, person_name

    app.jinja_env.filters["history"] = history
    app.jinja_env.filters["person_name"] = person_name  # a user id shown as a name
    app.jinja_env.globals["day_pattern"] = DAY_PATTERN

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from eoffice.web.navigation import nav_for

        items = nav_for(current_user) if current_user.is_authenticated else []
        return {
            "Role": Role,
            "has_role": lambda *roles: has_role(current_user, *roles),
            "nav_items": items,
        }


PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "serial=(), bluetooth=(), magnetometer=(), gyroscope=(), "
                      "accelerometer=(), interest-cohort=()")


def _register_security_headers(app: Flask) -> None:
    secure = app.config["EOFFICE_SETTINGS"].secure_cookies

    @app.after_request
    def _headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # WebSockets only to this very host (browsers differ on whether 'self' covers ws:).
        host = request.host
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            f"connect-src 'self' ws://{host} wss://{host}; worker-src 'self' blob:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        )
        if secure:  # served over HTTPS: browsers must never come back over plain HTTP
            headers.setdefault("Strict-Transport-Security",
                               "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/"):
            # Pages, API answers and downloads carry people's documents: never kept by a
            # browser cache or a proxy (a shared computer, the back button after logout).
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
