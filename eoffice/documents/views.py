"""Pages for outgoing and incoming documents. Thin: parse the form, call a service, commit,
push notifications, redirect. Permission and state rules live in the services."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from eoffice.accounts.models import User, UserRole
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.actions.declaration import find as find_action
from eoffice.actions.routes import add_page_routes, page_view
from eoffice.documents import (
    consultation,
    exchange,
    notifications,
    pickers,
    service,
    validation_panel,
    viewed_pdf,
)
from eoffice.documents.actions import PLAIN_STEPS
from eoffice.documents.case_files import case_files_of
from eoffice.documents.exchange import XML
from eoffice.documents.forms import CaseFileForm, IncomingForm, OutgoingForm, end_of_day
from eoffice.documents.models import (
    CaseFile,
    CaseFileEntry,
    Direction,
    Document,
    ParticipantRole,
)
from eoffice.documents.recipient_pages import recipient_page
from eoffice.documents.recipient_view import require_whole, sees_whole
from eoffice.documents.workflow import STATE_LABELS, In, Out, WorkflowError, available
from eoffice.exchange import manual
from eoffice.extensions import db
from eoffice.files.views import send_generated
from eoffice.jobs import submit
from eoffice.organisation.service import unit_tree
from eoffice.signing_keys import has_user_certificate
from eoffice.timestamps import VIETNAM, utcnow
from eoffice.web.dates import parse_day

bp = Blueprint("documents", __name__, url_prefix="/documents")


# --------------------------------------------------------------------------- helpers
def _detail_url(document: Document) -> str:
    endpoint = "documents.outgoing_view" if document.direction == Direction.OUTGOING else \
        "documents.incoming_view"
    return url_for(endpoint, document_id=document.id)


def _detail_url_by_id(document_id: int) -> str:
    document = db.session.get(Document, document_id)
    return _detail_url(document) if document else url_for("web.my_work")


def _visible(document_id: int) -> Document:
    return service.get_visible(current_user, document_id)


def _org_users(*roles: Role) -> list[User]:
    query = select(User).where(User.organisation_id == current_user.organisation_id,
                               User.active.is_(True))
    if roles:
        query = query.join(UserRole).where(UserRole.role.in_([r.value for r in roles]))
    return list(db.session.execute(query.order_by(User.full_name)).scalars().unique())


def _user_choices(*roles: Role) -> list[SelectChoice]:
    return [SelectChoice(u.id, f"{u.full_name} — {u.title}" if u.title else u.full_name)
            for u in _org_users(*roles)]


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice(u.id, "— " * depth + u.name)
            for depth, u in unit_tree(current_user.organisation_id)]


def _done(result: service.Result, message: str) -> ResponseReturnValue:
    db.session.commit()
    if result.purge_keys:
        from eoffice.documents.revocation import purge_unreferenced

        purge_unreferenced(result.purge_keys)
    notifications.send(result.notices)
    flash(message, "success")
    return redirect(_detail_url(result.document), code=303)


def _parse_date(value: str | None) -> date | None:
    try:
        return parse_day(value)
    except ValueError:
        raise service.InvalidInput("Ngày không hợp lệ (viết theo dạng dd/mm/yyyy).") from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        raise service.InvalidInput("Giá trị không hợp lệ.") from None


# --------------------------------------------------------------------------- lists
def _list(direction: str) -> ResponseReturnValue:
    state = request.args.get("state") or None
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = service.list_documents(current_user, direction, state=state, page=page)
    return render_template(
        "documents/list.html", direction=direction, documents=rows, total=total, page=page,
        state=state, labels=STATE_LABELS,
        states=[s.value for s in (Out if direction == Direction.OUTGOING else In)],
        now=utcnow(), is_overdue=service.is_overdue,
    )


@bp.get("/outgoing")
@login_required
def outgoing_list() -> ResponseReturnValue:
    return _list(Direction.OUTGOING)


@bp.get("/incoming")
@login_required
def incoming_list() -> ResponseReturnValue:
    return _list(Direction.INCOMING)


# --------------------------------------------------------------------------- outgoing
def _outgoing_choices(form: OutgoingForm) -> None:
    form.reviewer_id.choices = _user_choices(Role.UNIT_HEAD)
    form.checker_id.choices = _user_choices(Role.CLERK)
    form.signer_id.choices = _user_choices(Role.LEADER)
    everyone = _user_choices()
    form.recipient_user_ids.choices = everyone
    form.named_user_ids.choices = everyone
    form.recipient_unit_ids.choices = _unit_choices()
    form.propose_defaults(current_user)


@bp.route("/outgoing/new", methods=["GET", "POST"])
@login_required
def outgoing_new() -> ResponseReturnValue:
    form = OutgoingForm()
    _outgoing_choices(form)
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        draft = service.OutgoingDraft(
            subject=form.subject.data or "",
            type_code=form.type_code.data or "",
            reviewer_id=form.reviewer_id.data,
            checker_id=form.checker_id.data,
            signer_id=form.signer_id.data,
            urgency=form.urgency.data or 0,
            secrecy=form.secrecy.data or 0,
            is_legal_normative=bool(form.is_legal_normative.data),
            authority=form.authority.data or "",
            to_places=form.to_places.data or "",
            due_date=end_of_day(form.due_date.data),
            recipient_user_ids=form.recipient_user_ids.data or [],
            recipient_unit_ids=form.recipient_unit_ids.data or [],
            named_user_ids=form.named_user_ids.data or [],
        )
        try:
            if upload and upload.filename:
                stored = service.store_file(current_user, upload.stream, upload.filename)
                result = service.create_outgoing(current_user, draft, stored)
            elif (form.body.data or "").strip():
                from eoffice.documents.generation import generate_outgoing

                result = generate_outgoing(
                    current_user, draft, (form.body.data or "").split("\n"),
                    (form.addressees.data or "").split("\n"))
            else:
                raise service.InvalidInput("Hãy chọn tệp dự thảo hoặc soạn nội dung văn bản.")
        except WorkflowError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = 400
        else:
            return _done(result, "Đã tạo dự thảo và gửi người kiểm tra nội dung.")
    elif request.method == "POST":
        status = 400
    return render_template("documents/outgoing_form.html", form=form), status


@bp.get("/outgoing/<int:document_id>")
@login_required
def outgoing_view(document_id: int) -> ResponseReturnValue:
    document = _visible(document_id)
    if document.direction != Direction.OUTGOING:
        abort(404)
    return _detail(document)


@bp.get("/incoming/<int:document_id>")
@login_required
def incoming_view(document_id: int) -> ResponseReturnValue:
    document = _visible(document_id)
    if document.direction != Direction.INCOMING:
        abort(404)
    return _detail(document)


def _detail(document: Document) -> ResponseReturnValue:
    if service.mark_opened(current_user, document):
        db.session.commit()
    if not sees_whole(current_user, document):  # a recipient: the issued copy, no more
        return recipient_page(document)
    user = current_user
    actions = available(user, document)
    can = {t.action for t in actions}
    is_drafter = any(p.user_id == user.id and p.role == ParticipantRole.DRAFTER
                     for p in document.participants)
    headed = {m.unit_id for m in user.memberships if m.is_head}
    assignments = service.assignments_of(document)
    reassignable = [a for a in assignments if a.completed_at is None and (
        a.unit_id in headed or (a.user is not None and any(
            m.unit_id in headed for m in a.user.memberships)))]
    case_files = db.session.execute(
        select(CaseFile).where(CaseFile.organisation_id == user.organisation_id)
        .order_by(CaseFile.year.desc(), CaseFile.code)
    ).scalars().all()
    in_files = db.session.execute(
        select(CaseFile).join(CaseFileEntry).where(CaseFileEntry.document_id == document.id)
    ).scalars().all()
    replies = []
    if "complete" in can or "replace" in can:
        replies = service.list_documents(user, Direction.OUTGOING, per_page=100)[0]
    unit_members: dict[int, list[User]] = {}
    for assignment in reassignable:
        unit_id = assignment.unit_id
        if unit_id:
            unit_members[unit_id] = list(db.session.execute(
                select(User).join(User.memberships).where(
                    User.memberships.any(unit_id=unit_id))).scalars().unique())
    return render_template(
        "documents/detail.html",
        document=document,
        labels=STATE_LABELS,
        plain_actions=[t for t in actions if not t.service_only],
        can=can,
        is_drafter=is_drafter,
        versions=document.versions,
        attachments=service.attachments_of(document),
        comments=service.comments_of(document),
        deliveries=service.deliveries_of(document),
        assignments=assignments,
        reassignable=reassignable,
        unit_members=unit_members,
        history=service.history(document),
        overdue=service.is_overdue(document),
        leaders=_org_users(Role.LEADER) if "present" in can else [],
        units=_unit_choices() if "direct" in can else [],
        people=_user_choices() if "direct" in can else [],
        case_files=case_files,
        in_files=in_files,
        replies=replies,
        has_certificate=has_user_certificate(user) if "sign" in can else True,
        edxml_records=exchange.records_of(document),
        edxml_kinds=exchange.KIND_LABELS,
        status_label=exchange.status_label,
        consultations=consultation.consultations_of(document),
        opinions=consultation.OPINIONS,
        may_consult=is_drafter and document.state in consultation.OPEN_STATES,
        consult_people=_user_choices() if is_drafter else [],
        may_progress=document.state in (In.DIRECTED, In.IN_PROGRESS) and (
            service.is_assignee(user, document) or "start" in can),
        pdf_view=viewed_pdf.view_for(document),  # sign what you see (issue #11)
        **pickers.panel_defaults(user, can),
        validation=validation_panel.panel_for(document),
    )


# --------------------------------------------------------------------------- exchange
# POST: exporting is an act (an ``exported`` event, the recipient's exported_at), so a plain
# link or a prefetch must never do it on the clerk's behalf. The package is the answer.
@bp.post("/<int:document_id>/edxml/export/<int:recipient_id>")
@login_required
def export_edxml(document_id: int, recipient_id: int) -> ResponseReturnValue:
    document = _visible(document_id)
    require_whole(current_user, document)
    export = manual.export_package(current_user, document, recipient_id)
    db.session.commit()
    return send_generated(export.data, export.filename, XML)


@bp.get("/<int:document_id>/edxml/<int:record_id>")
@login_required
def edxml_record(document_id: int, record_id: int) -> ResponseReturnValue:
    document = _visible(document_id)
    require_whole(current_user, document)
    data, name = exchange.record_bytes(document, record_id)
    return send_generated(data, name, XML)


@bp.post("/edxml/status")
@login_required
def receive_status() -> ResponseReturnValue:
    upload = request.files.get("status")
    if upload is None or not upload.filename:
        raise service.InvalidInput("Hãy chọn tệp thông điệp trạng thái.")
    document, recipient = manual.receive_status(
        current_user, upload.stream.read(manual.MAX_STATUS_BYTES + 1))
    answer = _done(service.Result(document),
                   f"Đã cập nhật trạng thái xử lý của {recipient.organ_name}.")
    manual.after_status(document)
    return answer


# --------------------------------------------------------------------------- incoming
@bp.route("/incoming/new", methods=["GET", "POST"])
@login_required
def incoming_new() -> ResponseReturnValue:
    if not has_role(current_user, Role.CLERK):
        abort(403)
    form = IncomingForm()
    form.named_user_ids.choices = _user_choices()
    status = 200
    duplicates: list[Document] = []
    if form.validate_on_submit():
        meta = service.IncomingMetadata(
            subject=form.subject.data or "",
            organ_name=form.organ_name.data or "",
            organ_id=form.organ_id.data or "",
            code_number=form.code_number.data,
            code_notation=form.code_notation.data or "",
            type_code=form.type_code.data or "",
            issued_date=form.issued_date.data,
            signer_full_name=form.signer_full_name.data or "",
            signer_position=form.signer_position.data or "",
            urgency=form.urgency.data or 0,
            secrecy=form.secrecy.data or 0,
            due_date=end_of_day(form.due_date.data),
            page_amount=form.page_amount.data,
            named_user_ids=form.named_user_ids.data or [],
        )
        duplicates = service.find_duplicates(current_user, meta)
        if duplicates and not form.confirm_duplicate.data:
            flash("Có văn bản đến trùng số, ký hiệu và cơ quan ban hành; hãy kiểm tra trước "
                  "khi vào sổ.", "error")
            status = 409
        else:
            upload = form.file.data
            try:
                result = service.register_incoming_upload(current_user, meta, upload.stream,
                                                          upload.filename)
            except WorkflowError as error:
                db.session.rollback()
                flash(error.message, "error")
                status = 400
            else:
                db.session.commit()
                flash(f"Đã vào sổ văn bản đến, số đến {result.document.arrival_number}.",
                      "success")
                return redirect(_detail_url(result.document), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("documents/incoming_form.html", form=form,
                           duplicates=duplicates), status


@bp.post("/incoming/edxml")
@login_required
def incoming_edxml() -> ResponseReturnValue:
    """Register an electronic arrival from its edXML package (metadata read from it)."""
    if not has_role(current_user, Role.CLERK):
        abort(403)
    from eoffice.documents.receiving import receive_package

    upload = request.files.get("package")
    if upload is None or not upload.filename:
        flash("Hãy chọn gói edXML.", "error")
        return redirect(url_for("documents.incoming_new"), code=303)
    data = upload.stream.read(50 * 1024 * 1024 + 1)
    try:
        result = receive_package(current_user, data,
                                 confirm_duplicate=request.form.get("confirm_duplicate") == "y")
    except WorkflowError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("documents.incoming_new"), code=303)
    db.session.commit()
    flash(f"Đã vào sổ văn bản điện tử, số đến {result.document.arrival_number}.", "success")
    return redirect(_detail_url(result.document), code=303)


# --------------------------------------------------------------------------- search
@bp.get("/search")
@login_required
def search() -> ResponseReturnValue:
    text = (request.args.get("q") or "").strip()
    direction = request.args.get("direction") or None
    if direction not in (None, Direction.INCOMING, Direction.OUTGOING):
        direction = None
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = service.search_documents(current_user, text, direction=direction, page=page)
    return render_template("documents/search.html", q=text, direction=direction, page=page,
                           documents=rows, total=total, labels=STATE_LABELS)


# --------------------------------------------------------------------------- batch signing
@bp.get("/batch-sign")
@login_required
def batch_sign() -> ResponseReturnValue:
    waiting = [d for d in service.waiting_for(current_user)
               if d.state == Out.APPROVED and d.direction == Direction.OUTGOING]
    return render_template("documents/batch_sign.html", documents=waiting)


# --------------------------------------------------------------------------- registers
@bp.route("/registers", methods=["GET", "POST"])
@login_required
def registers() -> ResponseReturnValue:
    """Print a register (Appendix IV) for a period, as DOCX or PDF."""
    if not has_role(current_user, Role.CLERK):
        abort(403)
    from eoffice.documents.registers import SERIES

    today = utcnow().astimezone(VIETNAM).date()
    if request.method == "POST":
        series = request.form.get("series", "")
        try:
            start = _parse_date(request.form.get("start")) or today.replace(month=1, day=1)
            end = _parse_date(request.form.get("end")) or today
        except service.InvalidInput as error:
            flash(error.message, "error")
            return redirect(url_for("documents.registers"), code=303)
        if series not in SERIES or start > end:
            flash("Sổ hoặc khoảng thời gian không hợp lệ.", "error")
            return redirect(url_for("documents.registers"), code=303)
        # Printing (a PDF is rendered by LibreOffice) is a job: the clerk follows it and
        # downloads the register from the jobs page.
        job = submit("register_export", f"register_export:{uuid.uuid4()}",
                     requested_by=current_user,
                     params={"series": series, "start": start.isoformat(),
                             "end": end.isoformat(),
                             "format": "pdf" if request.form.get("format") == "pdf" else "docx"})
        db.session.commit()
        flash(f"Đang in sổ (việc nền số {job.id}); tải về tại trang Việc nền khi xong.",
              "success")
        return redirect(url_for("jobs.index"), code=303)
    return render_template("documents/registers.html", today=today)


# --------------------------------------------------------------------------- case files
@bp.route("/case-files", methods=["GET", "POST"])
@login_required
def case_files() -> ResponseReturnValue:
    form = CaseFileForm()
    if form.validate_on_submit():
        service.create_case_file(current_user, form.code.data or "", form.title.data or "")
        db.session.commit()
        flash("Đã tạo hồ sơ.", "success")
        return redirect(url_for("documents.case_files"), code=303)
    return render_template("documents/case_files.html", form=form,
                           case_files=case_files_of(current_user))


@bp.get("/case-files/<int:case_file_id>")
@login_required
def case_file(case_file_id: int) -> ResponseReturnValue:
    row = db.session.get(CaseFile, case_file_id)
    if row is None or row.organisation_id != current_user.organisation_id:
        abort(404)
    from eoffice.documents.access import visible_filter

    documents = db.session.execute(
        select(Document).join(CaseFileEntry, CaseFileEntry.document_id == Document.id)
        .where(CaseFileEntry.case_file_id == row.id, visible_filter(current_user))
        .order_by(Document.id)
    ).scalars().all()
    return render_template("documents/case_file.html", case_file=row, documents=documents,
                           labels=STATE_LABELS)



# --------------------------------------------------------------------------- declared acts
@bp.post("/<int:document_id>/act/<action>")
def act(document_id: int, action: str) -> ResponseReturnValue:
    """The plain steps of the transition tables, posted by name from one form."""
    declared = find_action("documents", action)
    if declared is None or action not in PLAIN_STEPS:
        abort(404)
    return page_view(declared)(document_id=document_id)  # type: ignore[no-any-return]


# Every other act on a document: its page route comes from its declaration.
add_page_routes(bp, "documents")
