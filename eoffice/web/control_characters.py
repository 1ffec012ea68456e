"""Requests carrying a NUL byte in a field, a file name or a JSON string are refused at once.

PostgreSQL cannot store NUL in text, so such a value used to fail deep inside a request with
a 500 (and SQLite would store it, so the two databases disagreed). No person types one; it
is refused with a clear message before any work starts.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request

MESSAGE = ("Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL); hãy kiểm tra lại tên tệp "
           "và nội dung.")


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item, depth + 1) for item in value)
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            values: list[Any] = list(request.args.values())
        else:
            values = [*request.args.values(), *request.form.values(),
                      *(f.filename or "" for f in request.files.values())]
            if request.is_json:
                values.append(request.get_json(silent=True))
        if any(_has_nul(value) for value in values):
            abort(400, description=MESSAGE)
