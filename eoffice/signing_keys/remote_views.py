"""The administrator's remote signing page and API; the signing dialog's OTP field.

``/admin/remote-signing``: the organisation's remote signing services and which signer (or
the seal) signs with which credential; the forms post the declared actions
(``remote_actions``). ``GET /api/v1/remote-signing/<organisation_id>`` reads the same.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role, require_role
from eoffice.accounts.roles import Role
from eoffice.actions.routes import add_api_routes, add_page_routes
from eoffice.api.openapi import documented, ref
from eoffice.extension_points import register
from eoffice.extensions import db
from eoffice.signing_keys import remote
from eoffice.signing_keys.remote_actions import (
    REMOTE_SIGNING_SCHEMA,
    SCHEMA_NAME,
    administered,
    as_json,
)
from eoffice.signing_keys.signers import needs_otp

bp = Blueprint("remote_signing", __name__, url_prefix="/admin/remote-signing")
api = Blueprint("remote_signing_api", __name__, url_prefix="/api/v1")


def _signers(organisation_id: int) -> list[User]:
    """Who may be linked: the organisation's leaders and meeting secretaries."""
    users = db.session.scalars(select(User).where(User.organisation_id == organisation_id)
                               .order_by(User.full_name))
    return [u for u in users if has_role(u, Role.LEADER, Role.MEETING_SECRETARY)
            and Role.ADMIN not in u.roles]


@bp.get("")
@require_role(Role.ADMIN)
def page() -> ResponseReturnValue:
    """Services, credential links and the forms to change them."""
    organisation = administered(current_user, current_user.organisation_id)
    signers = _signers(organisation.id)
    return render_template(
        "admin/remote_signing.html", organisation=organisation,
        services=remote.services_of(organisation), links=remote.links_of(organisation),
        signers=signers, names={u.id: u.full_name for u in signers})


@api.get("/remote-signing/<int:organisation_id>")
@documented("Dịch vụ ký số từ xa của cơ quan và các liên kết chứng thư (quản trị cơ quan)",
            ref(SCHEMA_NAME), errors=(401, 404))
@login_required
def read(organisation_id: int) -> ResponseReturnValue:
    """The organisation's services and links, for its administrator (else 404)."""
    return jsonify(as_json(administered(current_user, organisation_id)))


add_page_routes(bp, "remote-signing")
add_api_routes(api, "remote-signing")


def _template_helpers() -> dict[str, Any]:
    """``signing_needs_otp(user=…)`` / ``(organisation=…)``: show the OTP field."""
    return {"signing_needs_otp": needs_otp}


def init_app(app: Flask) -> None:
    """Plug remote signing in: the admin page, the API and its schema, the dialog helper."""
    app.register_blueprint(bp)
    app.register_blueprint(api)
    register(app, "api_schemas", {SCHEMA_NAME: REMOTE_SIGNING_SCHEMA})
    app.context_processor(_template_helpers)
