"""The installation's organisations: created and edited by the super-administrator (or the
operator from the shell), each with its edXML OrganId, its parent and its contact details.

A new organisation is made ready to work by the provisioners other modules register at
``organisation_provisioners`` (its registers, its seal certificate): this module knows
nothing of documents or keys, it only calls them, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields

from flask import current_app
from sqlalchemy import func, select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.roles import Role
from eoffice.accounts.service import AccountError, create_user
from eoffice.errors import Forbidden, InvalidInput, NotFound
from eoffice.extension_points import registered
from eoffice.extensions import db
from eoffice.organisation.directory import normalise_organ_id
from eoffice.organisation.models import Organisation

#: What runs for a new organisation, in its creating transaction (registered by modules).
Provisioner = Callable[[Organisation], None]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidOrganisation(InvalidInput):
    """An organisation's details that cannot be accepted (the message names the field)."""


@dataclass(frozen=True)
class OrganisationDetails:
    """What a super-administrator enters for an organisation. ``parent_organ_id``: the
    OrganId of its parent in this installation; ``parent_name``: the governing body printed
    above its name in document headers (edXML OrganizationInCharge), none when empty."""

    organ_id: str
    name: str
    abbreviation: str
    parent_organ_id: str | None = None
    parent_name: str | None = None
    place: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


_LIMITS = {"name": 255, "abbreviation": 20, "parent_name": 255, "place": 100, "address": 255,
           "email": 120, "telephone": 40, "fax": 40, "website": 255}
_LABELS = {"name": "Tên cơ quan", "abbreviation": "Tên viết tắt",
           "parent_name": "Cơ quan chủ quản", "place": "Địa danh", "address": "Địa chỉ",
           "email": "Thư điện tử", "telephone": "Điện thoại", "fax": "Fax",
           "website": "Trang thông tin điện tử"}


def require_super_admin(actor: User | None) -> None:
    """Only the super-administrator manages organisations (``None`` is the shell's
    operator)."""
    if actor is not None and Role.SUPER_ADMIN not in actor.roles:
        raise Forbidden("Chỉ quản trị toàn hệ thống được quản lý các cơ quan.")


def _cleaned(details: OrganisationDetails) -> OrganisationDetails:
    values = {f.name: getattr(details, f.name) for f in fields(details)}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = " ".join(value.split())  # no stray spaces or line breaks
    organ_id = normalise_organ_id(values["organ_id"])
    if organ_id is None:
        raise InvalidOrganisation("Mã định danh cơ quan phải có dạng 000.00.00.H41 "
                                  "(13 ký tự: chữ số, chữ cái in hoa và dấu chấm).")
    values["organ_id"] = organ_id
    if not values["name"] or not values["abbreviation"]:
        raise InvalidOrganisation("Tên cơ quan và tên viết tắt là bắt buộc.")
    for name, limit in _LIMITS.items():
        if len(values[name] or "") > limit:
            raise InvalidOrganisation(f"“{_LABELS[name]}” dài quá {limit} ký tự.")
    if values["email"] and not _EMAIL.match(values["email"]):
        raise InvalidOrganisation("Thư điện tử không hợp lệ.")
    if values["parent_organ_id"]:
        values["parent_organ_id"] = values["parent_organ_id"].upper()
    return OrganisationDetails(**values)


def _by_organ_id(organ_id: str) -> Organisation | None:
    return db.session.execute(
        select(Organisation).where(func.upper(Organisation.organ_id) == organ_id.upper())
    ).scalar_one_or_none()


def _parent_for(details: OrganisationDetails, itself: Organisation | None) -> Organisation | None:
    if not details.parent_organ_id:
        return None
    parent = _by_organ_id(details.parent_organ_id)
    if parent is None:
        raise InvalidOrganisation(
            f"Không có cơ quan {details.parent_organ_id} trong hệ thống để làm cơ quan cấp trên.")
    ancestor: Organisation | None = parent
    while ancestor is not None and itself is not None:
        if ancestor.id == itself.id:
            raise InvalidOrganisation("Cơ quan cấp trên không được là chính cơ quan này hoặc "
                                      "một cơ quan cấp dưới của nó.")
        ancestor = ancestor.parent
    return parent


