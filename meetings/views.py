"""Meeting pages: list, create, prepare, respond, the live room, the projector, the minutes.

The acts of preparing a meeting (agenda, papers, invitations, answers, minutes) are declared in
``meetings.actions``, which gives them their page routes here (endpoint names unchanged) and
their JSON routes in ``meetings.api``. Refusals are ``meetings.errors`` (one tree with
``eoffice.errors``), answered once for the whole app; the one view that catches some is the
creation form, which comes back filled in with the message rather than redirected.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from eoffice.accounts.models import User
from eoffice.actions.routes import add_page_routes
from eoffice.errors import InvalidInput
from eoffice.extensions import db
from eoffice.files.access import can_view_file
from eoffice.files.models import StoredFile
from eoffice.files.views import send_verified
from eoffice.reports.names import file_titles
from eoffice.timestamps import utcnow
from eoffice.web.my_work import WorkItem, WorkSection
from meetings import actions as _declared  # noqa: F401  (the declarations)
from meetings import service
from meetings.forms import (
    AgendaForm,
    ButtonForm,
    DocumentForm,
    ExistingFileForm,
    MeetingForm,
    RespondForm,
    SignForm,
    from_local,
)
from meetings.models import (
    RESPONSE_LABELS,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    MinutesStatus,
    ParticipantRole,
    Response,
)

bp = Blueprint("meetings", __name__, url_prefix="/meetings", template_folder="templates",
               static_folder="static", static_url_path="/static/meetings")


def _colleagues() -> list[SelectChoice]:
    users = db.session.execute(
        select(User).where(User.organisation_id == current_user.organisation_id,
                           User.active.is_(True)).order_by(User.full_name)
    ).scalars()
    return [SelectChoice(u.id, f"{u.full_name} ({u.title})" if u.title else u.full_name)
            for u in users]


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    return render_template("meetings/index.html", meetings=service.meetings_for(current_user),
                           can_create=service.can_create(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    if not service.can_create(current_user):
        abort(403)
    form = MeetingForm()
    people = _colleagues()
    for select_field in (form.chair_id, form.secretary_id, form.member_ids, form.guest_ids):
        select_field.choices = people
    form.propose_defaults(current_user)
    status = 200
    if form.validate_on_submit():
        try:
            meeting = service.create_meeting(
                current_user, title=form.title.data or "",
                starts_at=from_local(form.starts_at.data),  # type: ignore[arg-type]
                ends_at=from_local(form.ends_at.data), location=form.location.data or "",
                online_url=form.online_url.data or "", chair_id=form.chair_id.data,
                secretary_id=form.secretary_id.data, member_ids=form.member_ids.data or [],
                guest_ids=form.guest_ids.data or [], description=form.description.data or "",
                quorum_percent=form.quorum_percent.data or 50,
            )
        except InvalidInput as error:
            # Unlike the app's handler (flash and redirect), the form comes back filled in.
            db.session.rollback()
            flash(error.message, "error")
            status = 400
        else:
            db.session.commit()
            flash("Đã tạo cuộc họp. Hãy thêm chương trình và tài liệu, rồi gửi giấy mời.",
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/new.html", form=form), status


def _pdf_choices() -> list[SelectChoice]:
    """PDFs the user may already see (their uploads, issued documents shared with them)."""
    rows = db.session.execute(
        select(StoredFile).where(StoredFile.content_type == "application/pdf")
        .order_by(StoredFile.uploaded_at.desc()).limit(200)
    ).scalars()
    files = [f for f in rows if can_view_file(current_user, f)]
    titles = file_titles([f.id for f in files])  # a document's number and subject
    return sorted((SelectChoice(f.id, titles.get(f.id) or f.original_name) for f in files),
                  key=lambda choice: choice.label.casefold())


@bp.route("/<int:meeting_id>")
@login_required
def detail(meeting_id: int) -> ResponseReturnValue:
    meeting = service.get_meeting(current_user, meeting_id)
    agenda_form = AgendaForm()
    invited = [SelectChoice(p.user_id, p.user.full_name) for p in meeting.participants]
    agenda_form.presenter_id.choices = [SelectChoice(0, "—"), *invited]
    agenda_form.restricted_to.choices = invited
    existing_form = ExistingFileForm()
    manage = service.can_manage(current_user, meeting)
    existing_form.file_id.choices = _pdf_choices() if manage else []
    respond_form = RespondForm()
    respond_form.deputy_id.choices = [SelectChoice(0, "—"), *[
        c for c in _colleagues() if c.value not in {p.user_id for p in meeting.participants}]]
    mine = service.participant_row(current_user, meeting)
    documents_visible = {
        d.id for i in meeting.items for d in i.documents
        if service.can_view_document(current_user, d)
    }
    return render_template(
        "meetings/detail.html", meeting=meeting, manage=manage, agenda_form=agenda_form,
        document_form=DocumentForm(), existing_form=existing_form, respond_form=respond_form,
        button=ButtonForm(), sign_form=SignForm(), mine=mine, labels=RESPONSE_LABELS,
        Role=ParticipantRole, Status=MeetingStatus, Response=Response,
        role=service.live_role(current_user, meeting), visible=documents_visible,
        MinutesStatus=MinutesStatus,
    )


def _live_context(meeting: Meeting) -> dict[str, Any]:
    documents = {
        d.id: url_for("meetings.document_file", meeting_id=meeting.id, document_id=d.id)
        for i in meeting.items for d in i.documents
    }
    notes = [{"document_id": n.document_id, "page": n.page, "body": n.body}
             for n in service.notes_for(current_user, meeting.id)]
    return {
        "meeting_id": meeting.id,
        "title": meeting.title,
        "document_urls": {str(k): v for k, v in documents.items()},
        "pdfjs": url_for("static", filename="vendor/pdfjs/pdf.min.mjs"),
        "pdfjs_worker": url_for("static", filename="vendor/pdfjs/pdf.worker.min.mjs"),
        "cmaps": url_for("static", filename="vendor/pdfjs/cmaps/"),
        "fonts": url_for("static", filename="vendor/pdfjs/standard_fonts/"),
        "notes": notes,
        "people": [{"id": p.user_id, "name": p.user.full_name} for p in meeting.participants],
    }


@bp.route("/<int:meeting_id>/live")
@login_required
def live_room(meeting_id: int) -> ResponseReturnValue:
    meeting = service.get_meeting(current_user, meeting_id)
    role = service.live_role(current_user, meeting)
    if role is None:
        abort(404)
    return render_template("meetings/live.html", meeting=meeting, role=role,
                           data=_live_context(meeting), projector=False)


@bp.route("/<int:meeting_id>/screen")
@login_required
def screen(meeting_id: int) -> ResponseReturnValue:
    """The big-screen (projector) view: follows the chair, shows the speaker and votes."""
    meeting = service.get_meeting(current_user, meeting_id)
    if service.live_role(current_user, meeting) is None:
        abort(404)
    return render_template("meetings/live.html", meeting=meeting, role="projector",
                           data=_live_context(meeting), projector=True)


@bp.route("/<int:meeting_id>/documents/<int:document_id>")
@login_required
def document_file(meeting_id: int, document_id: int) -> ResponseReturnValue:
    meeting = service.get_meeting(current_user, meeting_id)
    document = db.session.get(MeetingDocument, document_id)
    if document is None or document.item.meeting_id != meeting.id or not (
        service.can_view_document(current_user, document)
    ):
        abort(404, description="Không tìm thấy tài liệu, tài liệu đã bị thu hồi hoặc bạn "
                               "không có quyền xem tài liệu này.")
    return _send(document.file, as_attachment=False)


def _send(stored: StoredFile, *, as_attachment: bool = True) -> ResponseReturnValue:
    """``send_verified``, retried when its audit append raced another one.

    On SQLite two requests can read the same last event hash and the second insert then
    violates the chain's unique ``prev_hash``; several participants opening the same
    document at once made this common. Retrying appends after the winner.
    """
    for _attempt in range(5):
        try:
            return send_verified(stored, as_attachment=as_attachment)
        except IntegrityError:
            db.session.rollback()
    abort(503)


@bp.route("/<int:meeting_id>/minutes.pdf")
@login_required
def minutes_pdf(meeting_id: int) -> ResponseReturnValue:
    meeting = service.get_meeting(current_user, meeting_id)
    if meeting.minutes_file is None:
        abort(404)
    return _send(meeting.minutes_file)


@bp.route("/<int:meeting_id>/invitation.pdf")
@login_required
def invitation_pdf(meeting_id: int) -> ResponseReturnValue:
    meeting = service.get_meeting(current_user, meeting_id)
    if meeting.invitation_file is None:
        abort(404)
    return _send(meeting.invitation_file)


def my_work_section(user: User) -> WorkSection:
    """"Cuộc họp sắp tới": meetings the user attends, soonest first, unanswered ones marked."""
    items = []
    soon = utcnow() + timedelta(days=1)
    for meeting in service.upcoming_for(user)[:20]:
        row = service.participant_row(user, meeting)
        note = meeting.location or "Trực tuyến"
        if row is not None and row.response == Response.PENDING:
            note += " — chưa xác nhận tham dự"
        if meeting.status == MeetingStatus.LIVE:
            note += " — đang họp"
        items.append(WorkItem(
            title=meeting.title, kind="meeting", deadline=meeting.starts_at,
            url=url_for("meetings.detail", meeting_id=meeting.id), note=note,
            urgent=meeting.status == MeetingStatus.LIVE or meeting.starts_at <= soon,
        ))
    return WorkSection("meetings", "Cuộc họp sắp tới", "Không có cuộc họp sắp tới.", items)


# Every act of preparing a meeting: its page route comes from its declaration.
add_page_routes(bp, "meetings")
