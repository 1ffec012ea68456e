"""The administrator's acts on remote signing, declared once (page route, API route, OpenAPI).

The object acted on is the administrator's organisation: ``POST
/api/v1/remote-signing/<organisation_id>/actions/<name>``. Another organisation's id is a
404, as for any object one may not see.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from pydantic import Field

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.actions import Action, ActionInput, Kind, declare
from eoffice.errors import NotFound
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys import remote

SCHEMA_NAME = "RemoteSigning"

#: OpenAPI schema of the answer: the organisation's services (no secrets) and links.
REMOTE_SIGNING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["organisation_id", "services", "links"],
    "properties": {
        "organisation_id": {"type": "integer"},
        "services": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "base_url": {"type": "string"}, "client_id": {"type": ["string", "null"]},
            "has_client_secret": {"type": "boolean"},
            "timeout_seconds": {"type": "number"}}}},
        "links": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "service_id": {"type": "integer"},
            "holder": {"type": "string", "description": "user:<id> hoặc seal (con dấu)"},
            "user_id": {"type": ["integer", "null"]}, "credential_id": {"type": "string"},
            "scal": {"type": "integer"}, "needs_otp": {"type": "boolean"},
            "max_signatures": {"type": "integer"},
            "certificate_subject": {"type": "string"},
            "certificate_not_after": {"type": ["string", "null"]}}}},
    },
}


def administered(user: User, organisation_id: int) -> Organisation:
    """The organisation ``user`` administers, else ``NotFound`` (also for other agencies)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not has_role(user, Role.ADMIN) or \
            user.organisation_id != organisation.id:
        raise NotFound("Không tìm thấy cơ quan.")
    return organisation


def as_json(organisation: Organisation) -> dict[str, Any]:
    """The API's answer: the organisation's services (no secret) and credential links."""
    return {"organisation_id": organisation.id,
            "services": [s.as_json() for s in remote.services_of(organisation)],
            "links": [link.as_json() for link in remote.links_of(organisation)]}


REMOTE_SIGNING = Kind(
    name="remote-signing",
    load=administered,
    page_url=lambda organisation: url_for("remote_signing.page"),
    as_json=as_json,
    id_param="organisation_id",
    schema_name=SCHEMA_NAME,
)


class ServiceInput(ActionInput):
    name: str = Field(title="Tên dịch vụ", min_length=1, max_length=200)
    base_url: str = Field(title="Địa chỉ dịch vụ (CSC API)", max_length=500)
    client_id: str | None = Field(None, title="Mã ứng dụng (client id)", max_length=200)
    client_secret: str | None = Field(None, title="Khóa bí mật ứng dụng (client secret)",
                                      max_length=500, repr=False)
    timeout_seconds: float = Field(30.0, title="Thời gian chờ (giây)")


class LinkInput(ActionInput):
    service_id: int = Field(title="Dịch vụ ký số từ xa")
    credential_id: str = Field(title="Mã chứng thư tại dịch vụ (credential id)", min_length=1,
                               max_length=300)
    user_id: int | None = Field(None, title="Người ký (để trống: con dấu của cơ quan)")


class UnlinkInput(ActionInput):
    link_id: int = Field(title="Liên kết")


def _register(actor: User, organisation: Organisation, data: ServiceInput) -> Organisation:
    remote.register_service(actor, organisation, name=data.name, base_url=data.base_url,
                            client_id=data.client_id, client_secret=data.client_secret,
                            timeout_seconds=data.timeout_seconds)
    return organisation


def _link(actor: User, organisation: Organisation, data: LinkInput) -> Organisation:
    remote.link_credential(actor, organisation, service_id=data.service_id,
                           credential_id=data.credential_id, user_id=data.user_id)
    return organisation


def _unlink(actor: User, organisation: Organisation, data: UnlinkInput) -> Organisation:
    remote.unlink_credential(actor, organisation, data.link_id)
    return organisation


ACTIONS = (
    Action(REMOTE_SIGNING, "register_service",
           "Đăng ký dịch vụ ký số từ xa (CSC API) của cơ quan", ServiceInput, _register,
           "Đã lưu dịch vụ ký số từ xa.", "/<int:organisation_id>/services",
           "register_service"),
    Action(REMOTE_SIGNING, "link_credential",
           "Liên kết người ký hoặc con dấu cơ quan với chứng thư ký từ xa", LinkInput, _link,
           "Đã liên kết chứng thư ký từ xa.", "/<int:organisation_id>/links", "link_credential"),
    Action(REMOTE_SIGNING, "unlink_credential", "Bỏ liên kết chứng thư ký từ xa", UnlinkInput,
           _unlink, "Đã bỏ liên kết chứng thư ký từ xa.", "/<int:organisation_id>/unlink",
           "unlink_credential"),
)
declare(*ACTIONS)
