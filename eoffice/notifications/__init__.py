"""The notification centre: notifications stored per user from the audit trail, the bell with
the unread count in the top bar (updated live over ``/notify``), the list page, mark as read.

``init_app`` subscribes the store to the audit trail and registers the pages, the API and the
bell's count for every page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError


def init_app(app: Flask) -> None:
    from eoffice.audit.service import add_listener
    from eoffice.extension_points import register
    from eoffice.notifications import models  # noqa: F401  (tables known to the metadata)
    from eoffice.notifications.actions import NOTIFICATION_SCHEMA
    from eoffice.notifications.service import listen_once, on_event, unread_count
    from eoffice.notifications.views import api, bp

    add_listener(app, on_event)
    listen_once()
    app.register_blueprint(bp)
    app.register_blueprint(api)
    register(app, "api_schemas", {"Notification": NOTIFICATION_SCHEMA})

    @app.context_processor
    def _bell() -> dict[str, Any]:
        if not getattr(current_user, "is_authenticated", False):
            return {}
        try:
            return {"unread_notifications": unread_count(current_user.id)}
        except SQLAlchemyError:  # an error page while the database is down still renders
            return {}
