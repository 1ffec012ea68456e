"""Security headers on every answer (issue #17, item 16)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app


def test_pages_api_and_downloads_are_never_cached_static_assets_are(
    client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    login_as("vanthu")
    for path in ("/my-work", "/api/v1/me", "/login"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
    assert client.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"


def test_policy_headers(client: FlaskClient, app: Flask) -> None:
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    connect = next(part for part in policy.split(";") if "connect-src" in part).split()
    # WebSockets to this host only, never "ws:" (any host) as before.
    assert connect == ["connect-src", "'self'", "ws://localhost", "wss://localhost"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_when_served_over_https(database_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, database_url, secure_cookies=True)
    response = app.test_client().get("/login", base_url="https://eoffice.example.vn")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "wss://eoffice.example.vn" in response.headers["Content-Security-Policy"]
