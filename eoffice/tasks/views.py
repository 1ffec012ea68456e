"""Task pages: list, assign, detail with the actions allowed to the viewer."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, save_upload
from eoffice.organisation.models import Unit
from eoffice.reports.calendar import add_working_days
from eoffice.reports.links import link_for
from eoffice.tasks import service
from eoffice.tasks.forms import (
    ActionForm,
    AssignForm,
    CompleteForm,
    ExtensionForm,
    ProgressForm,
    ReviewForm,
)
from eoffice.tasks.models import Task, TaskExtension
from eoffice.timestamps import VIETNAM, utcnow

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def task_or_404(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not service.can_view(current_user, task):
        abort(404)
    return task


def _from_local(value: datetime) -> datetime:
    return value.replace(tzinfo=VIETNAM)


def _uploads(field_data: list) -> list[StoredFile]:
    stored = []
    for upload in field_data or []:
        if upload and upload.filename:
            stored.append(save_upload(current_user, upload.stream, upload.filename))
    return stored


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
        if form.working_days.data:
            deadline = add_working_days(utcnow(), form.working_days.data)
        elif form.deadline.data:
            deadline = _from_local(form.deadline.data)
        else:
            deadline = None
        try:
            if deadline is None:
                raise service.TaskError("Cần chọn thời hạn hoặc số ngày làm việc.")
            task = service.assign_task(
                current_user, title=form.title.data or "", description=form.description.data or "",
                assignee_ids=form.assignee_ids.data or [], unit_ids=form.unit_ids.data or [],
                deadline=deadline, priority=form.priority.data or "normal",
                source_kind=source_kind, source_id=source_id,
            )
        except service.TaskError as error:
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
    task = task_or_404(task_id)
    return render_template(
        "tasks/detail.html", task=task, labels=service.STATE_LABELS,
        priorities=service.PRIORITIES, transitions=service.TRANSITIONS,
        is_assignee=service.is_assignee(current_user, task),
        is_assigner=service.is_assigner(current_user, task),
        progress_form=ProgressForm(), complete_form=CompleteForm(),
        extension_form=ExtensionForm(), review_form=ReviewForm(), now=utcnow(),
        link_for=link_for,
    )


def _done(task: Task, message: str) -> ResponseReturnValue:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


def _refused(task: Task, error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    flash(str(error), "error")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.post("/<int:task_id>/accept")
@login_required
def accept(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.accept_task(current_user, task)
    except service.TaskError as error:
        return _refused(task, error)
    return _done(task, "Đã nhận việc.")


@bp.post("/<int:task_id>/progress")
@login_required
def progress(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = ProgressForm()
    if not form.validate_on_submit():
        return _refused(task, service.TaskError("Tỷ lệ hoàn thành phải từ 0 đến 100."))
    try:
        files = _uploads(form.files.data)
        service.report_progress(current_user, task, percent=form.percent.data or 0,
                                note=form.note.data or "", files=files)
    except (service.TaskError, UploadError) as error:
        return _refused(task, error)
    return _done(task, "Đã báo cáo tiến độ.")


@bp.post("/<int:task_id>/complete")
@login_required
def complete(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = CompleteForm()
    if not form.validate_on_submit():
        return _refused(task, service.TaskError("Cần nhập kết quả thực hiện."))
    try:
        files = _uploads(form.files.data)
        service.complete_task(current_user, task, result=form.result.data or "", files=files)
    except (service.TaskError, UploadError) as error:
        return _refused(task, error)
    return _done(task, "Đã báo cáo hoàn thành; chờ người giao việc duyệt.")


@bp.post("/<int:task_id>/extension")
@login_required
def extension(task_id: int) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        return _refused(task, service.TaskError("Cần chọn thời hạn mới và nêu lý do."))
    try:
        service.request_extension(current_user, task,
                                  new_deadline=_from_local(form.new_deadline.data),
                                  reason=form.reason.data or "")
    except service.TaskError as error:
        return _refused(task, error)
    return _done(task, "Đã gửi đề nghị gia hạn.")


@bp.post("/<int:task_id>/extension/<int:extension_id>/<decision>")
@login_required
def decide(task_id: int, extension_id: int, decision: str) -> ResponseReturnValue:
    task = task_or_404(task_id)
    ext = db.session.get(TaskExtension, extension_id)
    if ext is None or ext.task_id != task.id or decision not in ("grant", "refuse"):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.decide_extension(current_user, ext, grant=decision == "grant")
    except service.TaskError as error:
        return _refused(task, error)
    return _done(task, "Đã gia hạn." if decision == "grant" else "Đã từ chối gia hạn.")


@bp.post("/<int:task_id>/review/<decision>")
@login_required
def review(task_id: int, decision: str) -> ResponseReturnValue:
    task = task_or_404(task_id)
    form = ReviewForm()
    if decision not in ("approve", "return", "rate") or not form.validate_on_submit():
        abort(400)
    rating = int(form.rating.data) if form.rating.data else None
    try:
        if decision == "approve":
            service.approve_task(current_user, task, note=form.note.data or "", rating=rating)
            message = "Đã duyệt kết quả."
        elif decision == "return":
            service.return_task(current_user, task, note=form.note.data or "")
            message = "Đã trả lại để làm tiếp."
        else:
            if rating is None:
                raise service.TaskError("Cần chọn điểm đánh giá.")
            service.rate_task(current_user, task, rating=rating)
            message = "Đã đánh giá chất lượng."
    except service.TaskError as error:
        return _refused(task, error)
    return _done(task, message)
