"""Structured logs with a request id, and optional error reports to a Sentry-compatible server.

Every request carries an id: the one a proxy sent in ``X-Request-ID`` (when it looks like an
id), else a new one; it is answered in ``X-Request-ID`` and stamped on every log line the
request writes, so one complaint ("it failed at 10:02, id 5f3a…") leads to the lines of that
request across nginx, the app and the error report. Lines are JSON objects, one per line, for
a log shipper to index without parsing prose (``EOFFICE_LOG_FORMAT=text`` for a console).

``EOFFICE_SENTRY_DSN`` sends unhandled errors (and error-level log lines) to a Sentry or a
self-hosted compatible server (GlitchTip); without it nothing is initialised or sent. No
personal data is sent: no cookies, no form bodies, no user names.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from flask import Flask, Response, g, has_request_context, request
from sentry_sdk.integrations.flask import FlaskIntegration

HEADER = "X-Request-ID"
_GIVEN_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
ACCESS_LOGGER = "eoffice.requests"
_HANDLER_NAME = "eoffice-structured"


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        for key in ("method", "path", "status", "duration_ms", "endpoint"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (a test harness or a daemon may replace it)."""

    def __init__(self) -> None:
        super().__init__()
        self._stream: Any = None

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return self._stream if self._stream is not None else sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        self._stream = None if value is sys.stderr else value


class _RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records for text formats (``%(request_id)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() or "-"
        return True


def configure_logging(log_format: str) -> logging.Handler:
    """Give the ``eoffice`` loggers one stderr handler in ``log_format`` (once per process)."""
    logger = logging.getLogger("eoffice")
    for handler in logger.handlers:
        if handler.get_name() == _HANDLER_NAME:
            return handler
    handler = _StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(_RequestIdFilter())
    if log_format == "text":
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler


def init_sentry(dsn: str, environment: str | None = None) -> None:
    """Report unhandled errors to the server at ``dsn`` (process-wide, as the SDK is)."""
    # No personal data (the default), no request bodies, and no local variables: a frame of
    # the signing code holds a PIN, one of the login code a password.
    sentry_sdk.init(dsn=dsn, integrations=[FlaskIntegration()], environment=environment,
                    traces_sample_rate=0.0, max_request_body_size="never",
                    include_local_variables=False)


def init_app(app: Flask) -> None:
    """Request ids in and out, one access line per request, and Sentry when configured."""
    settings = app.config["EOFFICE_SETTINGS"]
    configure_logging(settings.log_format)
    if settings.sentry_dsn:
        init_sentry(settings.sentry_dsn)
    access = logging.getLogger(ACCESS_LOGGER)

    @app.before_request
    def _assign_request_id() -> None:
        given = request.headers.get(HEADER, "")
        g.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_log_started = time.perf_counter()
        sentry_sdk.set_tag("request_id", g.request_id)

    @app.after_request
    def _answer_request_id(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers[HEADER] = rid
            started = g.get("request_log_started", time.perf_counter())
            access.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "status": response.status_code,
                "endpoint": request.endpoint, "request_id": rid,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
