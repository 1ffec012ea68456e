"""The notification list page and its JSON twin; the acts on a notification are declared in
``actions`` (page and API routes derived from there)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.actions.routes import add_api_routes, add_page_routes
from eoffice.api.openapi import documented, ref
from eoffice.notifications import service
from eoffice.notifications.actions import notification_json

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
api = Blueprint("notifications_api", __name__, url_prefix="/api/v1")
PER_PAGE = 50


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    notes = service.recent(current_user, page=page, per_page=PER_PAGE)
    return render_template("web/notifications.html", notes=notes, page=page,
                           more=len(notes) == PER_PAGE,
                           unread=service.unread_count(current_user.id))


@api.get("/notifications")
@documented("Thông báo của tôi, mới nhất trước (page: trang, 50 thông báo mỗi trang)",
            {"type": "object", "properties": {
                "unread": {"type": "integer"},
                "items": {"type": "array", "items": ref("Notification")}}})
@login_required
def api_list() -> ResponseReturnValue:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    notes = service.recent(current_user, page=page, per_page=PER_PAGE)
    return jsonify(unread=service.unread_count(current_user.id),
                   items=[notification_json(n) for n in notes])


add_page_routes(bp, "notifications")
add_api_routes(api, "notifications")
