"""Liveness and readiness: what a load balancer, an orchestrator and an operator poll.

``/api/v1/health/live`` says only that this process answers (restart it if not).
``/api/v1/health/ready`` says whether it can do its work: the database answers, Redis (when
configured) answers, the object store answers, a DOCX→PDF converter is there, and a job worker
has reported within the last minutes. A failing part answers 503 naming it, so the balancer
sends traffic elsewhere while the operator reads which part is down.

The job worker's heartbeat is a value in the job broker's own store (Redis or the SQLite queue
file), written when a worker starts and every minute after: no table grows with it.
"""

from __future__ import annotations

import os
import shutil
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from flask import Blueprint, Flask, current_app
from flask.typing import ResponseReturnValue
from huey import crontab
from sqlalchemy import text

from eoffice.api.openapi import documented
from eoffice.extensions import db
from formats.conversion import WarmConverter, default_converter
from storage import StorageError

bp = Blueprint("health", __name__, url_prefix="/api/v1/health")

HEARTBEAT_KEY = "eoffice.worker_heartbeat"
#: A worker that has not reported for this long is taken for gone (it reports every minute).
HEARTBEAT_STALE = timedelta(minutes=3)
OK = "ok"

LIVE_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"status": {"enum": ["ok"]}}}
READY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "status": {"enum": ["ok", "degraded"]},
    "failing": {"type": "array", "items": {"type": "string"}},
    "checks": {"type": "object", "additionalProperties": {"type": "string"}}}}


def _problem(error: BaseException) -> str:
    return f"lỗi: {type(error).__name__}"


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return OK
    except Exception as error:  # a check reports; it never crashes the probe
        db.session.rollback()
        return _problem(error)


def check_redis(url: str) -> str:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return OK
    except Exception as error:
        return _problem(error)


def check_storage() -> str:
    try:
        current_app.extensions["eoffice.object_store"].exists("0" * 64)
        return OK
    except StorageError as error:
        return _problem(error)


def check_converter() -> str:
    """A converter can run: the warm server is up or can start, else ``soffice`` exists."""
    converter = default_converter()
    if isinstance(converter, WarmConverter) and converter.server_pid is not None:
        return OK
    if shutil.which("soffice") or shutil.which("libreoffice"):
        return OK
    return "lỗi: không tìm thấy LibreOffice (soffice)"


def check_worker() -> str:
    try:
        beat = current_app.extensions["eoffice.huey"].get(HEARTBEAT_KEY, peek=True)
    except Exception as error:
        return _problem(error)
    if not beat:
        return "lỗi: chưa có tiến trình xử lý việc nền nào báo hoạt động"
    seen = datetime.fromisoformat(beat["at"])
    if datetime.now(UTC) - seen > HEARTBEAT_STALE:
        return f"lỗi: tiến trình xử lý việc nền im lặng từ {seen:%H:%M:%S} UTC"
    return OK


def readiness() -> dict[str, str]:
    """Each part's state, "ok" or what is wrong."""
    settings = current_app.config["EOFFICE_SETTINGS"]
    checks = {"database": check_database()}
    if settings.redis_url:
        checks["redis"] = check_redis(settings.redis_url)
    checks["storage"] = check_storage()
    checks["converter"] = check_converter()
    checks["worker"] = check_worker()
    return checks


@bp.get("/live")
@documented("Tiến trình còn trả lời (không kiểm tra các thành phần khác)", LIVE_SCHEMA,
            public=True, errors=())
def live() -> ResponseReturnValue:
    """This process answers; nothing else is checked (a slow database must not get every
    process restarted)."""
    return {"status": OK}


@bp.get("/ready")
@documented("Sẵn sàng phục vụ: cơ sở dữ liệu, Redis, kho tệp, bộ chuyển đổi, tiến trình việc "
            "nền (503 nêu phần không sẵn sàng)", READY_SCHEMA, public=True, errors=())
def ready() -> ResponseReturnValue:
    """Every part this process needs, as JSON; 503 naming the failing ones."""
    checks = readiness()
    failing = sorted(part for part, state in checks.items() if state != OK)
    body = {"status": "degraded" if failing else OK, "failing": failing, "checks": checks}
    return body, 503 if failing else 200


def beat(huey: Any) -> None:
    """Record that a worker of this broker is alive now."""
    huey.put(HEARTBEAT_KEY, {"at": datetime.now(UTC).isoformat(),
                             "worker": f"{socket.gethostname()}:{os.getpid()}"})


def init_app(app: Flask) -> None:
    """The two probes, and the worker's heartbeat on the app's broker (after ``jobs``)."""
    app.register_blueprint(bp)
    huey = app.extensions["eoffice.huey"]

    @huey.on_startup(name="eoffice.worker_heartbeat_start")
    def _started() -> None:
        beat(huey)

    @huey.periodic_task(crontab(minute="*"), name="eoffice.worker_heartbeat")
    def _heartbeat() -> None:
        beat(huey)
