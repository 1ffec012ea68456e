"""Where a message for an OrganId goes: an organisation of this installation (local delivery)
or elsewhere (the national axis, when one is configured)."""

from __future__ import annotations

from sqlalchemy import select

from eoffice.accounts.models import User, UserRole
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.organisation.models import Organisation

LOCAL, REMOTE = "local", "remote"
NO_AXIS = "Chưa cấu hình trục liên thông văn bản quốc gia; không gửi được ra ngoài hệ thống."


def local_organisation(organ_id: str) -> Organisation | None:
    """The organisation of this installation known by ``organ_id``, if any."""
    if not organ_id:
        return None
    return db.session.execute(select(Organisation).where(
        Organisation.organ_id == organ_id.strip())).scalar_one_or_none()


def route_for(organ_id: str) -> str:
    """``local`` for an organisation of this installation, else ``remote``."""
    return LOCAL if local_organisation(organ_id) is not None else REMOTE


def clerks_of(organisation_id: int) -> list[User]:
    """The active clerks of an organisation: they receive what arrives for it."""
    return [user for user in db.session.execute(
        select(User).join(UserRole).where(User.organisation_id == organisation_id,
                                          UserRole.role == Role.CLERK.value,
                                          User.active.is_(True)).order_by(User.id)).scalars()]
