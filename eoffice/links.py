"""Absolute links in messages that commands send, where no request tells us the site's address.

A web request knows the host people used, so ``url_for(..., _external=True)`` is right there.
A cron command (``meetings remind``, ``documents sweep-overdue``) has no request: Flask would
write ``http://localhost/...`` into the e-mail. EOFFICE_PUBLIC_URL says where people really
reach eoffice, including a path prefix when it is served under one (``https://so.gov.vn/eoffice``).
"""

from __future__ import annotations

from flask import Flask
from flask.ctx import RequestContext


def link_context(app: Flask) -> RequestContext:
    """A request context whose ``url_for`` builds links people can open; use it around sending.

    Without EOFFICE_PUBLIC_URL the links point at localhost, as before; when mail is configured
    that is almost certainly a mistake, so it is logged once per call (commands call it once).
    """
    settings = app.config["EOFFICE_SETTINGS"]
    if settings.public_url:
        return app.test_request_context("/", base_url=settings.public_url)
    if settings.smtp_url:
        app.logger.warning(
            "EOFFICE_PUBLIC_URL is not set: links in e-mail will point at http://localhost; "
            "set it to the address people use to reach eoffice"
        )
    return app.test_request_context("/")
