"""Links built by commands (no request) point where people reach eoffice, or say why not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask, url_for

from eoffice.links import link_context
from eoffice.settings import Settings


def _app(tmp_path: Path, **settings: object) -> Flask:
    """A bare Flask app is enough: link_context needs only the settings and one route."""
    app = Flask(__name__)
    app.config["EOFFICE_SETTINGS"] = Settings.from_env(tmp_path, environ={}, secret_key="k" * 32,
                                                       **settings)
    app.add_url_rule("/meetings/<int:meeting_id>", "detail", lambda meeting_id: "")
    return app


def test_public_url_gives_absolute_and_relative_links_under_its_prefix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(tmp_path, public_url="https://so.gov.vn/eoffice", smtp_url="smtp://mail:25")
    with caplog.at_level(logging.WARNING), link_context(app):
        assert url_for("detail", meeting_id=7, _external=True) == \
            "https://so.gov.vn/eoffice/meetings/7"
        assert url_for("detail", meeting_id=7) == "/eoffice/meetings/7"
    assert "EOFFICE_PUBLIC_URL" not in caplog.text


def test_without_public_url_mail_links_point_at_localhost_and_a_warning_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(tmp_path, smtp_url="smtp://mail:25")
    with caplog.at_level(logging.WARNING), link_context(app):
        assert url_for("detail", meeting_id=7, _external=True) == "http://localhost/meetings/7"
    assert caplog.text.count("EOFFICE_PUBLIC_URL is not set") == 1

    caplog.clear()
    with caplog.at_level(logging.WARNING), link_context(_app(tmp_path)):
        pass  # no mail configured: no links leave the server, nothing to warn about
    assert caplog.text == ""
