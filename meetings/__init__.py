"""Paperless meetings: the meeting domain and its Socket.IO namespace.

``init_app`` plugs the module into an eoffice application; ``eoffice`` never imports this package.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the ``/meeting`` namespace, navigation, "my work" and file rule."""
    if app.extensions.get("eoffice.meetings"):
        return
    from eoffice.files.access import register_file_rule
    from eoffice.web.my_work import register_section
    from eoffice.web.navigation import NavEntry, register_nav
    from meetings import service
    from meetings.namespace import init_socketio
    from meetings.views import bp, my_work_section

    app.register_blueprint(bp)
    init_socketio(app)
    register_nav(NavEntry("Cuộc họp", "meetings.index"))
    register_section("meetings", my_work_section)
    register_file_rule(service.file_rule)
    app.extensions["eoffice.meetings"] = True
