"""Pages of the super-administrator: the installation's organisations (list, create, edit,
first administrator). Edits and the first administrator post to the routes derived from
the declarations (``eoffice.organisation.actions``); creation has its own route here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import require_role
from eoffice.accounts.roles import Role
from eoffice.actions.parsing import parse_model
from eoffice.actions.routes import add_page_routes
from eoffice.extensions import db
from eoffice.organisation.actions import OrganisationInput
from eoffice.organisation.models import Organisation
from eoffice.organisation.organisations import (
    all_organisations,
    create_organisation,
    details_of,
    organisation_or_404,
)
from eoffice.organisation.provisioning import demo_pki_in_use
from eoffice.signing_keys import has_seal_certificate, seal_file

#: The roles an organisation needs before documents can flow (shown on its page).
NEEDED_ROLES = (Role.ADMIN, Role.CLERK, Role.LEADER, Role.UNIT_HEAD, Role.SPECIALIST)

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


@bp.get("")
@require_role(Role.SUPER_ADMIN)
def index() -> ResponseReturnValue:
    """The installation's organisations as a tree, with their number of users."""
    counts = dict(db.session.execute(
        select(User.organisation_id, func.count(User.id)).group_by(User.organisation_id)
    ).tuples().all())
    return render_template("organisation/list.html", tree=all_organisations(), counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.SUPER_ADMIN)
def new() -> ResponseReturnValue:
    """The form for a new organisation, and its creation (with its registers)."""
    if request.method == "POST":
        organisation = create_organisation(current_user, parse_model(OrganisationInput).details())
        db.session.commit()
        flash(f"Đã tạo cơ quan {organisation.name}.", "success")
        return redirect(url_for("organisations.detail", organisation_id=organisation.id),
                        code=303)
    return render_template("organisation/form.html", organisation=None, details=None,
                           parents=all_organisations())


@bp.get("/<int:organisation_id>")
@require_role(Role.SUPER_ADMIN)
def detail(organisation_id: int) -> ResponseReturnValue:
    """An organisation's details (the edit form), readiness and administrators."""
    organisation = organisation_or_404(current_user, organisation_id)
    admins = db.session.execute(
        select(User).where(User.organisation_id == organisation.id,
                           User.role_rows.any(role=Role.ADMIN.value)).order_by(User.username)
    ).scalars().all()
    parents = [(depth, o) for depth, o in all_organisations() if o.id != organisation.id]
    return render_template("organisation/form.html", organisation=organisation,
                           details=details_of(organisation), parents=parents, admins=admins,
                           readiness=_readiness(organisation))


def _readiness(organisation: Organisation) -> list[tuple[str, bool, str]]:
    """What the organisation has of what it needs to work: (label, ready, detail)."""
    people = db.session.execute(select(User).where(
        User.organisation_id == organisation.id, User.active.is_(True))).scalars().all()
    rows = []
    for role in NEEDED_ROLES:
        count = sum(1 for person in people if role in person.roles)
        rows.append((role.label, count > 0, f"{count} người"))
    seal = seal_file(organisation) is not None
    rows.append(("Ảnh con dấu", seal, "đã có" if seal else "quản trị cơ quan tải lên"))
    if demo_pki_in_use():  # a real CA's certificates are not kept here
        certificate = has_seal_certificate(organisation)
        rows.append(("Chứng thư số của cơ quan (hệ thống thử nghiệm)", certificate,
                     "đã cấp" if certificate else "chưa cấp"))
    return rows


# Editing and the first administrator: page routes from their declarations.
add_page_routes(bp, "organisations")
