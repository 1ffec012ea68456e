"""Task pages: list, assign, detail with the actions allowed to the viewer.

The acts on a task (accept, report, extend, complete, review, rate) are declared once in
``eoffice.tasks.actions``; their page routes are derived from there, and their refusals are
answered by the app's one handler.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from eoffice.accounts.models import User
from eoffice.actions.routes import add_page_routes
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.reports.links import link_for
from eoffice.tasks import service
from eoffice.tasks.actions import deadline_from  # importing it declares the acts
from eoffice.tasks.forms import (
    AssignForm,
    CompleteForm,
    ExtensionForm,
    ProgressForm,
    ReviewForm,
)
from eoffice.timestamps import VIETNAM, utcnow

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _from_local(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=VIETNAM)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    mine = service.tasks_for(current_user)
    given = service.tasks_for(current_user, role="assigner")
    return render_template(
        "tasks/index.html", mine=mine, given=given, labels=service.STATE_LABELS,
        priorities=service.PRIORITIES, can_assign=service.can_assign(current_user), now=utcnow(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if not service.can_assign(current_user):
        abort(403)
    form = AssignForm()
    org = current_user.organisation_id
    form.assignee_ids.choices = [
        SelectChoice(u.id, f"{u.full_name} ({u.title})" if u.title else u.full_name)
        for u in db.session.execute(
            select(User).where(User.organisation_id == org, User.active.is_(True))
            .order_by(User.full_name)).scalars()]
    form.unit_ids.choices = [SelectChoice(u.id, u.name) for u in db.session.execute(
        select(Unit).where(Unit.organisation_id == org).order_by(Unit.name)).scalars()]
    source_kind = request.args.get("source_kind") or None
    source_id = request.args.get("source_id", type=int)
    status = 200
    if form.validate_on_submit():
        try:
            task = service.assign_task(
                current_user, title=form.title.data or "", description=form.description.data or "",
                assignee_ids=form.assignee_ids.data or [], unit_ids=form.unit_ids.data or [],
                deadline=deadline_from(_from_local(form.deadline.data), form.working_days.data),
                priority=form.priority.data or "normal",
                source_kind=source_kind, source_id=source_id,
            )
        except service.InvalidTask as error:
            # Shown on the form, which keeps what was typed (the app's handler would send
            # the person back to an empty one); other refusals go to that handler.
            db.session.rollback()
            flash(str(error), "error")
            status = 400
        else:
            db.session.commit()
            flash("Đã giao việc.", "success")
            return redirect(url_for("tasks.detail", task_id=task.id))
    elif request.method == "POST":
        status = 400
    return render_template("tasks/new.html", form=form), status


@bp.route("/<int:task_id>")
@login_required
def detail(task_id: int) -> ResponseReturnValue:
    task = service.get_visible(current_user, task_id)
    return render_template(
        "tasks/detail.html", task=task, labels=service.STATE_LABELS,
        priorities=service.PRIORITIES, transitions=service.TRANSITIONS,
        is_assignee=service.is_assignee(current_user, task),
        is_assigner=service.is_assigner(current_user, task),
        progress_form=ProgressForm(), complete_form=CompleteForm(),
        extension_form=ExtensionForm(), review_form=ReviewForm(), now=utcnow(),
        link_for=link_for,
    )


# Every act on a task: its page route comes from its declaration (eoffice.tasks.actions).
add_page_routes(bp, "tasks")
