"""Administration pages: users, units and the seal image of the administrator's organisation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from eoffice.accounts import tokens
from eoffice.accounts.forms import ImageUploadForm, UnitForm, UserForm
from eoffice.accounts.models import User
from eoffice.accounts.permissions import require_role
from eoffice.accounts.roles import ROLE_LABELS, Role
from eoffice.accounts.service import AccountError, create_user, update_user
from eoffice.accounts.views import png_response
from eoffice.extensions import db
from eoffice.organisation.models import Position
from eoffice.organisation.service import OrganisationError, create_unit, unit_tree
from eoffice.signing_keys import images

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _fill_choices(form: UserForm) -> None:
    org_id = current_user.organisation_id
    positions = db.session.execute(
        select(Position).where(Position.organisation_id == org_id).order_by(Position.title)
    ).scalars()
    form.position_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(p.id, p.title) for p in positions
    ]
    form.roles.choices = [
        SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()
        if role != Role.SUPER_ADMIN or Role.SUPER_ADMIN in current_user.roles
    ]
    units = [SelectChoice(u.id, "— " * depth + u.name) for depth, u in unit_tree(org_id)]
    form.unit_ids.choices = units
    form.head_of_unit_ids.choices = units


def _own_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


@bp.route("/users")
@require_role(Role.ADMIN)
def users() -> ResponseReturnValue:
    rows = db.session.execute(
        select(User).where(User.organisation_id == current_user.organisation_id)
        .order_by(User.full_name)
    ).scalars().all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def new_user() -> ResponseReturnValue:
    form = UserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            create_user(
                current_user,
                username=form.username.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
                organisation_id=current_user.organisation_id,
                roles=[Role(r) for r in form.roles.data or []],
                unit_ids=form.unit_ids.data or [],
                head_of_unit_ids=form.head_of_unit_ids.data or [],
                position_id=form.position_id.data or None,
                email=form.email.data,
            )
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Đã tạo người dùng.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def edit_user(user_id: int) -> ResponseReturnValue:
    user = _own_user_or_404(user_id)
    form = UserForm(obj=user)
    _fill_choices(form)
    form.username.data = user.username
    if not form.is_submitted():
        form.roles.data = [r.value for r in user.roles]
        form.unit_ids.data = [m.unit_id for m in user.memberships]
        form.head_of_unit_ids.data = [m.unit_id for m in user.memberships if m.is_head]
        form.position_id.data = user.position_id or 0
        form.active.data = user.active
    if form.validate_on_submit():
        try:
            update_user(
                current_user,
                user,
                full_name=form.full_name.data or "",
                roles=[Role(r) for r in form.roles.data or []],
                unit_ids=form.unit_ids.data or [],
                head_of_unit_ids=form.head_of_unit_ids.data or [],
                position_id=form.position_id.data or None,
                active=bool(form.active.data),
                email=form.email.data,
                new_password=form.password.data or None,
            )
        except AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Đã lưu thay đổi.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user,
                           api_tokens=tokens.tokens_of(user.id))


@bp.route("/units", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def units() -> ResponseReturnValue:
    form = UnitForm()
    tree = unit_tree(current_user.organisation_id)
    form.parent_id.choices = [SelectChoice(0, "— (cấp cao nhất)")] + [
        SelectChoice(u.id, "— " * depth + u.name) for depth, u in tree
    ]
    if form.validate_on_submit():
        try:
            create_unit(
                current_user,
                current_user.organisation,
                name=form.name.data or "",
                abbreviation=form.abbreviation.data or "",
                parent_id=form.parent_id.data or None,
            )
        except OrganisationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Đã thêm đơn vị.", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", form=form, tree=tree)


@bp.route("/seal", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def seal() -> ResponseReturnValue:
    """The organisation's seal image, shown by its digital signature on issued documents."""
    form = ImageUploadForm()
    if form.validate_on_submit():
        data = form.image.data.stream.read(images.MAX_IMAGE_BYTES + 1)
        images.set_seal_image(current_user, current_user.organisation, data)
        db.session.commit()
        flash("Đã lưu ảnh con dấu của cơ quan.", "success")
        return redirect(url_for("admin.seal"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "admin/seal.html", form=form, stored=images.seal_file(current_user.organisation),
        rules=images.SEAL_RULES, max_kb=images.MAX_IMAGE_BYTES // 1024), status


@bp.route("/seal/image.png")
@require_role(Role.ADMIN)
def seal_image() -> ResponseReturnValue:
    return png_response(images.seal_file(current_user.organisation))
