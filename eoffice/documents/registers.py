"""Registers (Appendix IV) built from the documents: the rows the formats module prints.

A register belongs to the clerk's office: only clerks (and admins) print them, and secret
documents appear only in the secret registers, to a clerk named on each of them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.access import visible_filter
from eoffice.documents.models import Direction, Document, DocumentAssignment, DocumentDelivery
from eoffice.extensions import db
from eoffice.files.service import save_upload
from eoffice.jobs import Job, JobFailed
from eoffice.timestamps import VIETNAM
from formats.conversion import ConversionError
from formats.registers_export import (
    FollowUpRegisterRow,
    IncomingRegisterRow,
    OutgoingRegisterRow,
    RegisterHeading,
    RegisterKind,
    Row,
    build_register_docx,
    build_register_pdf,
)

SERIES = {
    "outgoing": (RegisterKind.OUTGOING, ["outgoing"], "Văn bản hành chính"),
    "legal": (RegisterKind.OUTGOING, None, "Văn bản quy phạm pháp luật"),
    "secret": (RegisterKind.OUTGOING, ["secret"], "Văn bản mật"),
    "incoming": (RegisterKind.INCOMING, ["incoming"], ""),
    "incoming_secret": (RegisterKind.INCOMING, ["incoming_secret"], "Văn bản mật"),
    "follow_up": (RegisterKind.FOLLOW_UP, ["incoming"], ""),
}


@dataclass(frozen=True)
class RegisterRequest:
    series: str
    start: date
    end: date


def _local_date(value: datetime | None) -> date | None:
    return value.astimezone(VIETNAM).date() if value else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, tzinfo=VIETNAM),
            datetime.combine(end, time.max, tzinfo=VIETNAM))


def _recipients(document: Document) -> str:
    names = []
    for delivery in db.session.execute(select(DocumentDelivery).where(
            DocumentDelivery.document_id == document.id)).scalars():
        names.append(delivery.user.full_name if delivery.user else delivery.unit.name)
    places = [p.strip(" -;") for p in document.to_places.splitlines() if p.strip(" -;")]
    return "; ".join(places + names)


def _handlers(document: Document) -> str:
    names = []
    for assignment in db.session.execute(select(DocumentAssignment).where(
            DocumentAssignment.document_id == document.id)).scalars():
        who = assignment.user.full_name if assignment.user else (
            assignment.unit.name if assignment.unit else "")
        names.append(who + (" (chủ trì)" if assignment.role == "lead" else ""))
    return "; ".join(n for n in names if n)


def register_rows(user: User, request: RegisterRequest) -> tuple[RegisterKind, RegisterHeading,
                                                                   list[Row]]:
    kind, register_kinds, name = SERIES[request.series]
    begin, finish = _bounds(request.start, request.end)
    query = select(Document).where(visible_filter(user))
    if kind == RegisterKind.OUTGOING:
        query = query.where(Document.direction == Direction.OUTGOING,
                            Document.issued_at.isnot(None),
                            Document.issued_at >= begin, Document.issued_at <= finish)
        if register_kinds is None:
            query = query.where(Document.register_kind.like("legal:%"))
        else:
            query = query.where(Document.register_kind.in_(register_kinds))
        query = query.order_by(Document.register_kind, Document.register_number)
    else:
        query = query.where(Document.direction == Direction.INCOMING,
                            Document.register_kind.in_(register_kinds or []),
                            Document.arrival_date >= begin, Document.arrival_date <= finish)
        query = query.order_by(Document.register_number)
    rows: list[Row] = []
    for document in db.session.execute(query).scalars():
        type_and_subject = f"{document.type_name}: {document.subject}"
        if kind == RegisterKind.OUTGOING:
            rows.append(OutgoingRegisterRow(
                number_notation=document.number_and_notation,
                document_date=document.issued_date or _local_date(document.issued_at),
                type_and_subject=type_and_subject,
                signer=document.signer_full_name,
                recipients=_recipients(document),
                archive_holder="VT" + (f", {document.drafting_unit.abbreviation}"
                                       if document.drafting_unit else ""),
                copies=document.issued_amount,
                transfer_date=_local_date(document.issued_at),
            ))
        elif kind == RegisterKind.INCOMING:
            rows.append(IncomingRegisterRow(
                arrival_date=_local_date(document.arrival_date),  # type: ignore[arg-type]
                arrival_number=document.arrival_number or 0,
                author=document.organ_name,
                number_notation=document.number_and_notation,
                document_date=document.issued_date,
                type_and_subject=type_and_subject,
                recipient=_handlers(document),
            ))
        else:
            issued = (f" ngày {document.issued_date.strftime('%d/%m/%Y')}"
                      if document.issued_date else "")
            reply = document.reply_document
            rows.append(FollowUpRegisterRow(
                arrival_number=document.arrival_number or 0,
                document=f"{document.type_name} số {document.number_and_notation}{issued} "
                         f"của {document.organ_name}",
                recipient=_handlers(document),
                deadline=_local_date(document.due_date),
                progress=_progress(document),
                reply_number_notation=reply.number_and_notation if reply else "",
            ))
    organisation = user.organisation
    heading = RegisterHeading(organisation=organisation.name, start=request.start,
                              end=request.end, parent_body=organisation.parent_name or "",
                              register_name=name)
    return kind, heading, rows


def _progress(document: Document) -> str:
    from eoffice.documents.workflow import STATE_LABELS

    return STATE_LABELS.get(document.state, document.state)


def export_job(job: Job) -> dict[str, object]:
    """Print a register (DOCX or PDF) for its clerk: a job, since the PDF is rendered by
    LibreOffice. The file is kept as the clerk's own upload (only they may download it)."""
    actor = db.session.get(User, job.requested_by_id)
    params = job.params
    if actor is None or not has_role(actor, Role.CLERK):
        raise JobFailed("Chỉ văn thư được in sổ văn bản.")
    request = RegisterRequest(params["series"], date.fromisoformat(params["start"]),
                              date.fromisoformat(params["end"]))
    kind, heading, rows = register_rows(actor, request)
    name = f"so-{request.series}-{request.start:%Y%m%d}-{request.end:%Y%m%d}"
    if params.get("format") == "pdf":
        try:
            data, name = build_register_pdf(kind, heading, rows), name + ".pdf"
        except ConversionError as error:
            raise JobFailed(str(error)) from None
    else:
        data, name = build_register_docx(kind, heading, rows), name + ".docx"
    stored = save_upload(actor, io.BytesIO(data), name)
    db.session.commit()
    return {"file_id": stored.id, "name": name, "rows": len(rows)}
