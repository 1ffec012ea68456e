"""The exchange's acts on a document, declared once (page route, API route, validation and
OpenAPI): choose or drop a recipient outside the organisation (reached through the exchange,
or by hand when it cannot be), send an update after issue, register an arrival.

They are a kind of their own (``/api/v1/exchange/<document_id>/actions/<name>``) whose object
is a document, loaded with the documents' one visibility rule (another organisation's
document is a 404).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from eoffice.actions import Action, ActionInput, declare
from eoffice.actions.parsing import Day
from eoffice.documents import common
from eoffice.documents.actions import DOCUMENTS
from eoffice.documents.forms import end_of_day
from eoffice.documents.models import Document
from eoffice.exchange import handling, recipients

#: A kind of its own (its routes and OpenAPI tag) whose object is a document, loaded, shown
#: and followed up exactly as the documents' acts are.
EXCHANGE = DOCUMENTS.named("exchange")


class Recipient(ActionInput):
    """An organisation picked from the directory (its name is the directory's, if known), or
    an agency outside it by OrganId and name (sent by hand unless a national axis is set)."""

    organ_id: str = Field(title="Mã định danh cơ quan nhận", max_length=13)
    name: str = Field("", title="Tên cơ quan nhận (bắt buộc nếu không có trong danh bạ)",
                      max_length=255)
    email: str = Field("", title="Thư điện tử (cơ quan ngoài danh bạ)", max_length=120)


class RecipientRef(ActionInput):
    """One of the document's exchange recipients."""

    recipient_id: int = Field(title="Nơi nhận")


class Update(ActionInput):
    """The amended metadata of an issued document and why (sent as business type 2)."""

    subject: str = Field("", title="Trích yếu", max_length=500)
    description: str = Field("", title="Nội dung tóm tắt", max_length=5000)
    due_date: Day | None = Field(None, title="Hạn xử lý")
    reason: str = Field(title="Lý do cập nhật", max_length=500)


class Nothing(ActionInput):
    """The act needs nothing but the document."""


def _add(actor: Any, document: Document, data: Recipient) -> common.Result:
    recipients.add_recipient(actor, document, data.organ_id, data.name, data.email)
    return common.Result(document)


def _remove(actor: Any, document: Document, data: RecipientRef) -> common.Result:
    recipients.remove_recipient(actor, document, data.recipient_id)
    return common.Result(document)


ACTIONS = (
    # The documents' old "add_external_recipient" is this act now: its API paths stay as
    # deprecated aliases.
    Action(EXCHANGE, "add_recipient", "Thêm nơi nhận bên ngoài: cơ quan trong danh bạ (gửi qua "
           "liên thông) hoặc cơ quan chưa kết nối, theo mã định danh OrganId và tên (gửi tệp "
           "edXML thủ công)", Recipient, _add, "Đã thêm nơi nhận bên ngoài.",
           "/<int:document_id>/recipients", "add_recipient",
           api_aliases=("/documents/<int:document_id>/external-recipients",
                        "/documents/<int:document_id>/actions/add_external_recipient")),
    Action(EXCHANGE, "remove_recipient", "Bỏ một nơi nhận bên ngoài chưa được gửi",
           RecipientRef, _remove, "Đã bỏ nơi nhận bên ngoài.",
           "/<int:document_id>/recipients/<int:recipient_id>/remove", "remove_recipient",
           path_fields=("recipient_id",)),
    Action(EXCHANGE, "update", "Cập nhật thông tin văn bản đã gửi ra ngoài (nơi nhận liên "
           "thông nhận gói cập nhật; cơ quan chưa kết nối được văn thư tải gói)", Update,
           lambda actor, document, data: handling.send_update(
               actor, document, data.subject, data.description, end_of_day(data.due_date),
               data.reason),
           "Đã gửi thông tin cập nhật tới các nơi nhận.", "/<int:document_id>/update",
           "send_update"),
    Action(EXCHANGE, "register", "Văn thư vào sổ văn bản đến nhận qua liên thông", Nothing,
           lambda actor, document, data: handling.register_arrival(actor, document),
           lambda result: " ".join([f"Đã vào sổ, số đến {result.document.arrival_number}.",
                                    *result.warnings]),
           "/<int:document_id>/register", "register_arrival"),
)

declare(*ACTIONS)
