"""Whose figures a user may see: the one permission check for reports.

Admins see everyone in their organisation; a manager or unit head sees the units they head and
every unit below them (a manager who heads no unit, e.g. the Chairman, oversees the whole
organisation); everyone else sees only their own figures.
"""

from __future__ import annotations

from sqlalchemy import select

from eoffice.accounts.models import UnitMembership, User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.organisation.models import Unit


def can_see_dashboard(user: User) -> bool:
    return has_role(user, Role.MANAGER, Role.UNIT_HEAD)


def _all_units(organisation_id: int) -> list[Unit]:
    return list(db.session.execute(
        select(Unit).where(Unit.organisation_id == organisation_id).order_by(Unit.name)
    ).scalars())


def managed_unit_ids(user: User) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    units = _all_units(user.organisation_id)
    if not can_see_dashboard(user):
        return set()
    headed = {m.unit_id for m in user.memberships if m.is_head}
    if not headed:
        return {unit.id for unit in units} if Role.MANAGER in user.roles else set()
    children: dict[int | None, list[int]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit.id)
    result: set[int] = set()
    stack = list(headed)
    while stack:
        unit_id = stack.pop()
        if unit_id not in result:
            result.add(unit_id)
            stack.extend(children.get(unit_id, []))
    return result


def managed_units(user: User) -> list[Unit]:
    ids = managed_unit_ids(user)
    return [unit for unit in _all_units(user.organisation_id) if unit.id in ids]


def unit_subtree_ids(unit: Unit) -> set[int]:
    """A unit and every unit below it: a unit's figures include its sub-units' people."""
    units = _all_units(unit.organisation_id)
    children: dict[int | None, list[int]] = {}
    for item in units:
        children.setdefault(item.parent_id, []).append(item.id)
    result: set[int] = set()
    stack = [unit.id]
    while stack:
        current = stack.pop()
        if current not in result:
            result.add(current)
            stack.extend(children.get(current, []))
    return result


def visible_user_ids(user: User) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if Role.MANAGER in user.roles and not any(m.is_head for m in user.memberships):
        return set(db.session.execute(
            select(User.id).where(User.organisation_id == user.organisation_id)
        ).scalars())
    units = managed_unit_ids(user)
    members = set(db.session.execute(
        select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(units))
    ).scalars()) if units else set()
    return members | {user.id}


def can_view_organisation(viewer: User) -> bool:
    """A manager who heads no unit (the Chairman) oversees the whole organisation."""
    return (getattr(viewer, "is_authenticated", False) and Role.MANAGER in viewer.roles
            and not any(m.is_head for m in viewer.memberships))


def default_unit(viewer: User, units: list[Unit]) -> Unit | None:
    """The unit a unit head's dashboard opens on: the one they head (not the first by name
    among the units below it)."""
    headed = {m.unit_id for m in viewer.memberships if m.is_head}
    return next((u for u in units if u.id in headed), units[0] if units else None)


def can_view_person(viewer: User, person: User) -> bool:
    return viewer.organisation_id == person.organisation_id and person.id in visible_user_ids(
        viewer
    )


def can_view_unit(viewer: User, unit: Unit) -> bool:
    return unit.organisation_id == viewer.organisation_id and unit.id in managed_unit_ids(viewer)