def _apply(organisation: Organisation, details: OrganisationDetails,
           parent: Organisation | None) -> None:
    organisation.organ_id = details.organ_id
    organisation.name = details.name
    organisation.abbreviation = details.abbreviation
    organisation.parent_id = parent.id if parent else None
    organisation.parent = parent
    # As given: Decree 30 prints a governing body above some names (a department under the
    # province) and none above others (a district's People's Committee), whatever the parent.
    organisation.parent_name = details.parent_name or None
    # The place in "Hòa Bình, ngày …" is never blank on a document: a department shares
    # its parent's unless told otherwise.
    organisation.place = details.place or (parent.place if parent else "")
    organisation.address = details.address
    organisation.email = details.email
    organisation.telephone = details.telephone
    organisation.fax = details.fax
    organisation.website = details.website


def _audit_details(organisation: Organisation) -> dict[str, object]:
    return {"organ_id": organisation.organ_id, "name": organisation.name,
            "abbreviation": organisation.abbreviation,
            "parent_organ_id": organisation.parent.organ_id if organisation.parent else None}


def create_organisation(actor: User | None, details: OrganisationDetails) -> Organisation:
    """A new organisation of the installation, ready to work: its registers and (where the
    demo PKI is in use) its seal certificate come with it. The caller commits."""
    require_super_admin(actor)
    details = _cleaned(details)
    if _by_organ_id(details.organ_id) is not None:
        raise InvalidOrganisation(f"Mã định danh {details.organ_id} đã được dùng cho một cơ "
                                  "quan khác trong hệ thống.")
    parent = _parent_for(details, None)
    organisation = Organisation()
    _apply(organisation, details, parent)
    db.session.add(organisation)
    db.session.flush()
    for provision in registered("organisation_provisioners", current_app):
        provision(organisation)
    audit.record(actor, "organisation_created", "organisation", organisation.id,
                 **_audit_details(organisation))
    return organisation


def update_organisation(actor: User | None, organisation: Organisation,
                        details: OrganisationDetails) -> Organisation:
    """Change an organisation's OrganId, names, parent or contact details. The caller
    commits."""
    require_super_admin(actor)
    details = _cleaned(details)
    clash = _by_organ_id(details.organ_id)
    if clash is not None and clash.id != organisation.id:
        raise InvalidOrganisation(f"Mã định danh {details.organ_id} đã được dùng cho một cơ "
                                  "quan khác trong hệ thống.")
    parent = _parent_for(details, organisation)
    before = _audit_details(organisation)
    _apply(organisation, details, parent)
    db.session.flush()
    after = _audit_details(organisation)
    audit.record(actor, "organisation_updated", "organisation", organisation.id,
                 **after, changed=sorted(k for k in after if after[k] != before[k]))
    return organisation


def details_of(organisation: Organisation) -> OrganisationDetails:
    """The organisation's current details (to fill an edit form)."""
    return OrganisationDetails(
        organ_id=organisation.organ_id, name=organisation.name,
        abbreviation=organisation.abbreviation,
        parent_organ_id=organisation.parent.organ_id if organisation.parent else None,
        parent_name=organisation.parent_name, place=organisation.place,
        address=organisation.address, email=organisation.email,
        telephone=organisation.telephone, fax=organisation.fax, website=organisation.website)


def create_first_admin(actor: User | None, organisation: Organisation, *, username: str,
                       full_name: str, password: str, email: str | None = None) -> User:
    """The administrator of ``organisation`` (who then creates its users and units), made
    by the super-administrator. The caller commits."""
    require_super_admin(actor)
    try:
        return create_user(actor, username=username, full_name=full_name, password=password,
                           organisation_id=organisation.id, roles=[Role.ADMIN], email=email)
    except AccountError as error:
        raise InvalidInput(str(error)) from None


def all_organisations() -> list[tuple[int, Organisation]]:
    """Every organisation of the installation in tree order with its depth."""
    organisations = db.session.execute(
        select(Organisation).order_by(Organisation.name)).scalars().all()
    children: dict[int | None, list[Organisation]] = {}
    known = {o.id for o in organisations}
    for organisation in organisations:
        parent = organisation.parent_id if organisation.parent_id in known else None
        children.setdefault(parent, []).append(organisation)
    ordered: list[tuple[int, Organisation]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for organisation in children.get(parent_id, []):
            ordered.append((depth, organisation))
            walk(organisation.id, depth + 1)

    walk(None, 0)
    return ordered


def organisation_or_404(actor: User, organisation_id: int) -> Organisation:
    """The organisation a super-administrator acts on (the action kind's loader): 403 for
    anyone else, 404 when it does not exist."""
    require_super_admin(actor)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Không tìm thấy cơ quan.")
    return organisation
