"""Who may see a document: the ONE check, used by pages, the API, files and sockets alike.

Anyone who may not see a document gets a 404, never a 403, so that its existence is not given
away. Secret documents (Mật, Tối mật, Tuyệt mật) are visible only to people named on them:
the organisation-wide rules for clerks, admins and units do not apply to them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from eoffice.accounts.models import UnitMembership, User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.models import (
    Direction,
    Document,
    DocumentAssignment,
    DocumentDelivery,
    DocumentParticipant,
)
from eoffice.extensions import db


def _is_named(user: User, document: Document) -> bool:
    return (
        db.session.execute(
            select(DocumentParticipant.id)
            .where(
                DocumentParticipant.document_id == document.id,
                DocumentParticipant.user_id == user.id,
            )
            .limit(1)
        ).first()
        is not None
    )


def _unit_ids(user: User) -> list[int]:
    return [m.unit_id for m in user.memberships]


def _headed_unit_ids(user: User) -> list[int]:
    return [m.unit_id for m in user.memberships if m.is_head]


def can_view(user: Any, document: Document | None) -> bool:
    """True when ``user`` may see ``document`` (and so its files, history and actions)."""
    if document is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active or user.organisation_id != document.organisation_id:
        return False
    if _is_named(user, document):
        return True
    if document.is_secret:
        return False
    if has_role(user, Role.CLERK):
        return True
    unit_ids = _unit_ids(user)
    headed = _headed_unit_ids(user)
    if (
        unit_ids
        and db.session.execute(
            select(DocumentDelivery.id)
            .where(
                DocumentDelivery.document_id == document.id,
                DocumentDelivery.unit_id.in_(unit_ids),
                DocumentDelivery.delivered_at.isnot(None),
            )
            .limit(1)
        ).first()
    ):
        return True
    if headed:
        # Head of a unit the document was assigned to, or of a unit whose member handles it.
        handled_by_member = exists().where(
            UnitMembership.user_id == DocumentAssignment.user_id, UnitMembership.unit_id.in_(headed)
        )
        found = db.session.execute(
            select(DocumentAssignment.id)
            .where(
                DocumentAssignment.document_id == document.id,
                or_(
                    DocumentAssignment.unit_id.in_(headed),
                    and_(DocumentAssignment.user_id.isnot(None), handled_by_member),
                ),
            )
            .limit(1)
        ).first()
        if found:
            return True
    return False


def secret_named_ids(user: User, direction: str | None = None) -> Any:
    """Ids of the secret documents naming ``user`` (a few), found from the secret side.

    Clerks are named on nearly every document they register; looking their rows up from the
    documents' secrecy index keeps the set small instead of hashing all of them.
    """
    secret = aliased(Document)
    query = select(secret.id).where(
        secret.organisation_id == user.organisation_id, secret.secrecy > 0,
        exists().where(DocumentParticipant.document_id == secret.id,
                       DocumentParticipant.user_id == user.id))
    if direction:
        query = query.where(secret.direction == direction)
    return query


def reach_branches(user: User, direction: str, state: str | None = None) -> list[Any]:
    """The ways a document reaches a user who is not a clerk or admin, one ``SELECT`` of
    document ids each (named on it; delivered to one of their units; assigned to a unit they
    head or to one of its members), already limited to ``direction`` and ``state``.

    Together they are exactly ``visible_filter`` for such a user (a test checks it).
    """
    unit_ids = _unit_ids(user)
    headed = _headed_unit_ids(user)

    def on_documents(query: Any, column: Any, *, secret_ok: bool) -> Any:
        query = query.join(Document, Document.id == column).where(
            Document.organisation_id == user.organisation_id, Document.direction == direction)
        if state:
            query = query.where(Document.state == state)
        if not secret_ok:
            query = query.where(Document.secrecy == 0)
        return query

    branches = [on_documents(
        select(DocumentParticipant.document_id).where(
            DocumentParticipant.user_id == user.id, DocumentParticipant.direction == direction),
        DocumentParticipant.document_id, secret_ok=True)]
    if unit_ids and direction != Direction.INCOMING:
        branches.append(on_documents(
            select(DocumentDelivery.document_id).where(
                DocumentDelivery.unit_id.in_(unit_ids),
                DocumentDelivery.delivered_at.isnot(None)),
            DocumentDelivery.document_id, secret_ok=False))
    if headed and direction != Direction.OUTGOING:
        branches.append(on_documents(
            select(DocumentAssignment.document_id).where(
                DocumentAssignment.unit_id.in_(headed)),
            DocumentAssignment.document_id, secret_ok=False))
        # Through the members (a join, so each member's rows come from their own index).
        branches.append(on_documents(
            select(DocumentAssignment.document_id)
            .join(UnitMembership, UnitMembership.user_id == DocumentAssignment.user_id)
            .where(UnitMembership.unit_id.in_(headed)),
            DocumentAssignment.document_id, secret_ok=False))
    return branches


def visible_filter(user: User, *, dense: bool = True, direction: str | None = None) -> Any:
    """The same rule as ``can_view`` as a SQL condition on ``Document``, for lists and search.

    Kept next to ``can_view`` so that the two cannot drift apart (a test compares them, in
    both forms). ``dense`` picks the SQL shape, never the meaning: per-row ``EXISTS`` checks
    (a newest-first scan fills a page at once when the user sees much, and each search hit
    costs two index probes) or ``id IN (sets)`` (the user's few documents are collected
    through the indexes and sorted). With ``direction`` the rows that
    cannot apply are left out: only outgoing documents are delivered to units, only incoming
    ones are assigned.
    """
    same_org = Document.organisation_id == user.organisation_id
    if dense:
        named: Any = exists().where(DocumentParticipant.document_id == Document.id,
                                    DocumentParticipant.user_id == user.id)
    else:
        named = Document.id.in_(select(DocumentParticipant.document_id).where(
            DocumentParticipant.user_id == user.id))
    if has_role(user, Role.CLERK):
        return and_(same_org, or_(Document.secrecy == 0,
                                  Document.id.in_(secret_named_ids(user))))
    unit_ids = _unit_ids(user)
    headed = _headed_unit_ids(user)
    branches: list[Any] = []
    if unit_ids and direction != Direction.INCOMING:
        delivered = select(DocumentDelivery.document_id).where(
            DocumentDelivery.unit_id.in_(unit_ids), DocumentDelivery.delivered_at.isnot(None))
        branches.append(exists(delivered.where(DocumentDelivery.document_id == Document.id))
                        if dense else Document.id.in_(delivered))
    if headed and direction != Direction.OUTGOING:
        members = select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(headed))
        assigned = select(DocumentAssignment.document_id).where(or_(
            DocumentAssignment.unit_id.in_(headed), DocumentAssignment.user_id.in_(members)))
        branches.append(exists(assigned.where(DocumentAssignment.document_id == Document.id))
                        if dense else Document.id.in_(assigned))
    if not branches:
        return and_(same_org, named)
    return and_(same_org, or_(named, and_(Document.secrecy == 0, or_(*branches))))
