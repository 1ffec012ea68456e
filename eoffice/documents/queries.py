"""Reading documents: lists, "my work", search, history, child rows, overdue.

Every list obeys the same rule as the documents it names (``access.visible_filter``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select, union
from sqlalchemy.orm import selectinload

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.audit.models import Event
from eoffice.documents.access import reach_branches, secret_named_ids, visible_filter
from eoffice.documents.common import Notice, notice, rows_of
from eoffice.documents.consultation import OPEN_STATES, open_for
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAssignment,
    DocumentComment,
    DocumentDelivery,
    DocumentParticipant,
    ParticipantRole,
)
from eoffice.documents.search import SearchQuery, search
from eoffice.documents.search_models import DocumentSearch
from eoffice.documents.states import In, Out
from eoffice.extensions import db
from eoffice.timestamps import utcnow

URGENCY_FIRST = (
    Document.urgency.desc(),
    case((Document.due_date.is_(None), 1), else_=0),
    Document.due_date,
    Document.id.desc(),
)

COUNT_CAP = 1000
"""Lists count at most this many (then show "hơn 1.000"): an exact count of tens of
thousands of rows would cost more than the whole page."""


def list_documents(
    user: User, direction: str, *, state: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Document], int]:
    """One page of the documents ``user`` may see, newest first, and the number of them
    (capped at ``COUNT_CAP + 1``).

    The rule is ``visible_filter``'s; the query shape is chosen for speed at 100,000
    documents. Clerks and admins read the documents table newest first (everything not secret,
    plus the secret ones naming them). Everyone else reads the few ways a document reaches
    them — named on it, delivered to their unit, assigned to a unit they head — each branch
    newest first through its own index and cut at the page's end, then merged: the cost
    follows the page, not the number of documents the user can see.
    """
    offset = (max(page, 1) - 1) * per_page
    if has_role(user, Role.CLERK):
        where = [Document.organisation_id == user.organisation_id,
                 Document.direction == direction,
                 or_(Document.secrecy == 0,
                     Document.id.in_(secret_named_ids(user, direction)))]
        if state:
            where.append(Document.state == state)
        total = db.session.execute(select(func.count()).select_from(
            select(Document.id).where(*where).limit(COUNT_CAP + 1).subquery())).scalar()
        ids = list(db.session.execute(
            select(Document.id).where(*where).order_by(Document.id.desc())
            .limit(per_page).offset(offset)).scalars())
    else:
        def merged(limit: int, ordered: bool) -> Any:
            parts = []
            for branch in reach_branches(user, direction, state):
                if ordered:
                    branch = branch.order_by(branch.selected_columns[0].desc())
                parts.append(select(branch.limit(limit).subquery().c[0].label("id")))
            return union(*parts).subquery()

        counted = merged(COUNT_CAP + 1, ordered=False)
        total = db.session.execute(select(func.count()).select_from(
            select(counted.c.id).limit(COUNT_CAP + 1).subquery())).scalar()
        page_ids = merged(offset + per_page, ordered=True)
        ids = list(db.session.execute(
            select(page_ids.c.id).order_by(page_ids.c.id.desc()).limit(per_page)
            .offset(offset)).scalars())
    if not ids:
        return [], int(total or 0)
    by_id = {d.id: d for d in db.session.execute(
        select(Document).where(Document.id.in_(ids))).scalars()}
    return [by_id[i] for i in ids], int(total or 0)


@dataclass(frozen=True)
class InboxItem:
    """An issued document delivered to the user (by name or to one of their units)."""

    document: Document
    delivered_at: datetime
    unread: bool  # one of the user's deliveries of it was never opened


def _deliveries_to(user: User) -> Any:
    """One row per document delivered to ``user``: when it arrived (the latest delivery)
    and whether every one of those deliveries has been opened."""
    unit_ids = [m.unit_id for m in user.memberships]
    return (
        select(DocumentDelivery.document_id.label("document_id"),
               func.max(DocumentDelivery.delivered_at).label("delivered_at"),
               func.min(case((DocumentDelivery.first_opened_at.is_(None), 0), else_=1))
               .label("opened"))
        .where(DocumentDelivery.delivered_at.isnot(None),
               or_(DocumentDelivery.user_id == user.id,
                   DocumentDelivery.unit_id.in_(unit_ids) if unit_ids else false()))
        .group_by(DocumentDelivery.document_id)
        .subquery()
    )


def _inbox_where(user: User) -> list[Any]:
    # The list obeys the rule of the documents it names: a secret document delivered to a
    # unit shows only to the people named on it.
    return [Document.organisation_id == user.organisation_id,
            Document.direction == Direction.OUTGOING, visible_filter(user)]


def internal_inbox(user: User, *, page: int = 1, per_page: int = 50
                   ) -> tuple[list[InboxItem], int]:
    """Văn bản đến nội bộ: issued outgoing documents delivered to ``user`` or to a unit they
    belong to, newest delivery first, each marked unread until opened (``mark_opened``
    records the first opening of each delivery, as "my work" counts it), and their number
    (capped at ``COUNT_CAP + 1``)."""
    delivered = _deliveries_to(user)
    base = select(Document, delivered.c.delivered_at, delivered.c.opened).join(
        delivered, delivered.c.document_id == Document.id).where(*_inbox_where(user))
    total = db.session.execute(select(func.count()).select_from(
        base.with_only_columns(Document.id).limit(COUNT_CAP + 1).subquery())).scalar()
    rows = db.session.execute(
        base.order_by(delivered.c.delivered_at.desc(), Document.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return ([InboxItem(document, delivered_at, not opened)
             for document, delivered_at, opened in rows], int(total or 0))


def has_internal_inbox(user: User) -> bool:
    """True once some issued document has been delivered to ``user`` (the inbox's menu
    entry shows from then on)."""
    if not getattr(user, "is_authenticated", False) or not user.organisation_id:
        return False
    delivered = _deliveries_to(user)
    return db.session.execute(
        select(Document.id).join(delivered, delivered.c.document_id == Document.id)
        .where(*_inbox_where(user)).limit(1)).first() is not None


def waiting_for(user: User, limit: int = 100) -> list[Document]:
    """Documents waiting for ``user`` to act, most urgent and nearest deadline first."""
    mine = select(DocumentParticipant.document_id).where(DocumentParticipant.user_id == user.id)

    def named(role: ParticipantRole) -> object:
        return Document.id.in_(mine.where(DocumentParticipant.role == role))

    conditions = [
        and_(Document.state == Out.DRAFT, named(ParticipantRole.REVIEWER)),
        and_(Document.state == Out.REVISION, named(ParticipantRole.DRAFTER)),
        and_(Document.state == Out.CONTENT_OK, named(ParticipantRole.CHECKER)),
        and_(Document.state.in_([Out.FORMAT_OK, Out.APPROVED]), named(ParticipantRole.SIGNER)),
        and_(
            Document.state == In.PRESENTED,
            named(ParticipantRole.LEADER),
            Document.direction == Direction.INCOMING,
        ),
    ]
    if has_role(user, Role.CLERK):
        clerk_states = and_(
            Document.organisation_id == user.organisation_id,
            or_(
                and_(
                    Document.direction == Direction.OUTGOING,
                    Document.state.in_([Out.SIGNED, Out.NUMBERED, Out.ORG_SIGNED]),
                ),
                and_(
                    Document.direction == Direction.INCOMING,
                    Document.state.in_([In.RECEIVED, In.REGISTERED]),
                ),
            ),
            or_(Document.secrecy == 0, Document.id.in_(mine)),
        )
        conditions.append(clerk_states)
    headed = [m.unit_id for m in user.memberships if m.is_head]
    open_assignment = select(DocumentAssignment.document_id).where(
        DocumentAssignment.completed_at.is_(None),
        or_(
            DocumentAssignment.user_id == user.id,
            and_(DocumentAssignment.user_id.is_(None), DocumentAssignment.unit_id.in_(headed))
            if headed
            else False,
        ),
    )
    conditions.append(
        and_(Document.state.in_([In.DIRECTED, In.IN_PROGRESS]), Document.id.in_(open_assignment))
    )
    unit_ids = [m.unit_id for m in user.memberships]
    unread = select(DocumentDelivery.document_id).where(
        DocumentDelivery.delivered_at.isnot(None),
        DocumentDelivery.first_opened_at.is_(None),
        or_(
            DocumentDelivery.user_id == user.id,
            DocumentDelivery.unit_id.in_(unit_ids) if unit_ids else False,
        ),
    )
    conditions.append(and_(Document.state == Out.ISSUED, Document.id.in_(unread)))
    conditions.append(and_(Document.state.in_(OPEN_STATES), Document.id.in_(open_for(user))))
    return list(
        db.session.execute(
            select(Document)
            # The list obeys the same rule as the documents it names: a secret document's
            # subject never shows to someone not named on it (a unit head it was assigned
            # to, a member of a recipient unit).
            .where(Document.organisation_id == user.organisation_id, or_(*conditions),
                   visible_filter(user))
            .order_by(*URGENCY_FIRST)
            .limit(limit)
        ).scalars()
    )


def is_overdue(document: Document, now: datetime | None = None) -> bool:
    open_states = {In.REGISTERED, In.PRESENTED, In.DIRECTED, In.IN_PROGRESS}
    return bool(
        document.due_date
        and document.state in open_states
        and document.due_date < (now or utcnow())
    )


def history(document: Document) -> list[object]:
    return list(
        db.session.execute(
            select(Event)
            .where(Event.object_kind == "document", Event.object_id == str(document.id))
            .order_by(Event.id)
        ).scalars()
    )


def load_for_page(document_id: int) -> Document | None:
    return db.session.execute(
        select(Document)
        .where(Document.id == document_id)
        .options(selectinload(Document.participants), selectinload(Document.versions))
    ).scalar_one_or_none()

def deliveries_of(document: Document) -> list[DocumentDelivery]:
    return rows_of(DocumentDelivery, document)

def assignments_of(document: Document) -> list[DocumentAssignment]:
    return rows_of(DocumentAssignment, document)

def comments_of(document: Document) -> list[DocumentComment]:
    return rows_of(DocumentComment, document)


def search_documents(
    user: User, text: str, *, direction: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Document], int]:
    """Full-text search (accent-insensitive) among the documents ``user`` may see."""
    # Correlated to the candidate row: each text match is checked by primary key, instead of
    # materialising every id a clerk may see (tens of thousands) for every search.
    visible_ids = select(Document.id).where(Document.id == DocumentSearch.document_id,
                                            visible_filter(user, dense=True)
                                            ).correlate(DocumentSearch)
    found = search(SearchQuery(organisation_id=user.organisation_id, text=text,
                               direction=direction or None, visible_ids=visible_ids,
                               page=page, per_page=per_page))
    if not found.ids:
        return [], found.total
    by_id = {d.id: d for d in db.session.execute(
        select(Document).where(Document.id.in_(found.ids))).scalars()}
    return [by_id[i] for i in found.ids if i in by_id], found.total


def sweep_overdue(now: datetime | None = None) -> list[Notice]:
    """Record ``overdue`` once per incoming document past its deadline and tell its handlers
    and the leader who directed it (the đôn đốc of Decree 30). Run it periodically."""
    now = now or utcnow()
    already = select(Event.object_id).where(Event.object_kind == "document",
                                            Event.action == "overdue")
    late = db.session.execute(
        select(Document).where(
            Document.direction == Direction.INCOMING,
            Document.state.in_([In.REGISTERED, In.PRESENTED, In.DIRECTED, In.IN_PROGRESS]),
            Document.due_date.isnot(None), Document.due_date < now,
            func.cast(Document.id, db.String).notin_(already),
        )
    ).scalars().all()
    notices = []
    for document in late:
        people = [p.user_id for p in document.participants
                  if p.role in (ParticipantRole.HANDLER, ParticipantRole.LEADER)]
        audit.record(None, "overdue", "document", document.id, direction=document.direction,
                     user_ids=sorted(set(people)),
                     deadline=document.due_date.isoformat() if document.due_date else None)
        notices.append(notice(people, "Văn bản đến đã quá hạn xử lý", document))
    return notices
