""""Chờ lập hồ sơ" in "Việc của tôi": incoming documents handled to completion and not yet
filed into a case file — the clerk's for the whole organisation, the lead handler's own.

Filing is the last step of an incoming document (COMPLETED → FILED); without this section it
waited nowhere and was forgotten.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_, select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.access import visible_filter
from eoffice.documents.models import Direction, Document, DocumentAssignment
from eoffice.documents.states import In
from eoffice.extensions import db
from eoffice.web.my_work import WorkItem, WorkSection


def to_file(user: User, limit: int = 50) -> list[Document]:
    """Completed incoming documents ``user`` files: any for a clerk, their own lead ones."""
    led = select(DocumentAssignment.document_id).where(DocumentAssignment.role == "lead",
                                                       DocumentAssignment.user_id == user.id)
    whose = Document.id.in_(led)
    if has_role(user, Role.CLERK):
        whose = or_(whose, Document.secrecy == 0)
    return list(db.session.execute(
        select(Document).where(Document.organisation_id == user.organisation_id,
                               Document.direction == Direction.INCOMING,
                               Document.state == In.COMPLETED, whose, visible_filter(user))
        .order_by(Document.updated_at).limit(limit)
    ).scalars())


def to_file_section(user: User) -> WorkSection:
    items = [WorkItem(
        title=f"Số đến {d.arrival_number}: {d.subject}" if d.arrival_number else d.subject,
        url=url_for("documents.incoming_view", document_id=d.id), kind="document",
        note="Đã hoàn thành — chờ lập hồ sơ",
    ) for d in to_file(user)]
    return WorkSection("to_file", "Chờ lập hồ sơ", "Không có văn bản chờ lập hồ sơ.", items)
