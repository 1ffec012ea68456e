"""Organisation actions: units and positions."""

from __future__ import annotations

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.organisation.models import Organisation, Position, Unit


class OrganisationError(ValueError):
    """A refused organisation action; the message is Vietnamese."""


def create_unit(
    actor: User | None,
    organisation: Organisation,
    *,
    name: str,
    abbreviation: str,
    parent_id: int | None = None,
) -> Unit:
    """A unit of ``organisation`` (under ``parent_id`` when given); abbreviations are unique
    within the organisation. The caller commits."""
    name, abbreviation = name.strip(), abbreviation.strip()
    if not name or not abbreviation:
        raise OrganisationError("Tên và ký hiệu đơn vị là bắt buộc.")
    if parent_id is not None:
        parent = db.session.get(Unit, parent_id)
        if parent is None or parent.organisation_id != organisation.id:
            raise OrganisationError("Đơn vị cấp trên không hợp lệ.")
    clash = db.session.execute(
        select(Unit.id).where(
            Unit.organisation_id == organisation.id, Unit.abbreviation == abbreviation
        )
    ).first()
    if clash:
        raise OrganisationError("Ký hiệu đơn vị đã được dùng.")
    unit = Unit(
        organisation_id=organisation.id, name=name, abbreviation=abbreviation, parent_id=parent_id
    )
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit_created", "unit", unit.id, name=name, abbreviation=abbreviation)
    return unit


def ensure_position(organisation: Organisation, title: str) -> Position:
    """The organisation's position titled ``title``, created when missing."""
    position = db.session.execute(
        select(Position).where(
            Position.organisation_id == organisation.id, Position.title == title
        )
    ).scalar_one_or_none()
    if position is None:
        position = Position(organisation_id=organisation.id, title=title)
        db.session.add(position)
        db.session.flush()
    return position


def unit_tree(organisation_id: int) -> list[tuple[int, Unit]]:
    """Units in tree order with their depth, for indented lists and select boxes."""
    units = db.session.execute(
        select(Unit).where(Unit.organisation_id == organisation_id).order_by(Unit.name)
    ).scalars().all()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[int, Unit]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            ordered.append((depth, unit))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered
