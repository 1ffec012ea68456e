"""Creating a document through the API: every field the pages offer, typed once.

An outgoing draft comes from a file (DOCX or PDF) or is generated from the Decree-30 template
out of its body text; an incoming document is registered with all of Appendix VI's metadata.
The models are the API's request bodies (multipart) and its OpenAPI schemas.
"""

from __future__ import annotations

from pydantic import Field

from eoffice.accounts.models import User
from eoffice.actions import ActionInput, Upload
from eoffice.actions.parsing import Day
from eoffice.documents.common import Result, store_file
from eoffice.documents.errors import InvalidInput
from eoffice.documents.forms import end_of_day
from eoffice.documents.generation import generate_outgoing
from eoffice.documents.incoming import (
    IncomingMetadata,
    find_duplicates,
    register_incoming_upload,
)
from eoffice.documents.models import Document
from eoffice.documents.outgoing import OutgoingDraft, create_outgoing


class NewOutgoing(ActionInput):
    """A new outgoing draft: a file, or body text for the template."""

    subject: str = Field(title="Trích yếu nội dung", max_length=500)
    type_code: str = Field("", title="Loại văn bản (mã, trống: công văn)", max_length=10)
    reviewer_id: int = Field(title="Người kiểm tra nội dung")
    checker_id: int = Field(title="Người kiểm tra thể thức")
    signer_id: int = Field(title="Người ký")
    drafting_unit_id: int | None = Field(None, title="Đơn vị soạn thảo")
    urgency: int = Field(0, title="Độ khẩn (0–3)")
    secrecy: int = Field(0, title="Độ mật (0–3)")
    is_legal_normative: bool = Field(False, title="Văn bản quy phạm pháp luật")
    authority: str = Field("", title="Thẩm quyền ký (TM., KT., TL., TUQ.)", max_length=60)
    to_places: str = Field("", title="Nơi nhận (mỗi dòng một nơi)", max_length=5000)
    due_date: Day | None = Field(None, title="Hạn xử lý")
    recipient_user_ids: list[int] = Field(default_factory=list, title="Người nhận trong cơ quan")
    recipient_unit_ids: list[int] = Field(default_factory=list, title="Đơn vị nhận trong cơ quan")
    named_user_ids: list[int] = Field(default_factory=list, title="Người được xem")
    file: Upload | None = Field(None, title="Tệp dự thảo (DOCX hoặc PDF)")
    body: str = Field("", title="Nội dung để tạo văn bản theo mẫu (mỗi dòng một đoạn)",
                      max_length=100_000)
    addressees: str = Field("", title="Kính gửi (mỗi dòng một nơi)", max_length=5000)


class NewIncoming(ActionInput):
    """An arriving document with its Appendix VI metadata and its PDF."""

    subject: str = Field(title="Trích yếu nội dung", max_length=500)
    organ_name: str = Field(title="Cơ quan ban hành", max_length=255)
    organ_id: str = Field("", title="Mã định danh cơ quan (OrganId)", max_length=13)
    code_number: int | None = Field(None, title="Số", ge=1)
    code_notation: str = Field("", title="Ký hiệu", max_length=50)
    type_code: str = Field("", title="Loại văn bản", max_length=10)
    issued_date: Day | None = Field(None, title="Ngày tháng văn bản")
    signer_full_name: str = Field("", title="Người ký", max_length=120)
    signer_position: str = Field("", title="Chức vụ người ký", max_length=120)
    urgency: int = Field(0, title="Độ khẩn (0–3)")
    secrecy: int = Field(0, title="Độ mật (0–3)")
    due_date: Day | None = Field(None, title="Hạn giải quyết")
    page_amount: int | None = Field(None, title="Số trang", ge=1)
    description: str = Field("", title="Ghi chú", max_length=5000)
    named_user_ids: list[int] = Field(default_factory=list, title="Người được xem")
    confirm_duplicate: bool = Field(False, title="Vẫn vào sổ dù trùng số, ký hiệu")
    file: Upload = Field(title="Tệp văn bản (PDF)")


def new_outgoing(actor: User, data: NewOutgoing) -> Result:
    """Create the draft from the uploaded file, or generate it from the body text."""
    draft = OutgoingDraft(
        subject=data.subject, type_code=data.type_code, reviewer_id=data.reviewer_id,
        checker_id=data.checker_id, signer_id=data.signer_id,
        drafting_unit_id=data.drafting_unit_id, urgency=data.urgency, secrecy=data.secrecy,
        is_legal_normative=data.is_legal_normative, authority=data.authority,
        to_places=data.to_places, due_date=end_of_day(data.due_date),
        recipient_user_ids=data.recipient_user_ids, recipient_unit_ids=data.recipient_unit_ids,
        named_user_ids=data.named_user_ids)
    if data.file is not None:
        stored = store_file(actor, data.file.stream, data.file.filename)
        return create_outgoing(actor, draft, stored)
    if data.body.strip():
        return generate_outgoing(actor, draft, data.body.split("\n"),
                                 data.addressees.split("\n"))
    raise InvalidInput("Hãy gửi tệp dự thảo (file) hoặc nội dung để tạo theo mẫu (body).")


def duplicates_of(actor: User, data: NewIncoming) -> list[Document]:
    """Already registered documents with the same number, notation and issuer (unless the
    clerk confirmed)."""
    return [] if data.confirm_duplicate else find_duplicates(actor, _metadata(data))


def new_incoming(actor: User, data: NewIncoming) -> Result:
    """Check and store the PDF, then register it (nothing is kept if refused)."""
    return register_incoming_upload(actor, _metadata(data), data.file.stream,
                                    data.file.filename)


def _metadata(data: NewIncoming) -> IncomingMetadata:
    return IncomingMetadata(
        subject=data.subject, organ_name=data.organ_name, organ_id=data.organ_id,
        code_number=data.code_number, code_notation=data.code_notation,
        type_code=data.type_code, issued_date=data.issued_date,
        signer_full_name=data.signer_full_name, signer_position=data.signer_position,
        urgency=data.urgency, secrecy=data.secrecy, due_date=end_of_day(data.due_date),
        page_amount=data.page_amount, description=data.description,
        named_user_ids=data.named_user_ids)
