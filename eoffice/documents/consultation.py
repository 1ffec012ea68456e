"""Consultation on drafts (lấy ý kiến): the drafter asks named people for their opinion with a
deadline; each answers once (agree, or comments). The draft never waits for the answers:
the workflow goes on, and the answers stay on the draft and in the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.common import Result, add_participant, notice, org_user
from eoffice.documents.errors import IllegalTransition, InvalidInput, NotPermitted, NotVisible
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentComment,
    DocumentConsultation,
    ParticipantRole,
)
from eoffice.documents.states import Out
from eoffice.extensions import db
from eoffice.timestamps import utcnow

OPEN_STATES = (Out.DRAFT, Out.REVISION, Out.CONTENT_OK, Out.FORMAT_OK)
OPINIONS = {"agree": "Đồng ý", "comments": "Có ý kiến"}


def request_opinions(actor: User, document: Document, user_ids: Sequence[int],
                     deadline: datetime | None, question: str = "") -> Result:
    """Ask each named person for an opinion on the draft (they may then see it)."""
    if document.direction != Direction.OUTGOING or document.state not in OPEN_STATES:
        raise IllegalTransition("Chỉ lấy ý kiến khi văn bản còn là dự thảo.")
    if not any(p.user_id == actor.id and p.role == ParticipantRole.DRAFTER
               for p in document.participants):
        raise NotPermitted("Chỉ người soạn thảo được lấy ý kiến về dự thảo.")
    people = [org_user(actor, user_id, "người được lấy ý kiến") for user_id in set(user_ids)]
    people = [p for p in people if p.id != actor.id]
    if not people:
        raise InvalidInput("Hãy chọn ít nhất một người được lấy ý kiến.")
    if deadline is not None and deadline < utcnow():
        raise InvalidInput("Hạn góp ý phải ở tương lai.")
    ids = []
    for person in people:
        row = DocumentConsultation(document_id=document.id, user_id=person.id,
                                   requested_by_id=actor.id, question=question.strip()[:5000],
                                   deadline=deadline)
        db.session.add(row)
        add_participant(document, person.id, ParticipantRole.CONSULTED)
        ids.append(person.id)
    db.session.flush()
    audit.record(actor, "forwarded", "document", document.id, direction=document.direction,
                 user_ids=sorted(ids), purpose="consultation",
                 deadline=deadline.isoformat() if deadline else None)
    return Result(document, [notice(ids, "Dự thảo xin ý kiến của bạn", document)])


def answer(actor: User, document: Document, consultation_id: int, opinion: str,
           body: str = "") -> Result:
    """The consulted person's answer: ``agree`` or ``comments`` (with the comments)."""
    row = db.session.get(DocumentConsultation, consultation_id)
    if row is None or row.document_id != document.id or row.user_id != actor.id:
        raise NotVisible("Không tìm thấy yêu cầu lấy ý kiến.")
    if row.answered_at is not None:
        raise IllegalTransition("Bạn đã trả lời yêu cầu lấy ý kiến này.")
    if opinion not in OPINIONS:
        raise InvalidInput("Hãy chọn Đồng ý hoặc Có ý kiến.")
    body = (body or "").strip()
    if opinion == "comments" and not body:
        raise InvalidInput("Hãy nhập nội dung góp ý.")
    row.opinion, row.answer, row.answered_at = opinion, body[:5000], utcnow()
    text = OPINIONS[opinion] + (f": {body}" if body else "")
    db.session.add(DocumentComment(document_id=document.id, author_id=actor.id,
                                   kind="consultation", body=text[:5000]))
    db.session.flush()
    audit.record(actor, "commented", "document", document.id, direction=document.direction,
                 consultation_id=row.id, opinion=opinion,
                 user_ids=[row.requested_by_id], on_time=row.deadline is None
                 or row.answered_at <= row.deadline)
    return Result(document, [notice([row.requested_by_id], "Đã có ý kiến góp ý dự thảo",
                                     document)])


def consultations_of(document: Document) -> list[DocumentConsultation]:
    return list(db.session.execute(select(DocumentConsultation).where(
        DocumentConsultation.document_id == document.id).order_by(DocumentConsultation.id)
    ).scalars())


def open_for(user: User) -> select:  # type: ignore[valid-type]
    """Ids of documents on which ``user`` still owes an opinion (for "my work")."""
    return select(DocumentConsultation.document_id).where(
        DocumentConsultation.user_id == user.id, DocumentConsultation.answered_at.is_(None))
