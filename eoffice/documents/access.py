"""Who may see a document: the ONE check, used by pages, the API, files and sockets alike.

Anyone who may not see a document gets a 404, never a 403, so that its existence is not given
away. Secret documents (Mật, Tối mật, Tuyệt mật) are visible only to people named on them:
the organisation-wide rules for clerks, admins and units do not apply to them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_, select

from eoffice.accounts.models import UnitMembership, User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.models import (
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
    if has_role(user, Role.ADMIN, Role.CLERK):
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


def visible_filter(user: User) -> Any:
    """The same rule as ``can_view`` as a SQL condition on ``Document``, for lists and search.

    Kept next to ``can_view`` so that the two cannot drift apart; the access test walks both.
    """
    named = exists().where(
        DocumentParticipant.document_id == Document.id, DocumentParticipant.user_id == user.id
    )
    same_org = Document.organisation_id == user.organisation_id
    if has_role(user, Role.ADMIN, Role.CLERK):
        return and_(same_org, or_(named, Document.secrecy == 0))
    unit_ids = _unit_ids(user)
    headed = _headed_unit_ids(user)
    conditions = [named]
    if unit_ids:
        conditions.append(
            and_(
                Document.secrecy == 0,
                exists().where(
                    DocumentDelivery.document_id == Document.id,
                    DocumentDelivery.unit_id.in_(unit_ids),
                    DocumentDelivery.delivered_at.isnot(None),
                ),
            )
        )
    if headed:
        member_handles = exists().where(
            UnitMembership.user_id == DocumentAssignment.user_id, UnitMembership.unit_id.in_(headed)
        )
        conditions.append(
            and_(
                Document.secrecy == 0,
                exists().where(
                    DocumentAssignment.document_id == Document.id,
                    or_(DocumentAssignment.unit_id.in_(headed), member_handles),
                ),
            )
        )
    return and_(same_org, or_(*conditions))
