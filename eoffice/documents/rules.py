"""Who is who on a document: the one place each rule lives.

The transition tables (``workflow``), the services and the page context all ask these
predicates; none of them re-derives "is this person the drafter" or "does she head the lead
unit" on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select

from eoffice.accounts.models import UnitMembership, User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.access import can_view
from eoffice.documents.models import (
    Document,
    DocumentAssignment,
    ParticipantRole,
)
from eoffice.extensions import db

Who = Callable[[User, Document], bool]

def named_as(role: ParticipantRole) -> Who:
    def check(user: User, document: Document) -> bool:
        return any(p.user_id == user.id and p.role == role for p in document.participants)

    check.__name__ = f"named_{role.value}"
    return check

drafter = named_as(ParticipantRole.DRAFTER)

reviewer = named_as(ParticipantRole.REVIEWER)

checker = named_as(ParticipantRole.CHECKER)

signer = named_as(ParticipantRole.SIGNER)

presented_leader = named_as(ParticipantRole.LEADER)

def clerk(user: User, document: Document) -> bool:
    """The organisation's clerk (văn thư); for secret documents only a named one."""
    if not has_role(user, Role.CLERK) or user.organisation_id != document.organisation_id:
        return False
    return not document.is_secret or can_view(user, document)

def clerk_or_signer(user: User, document: Document) -> bool:
    return clerk(user, document) or signer(user, document)

def clerk_or_leader(user: User, document: Document) -> bool:
    return clerk(user, document) or presented_leader(user, document)

def lead_handler(user: User, document: Document) -> bool:
    """The lead person, or the head of the lead unit (who may re-assign inside the unit)."""
    headed = {m.unit_id for m in user.memberships if m.is_head}
    for assignment in db.session.query(DocumentAssignment).filter_by(
        document_id=document.id, role="lead"
    ):
        if assignment.user_id == user.id:
            return True
        if assignment.unit_id in headed:
            return True
        if assignment.user_id and any(
            m.unit_id in headed for m in assignment.user.memberships  # type: ignore[union-attr]
        ):
            return True
    return False

def handler_or_clerk(user: User, document: Document) -> bool:
    return lead_handler(user, document) or clerk(user, document)


def is_drafter(user: User, document: Document) -> bool:
    return any(p.user_id == user.id and p.role == ParticipantRole.DRAFTER
               for p in document.participants)

def is_assignee(actor: User, document: Document) -> bool:
    units = {m.unit_id for m in actor.memberships}
    headed = {m.unit_id for m in actor.memberships if m.is_head}
    for assignment in db.session.execute(
        select(DocumentAssignment).where(DocumentAssignment.document_id == document.id)
    ).scalars():
        if (
            assignment.user_id == actor.id
            or (assignment.unit_id in headed)
            or (assignment.user_id is None and assignment.unit_id in units)
        ):
            return True
    return False

def user_ids_of_unit_heads(unit_ids: Iterable[int]) -> list[int]:
    ids = list(unit_ids)
    if not ids:
        return []
    return list(
        db.session.execute(
            select(UnitMembership.user_id).where(
                UnitMembership.unit_id.in_(ids), UnitMembership.is_head.is_(True)
            )
        ).scalars()
    )

def user_ids_of_units(unit_ids: Iterable[int]) -> list[int]:
    ids = list(unit_ids)
    if not ids:
        return []
    return list(
        db.session.execute(select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(ids)))
        .scalars()
        .unique()
    )
