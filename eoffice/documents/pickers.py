"""Who the pickers propose first: sensible defaults for the people a document goes to.

- the content reviewer of a draft is the head of the drafter's own unit (the parent unit's
  head when the drafter heads the unit), not whichever unit head sorts first;
- the leader a draft is signed by, or an incoming document presented to, is the
  organisation's head (Chủ tịch, Giám đốc…: a leader whose title is not a deputy's), else
  the first leader;
- a unit without a head cannot receive a direction (nobody would see it): the picker warns.
"""

from __future__ import annotations

from sqlalchemy import select

from eoffice.accounts.models import UnitMembership, User, UserRole
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.organisation.models import Unit

#: Titles of a deputy ("Phó Chủ tịch", "Phó Giám đốc"): never the default leader.
DEPUTY_PREFIX = "phó"


def leaders_of(organisation_id: int) -> list[User]:
    """The organisation's active leaders, in the order they were created."""
    return list(db.session.execute(
        select(User).join(UserRole).where(
            User.organisation_id == organisation_id, User.active.is_(True),
            UserRole.role == Role.LEADER.value).order_by(User.id)
    ).scalars().unique())


def organisation_head(organisation_id: int) -> User | None:
    """The head of the organisation: the first leader who is not a deputy, else the first."""
    leaders = leaders_of(organisation_id)
    for leader in leaders:
        if not leader.title.strip().lower().startswith(DEPUTY_PREFIX):
            return leader
    return leaders[0] if leaders else None


def _head_of_unit(unit_id: int, *, besides: int) -> User | None:
    return db.session.execute(
        select(User).join(UnitMembership).where(
            UnitMembership.unit_id == unit_id, UnitMembership.is_head.is_(True),
            User.active.is_(True), User.id != besides).order_by(User.id)
    ).scalars().first()


def unit_head_of(user: User) -> User | None:
    """The head of ``user``'s unit; when ``user`` heads it, the parent unit's head."""
    for membership in user.memberships:
        unit: Unit | None = membership.unit
        while unit is not None:
            head = _head_of_unit(unit.id, besides=user.id)
            if head is not None:
                return head
            unit = unit.parent
    return None


def headless_unit_ids(organisation_id: int) -> set[int]:
    """The organisation's units with no active head (a direction to them reaches nobody)."""
    headed = select(UnitMembership.unit_id).join(User).where(
        UnitMembership.is_head.is_(True), User.active.is_(True))
    return set(db.session.execute(
        select(Unit.id).where(Unit.organisation_id == organisation_id, Unit.id.not_in(headed))
    ).scalars())


def default_id(user: User | None, choices: list[tuple[int, str]] | list) -> int | None:
    """``user``'s id when the picker offers it (a default outside the list would be refused)."""
    if user is None:
        return None
    offered = {getattr(c, "value", c[0] if isinstance(c, tuple) else c) for c in choices}
    return user.id if user.id in offered else None


def panel_defaults(user: User, can: set[str]) -> dict[str, object]:
    """What the document page's pickers need: the leader to present to first, and the units
    a direction would not reach."""
    return {
        "default_leader_id": (getattr(organisation_head(user.organisation_id), "id", None)
                              if "present" in can else None),
        "headless_units": headless_unit_ids(user.organisation_id) if "direct" in can else set(),
    }
