"""Every act of the super-administrator on an organisation, declared once
(``eoffice.actions``): editing it and creating its first administrator. The page routes
(``/admin/organisations/<id>/...``), the JSON routes
(``/api/v1/organisations/<id>/actions/<name>``), validation and OpenAPI come from here.
Creating an organisation (no object yet) keeps its own page and API route; its input is here.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from pydantic import Field

from eoffice.actions import Action, ActionInput, Kind, declare
from eoffice.organisation.models import Organisation
from eoffice.organisation.organisations import (
    OrganisationDetails,
    create_first_admin,
    organisation_or_404,
    update_organisation,
)


def organisation_json(organisation: Organisation) -> dict[str, Any]:
    """How the API shows an organisation of the installation."""
    return {
        "id": organisation.id,
        "organ_id": organisation.organ_id,
        "name": organisation.name,
        "abbreviation": organisation.abbreviation,
        "parent_organ_id": organisation.parent.organ_id if organisation.parent else None,
        "parent_name": organisation.parent_name,
        "place": organisation.place,
        "address": organisation.address,
        "email": organisation.email,
        "telephone": organisation.telephone,
        "fax": organisation.fax,
        "website": organisation.website,
    }


_TEXT = {"type": "string"}
ORGANISATION_SCHEMA: dict[str, Any] = {"type": "object", "properties": {
    "id": {"type": "integer"}, "organ_id": _TEXT, "name": _TEXT, "abbreviation": _TEXT,
    "parent_organ_id": {"type": ["string", "null"]}, "parent_name": {"type": ["string", "null"]},
    **{name: _TEXT for name in ("place", "address", "email", "telephone", "fax", "website")}}}


class OrganisationInput(ActionInput):
    """An organisation's details, as the form and the API send them."""

    organ_id: str = Field(title="Mã định danh", max_length=13)
    name: str = Field(title="Tên cơ quan", max_length=255)
    abbreviation: str = Field(title="Tên viết tắt", max_length=20)
    parent_organ_id: str | None = Field(None, title="Cơ quan cấp trên", max_length=13)
    parent_name: str | None = Field(None, title="Cơ quan chủ quản", max_length=255)
    place: str = Field("", title="Địa danh", max_length=100)
    address: str = Field("", title="Địa chỉ", max_length=255)
    email: str = Field("", title="Thư điện tử", max_length=120)
    telephone: str = Field("", title="Điện thoại", max_length=40)
    fax: str = Field("", title="Fax", max_length=40)
    website: str = Field("", title="Trang thông tin điện tử", max_length=255)

    def details(self) -> OrganisationDetails:
        return OrganisationDetails(**self.model_dump())


class FirstAdmin(ActionInput):
    """The organisation's administrator, made by the super-administrator."""

    username: str = Field(title="Tên đăng nhập", max_length=80)
    full_name: str = Field(title="Họ và tên", max_length=120)
    password: str = Field(title="Mật khẩu", max_length=200)
    email: str | None = Field(None, title="Thư điện tử", max_length=120)


class DirectoryOrganInput(ActionInput):
    """An external agency entered into the directory by the super-administrator."""

    organ_id: str = Field(title="Mã định danh", max_length=13)
    name: str = Field(title="Tên cơ quan", max_length=255)
    parent_organ_id: str | None = Field(None, title="Mã cơ quan cấp trên", max_length=13)
    address: str = Field("", title="Địa chỉ", max_length=255)
    email: str = Field("", title="Thư điện tử", max_length=120)
    telephone: str = Field("", title="Điện thoại", max_length=40)


ORGANISATIONS = Kind(
    name="organisations",
    load=organisation_or_404,
    page_url=lambda organisation: url_for("organisations.detail",
                                          organisation_id=organisation.id),
    as_json=organisation_json,
    id_param="organisation_id",
    schema_name="Organisation",
)


def _update(actor: Any, organisation: Organisation, data: OrganisationInput) -> Organisation:
    return update_organisation(actor, organisation, data.details())


def _first_admin(actor: Any, organisation: Organisation, data: FirstAdmin) -> Organisation:
    create_first_admin(actor, organisation, username=data.username, full_name=data.full_name,
                       password=data.password, email=data.email)
    return organisation


ACTIONS = (
    Action(ORGANISATIONS, "update",
           "Quản trị toàn hệ thống sửa thông tin cơ quan (mã định danh, tên, cơ quan cấp trên, "
           "địa chỉ…)", OrganisationInput, _update, "Đã lưu thông tin cơ quan.",
           "/<int:organisation_id>/edit", "update"),
    Action(ORGANISATIONS, "create_admin",
           "Quản trị toàn hệ thống tạo tài khoản quản trị của cơ quan", FirstAdmin,
           _first_admin, "Đã tạo tài khoản quản trị cơ quan.",
           "/<int:organisation_id>/admins", "create_admin"),
)

declare(*ACTIONS)
