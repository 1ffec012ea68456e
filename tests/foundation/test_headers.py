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


def test_behind_one_trusted_proxy_links_keep_https_the_host_and_the_prefix(
    database_url: str, tmp_path: Path
) -> None:
    """nginx terminates TLS and serves eoffice under /eoffice: links (e-mail, redirects) must
    say https://so.gov.vn/eoffice/…, and the audit must see the client, not 127.0.0.1."""
    from flask import request, url_for

    app = make_app(tmp_path, database_url, trusted_proxies=1)
    seen: dict[str, str] = {}

    @app.get("/probe-proxy")
    def probe() -> str:
        seen.update(link=url_for("accounts.login", _external=True),
                    client=request.remote_addr or "")
        return "ok"

    headers = {"X-Forwarded-For": "203.113.1.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "so.gov.vn", "X-Forwarded-Prefix": "/eoffice"}
    assert app.test_client().get("/probe-proxy", headers=headers).status_code == 200
    assert seen == {"link": "https://so.gov.vn/eoffice/login", "client": "203.113.1.7"}
    # Without a trusted proxy the same headers are a client's claims and change nothing.
    plain = make_app(tmp_path / "plain", database_url)
    plain.add_url_rule("/probe-proxy", view_func=probe)
    plain.test_client().get("/probe-proxy", headers=headers)
    assert seen["client"] == "127.0.0.1" and seen["link"].startswith("http://localhost/")
