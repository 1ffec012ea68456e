"""Paperless meetings: the meeting domain and its Socket.IO namespace.

``init_app`` plugs the module into an eoffice application; ``eoffice`` never imports this package.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the meetings blueprint and Socket.IO namespace (added by the meetings work)."""
    app.extensions["eoffice.meetings"] = True
