"""Every act on a document, declared once (``eoffice.actions``).

The page routes (``/documents/<id>/...``), the JSON routes
(``/api/v1/documents/<id>/actions/<name>``), their validation and their OpenAPI operations
all come from the declarations below; the services hold the permissions and the rules.
Creating a document (no object yet) and downloads (an answer that is a file) keep their own
routes.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from pydantic import Field

from eoffice.actions import Action, ActionInput, Kind, Upload, declare
from eoffice.actions.parsing import Day
from eoffice.documents import (
    case_files,
    common,
    consultation,
    incoming,
    messages,
    notifications,
    outgoing,
    signing_service,
    steps,
)
from eoffice.documents.errors import InvalidInput, NotPermitted
from eoffice.documents.forms import end_of_day
from eoffice.documents.models import Direction, Document
from eoffice.documents.recipient_view import sees_whole
from eoffice.documents.representation import document_json
from eoffice.documents.revocation import purge_unreferenced
from eoffice.documents.workflow import INCOMING, OUTGOING


def page_url(document: Document) -> str:
    """The document's page (incoming and outgoing documents have their own)."""
    endpoint = ("documents.outgoing_view" if document.direction == Direction.OUTGOING
                else "documents.incoming_view")
    return url_for(endpoint, document_id=document.id)


def _answer(result: common.Result) -> dict[str, Any]:
    payload = document_json(result.document, full=True)
    if result.warnings:
        payload["warnings"] = result.warnings
    return payload


def _after_commit(result: common.Result) -> None:
    """Purge revoked content (only once the revocation is committed), then tell people."""
    if result.purge_keys:
        purge_unreferenced(result.purge_keys)
    notifications.send(result.notices)


DOCUMENTS = Kind(
    name="documents",
    load=common.get_visible,
    page_url=page_url,
    as_json=_answer,
    subject_of=lambda result: result.document,
    after_commit=_after_commit,
    id_param="document_id",
    schema_name="Document",
)


# --------------------------------------------------------------------------- inputs
class Note(ActionInput):
    note: str = Field("", title="Ghi chú", max_length=5000)


class CommentText(ActionInput):
    body: str = Field(title="Nội dung ý kiến", max_length=5000)


class NewVersion(ActionInput):
    file: Upload = Field(title="Tệp")
    note: str = Field("", title="Ghi chú", max_length=255)


class NewAttachment(ActionInput):
    file: Upload = Field(title="Tệp phụ lục")


class Pin(ActionInput):
    pin: str = Field(title="Mã PIN", max_length=64)
    otp: str | None = Field(None, title="Mã OTP (ký số từ xa, khi chứng thư yêu cầu)",
                            max_length=16)


class LeaderSignature(Pin):
    viewed_sha256: str | None = Field(
        None, title="SHA-256 của bản PDF lãnh đạo đã xem (ký đúng bản đã xem)", max_length=64)


class Replacement(ActionInput):
    replacement_id: int = Field(title="Văn bản thay thế")
    note: str = Field("", title="Lý do", max_length=5000)


class OpinionRequest(ActionInput):
    user_id: list[int] = Field(title="Người được lấy ý kiến")
    deadline: Day | None = Field(None, title="Hạn góp ý")
    question: str = Field("", title="Nội dung xin ý kiến", max_length=5000)


class OpinionAnswer(ActionInput):
    consultation_id: int = Field(title="Yêu cầu lấy ý kiến")
    opinion: str = Field(title="Ý kiến (agree: nhất trí, comments: có góp ý)")
    body: str = Field("", title="Nội dung góp ý", max_length=5000)


class Presentation(ActionInput):
    leader_id: int = Field(title="Lãnh đạo được trình")
    note: str = Field("", title="Ghi chú", max_length=5000)


class DirectionOrder(ActionInput):
    """One lead (a unit or a person) and any number of supporting units, a deadline each.
    ``support_unit_id`` and ``support_deadline`` go in pairs, position by position."""

    lead_unit_id: int | None = Field(None, title="Đơn vị chủ trì")
    lead_user_id: int | None = Field(None, title="Người chủ trì")
    lead_deadline: Day | None = Field(None, title="Hạn xử lý")
    support_unit_id: list[int | None] = Field(default_factory=list, title="Đơn vị phối hợp")
    support_deadline: list[Day | None] = Field(default_factory=list, title="Hạn phối hợp")
    opinion: str = Field("", title="Ý kiến chỉ đạo", max_length=5000)


class Progress(ActionInput):
    body: str = Field(title="Nội dung tiến độ", max_length=5000)


class Completion(ActionInput):
    reply_document_id: int | None = Field(None, title="Văn bản trả lời")
    note: str = Field("", title="Ghi chú", max_length=5000)


class Reassignment(ActionInput):
    assignment_id: int = Field(title="Phân công")
    user_id: int = Field(title="Người được giao")


class Filing(ActionInput):
    case_file_id: list[int] = Field(title="Hồ sơ")


class Nothing(ActionInput):
    """The act needs nothing but the document."""


# --------------------------------------------------------------------------- performers
def _direct(actor: Any, document: Document, data: DirectionOrder) -> common.Result:
    lines = [incoming.Handling("lead", unit_id=data.lead_unit_id, user_id=data.lead_user_id,
                               deadline=end_of_day(data.lead_deadline))]
    deadlines = list(data.support_deadline) + [None] * len(data.support_unit_id)
    for unit_id, deadline in zip(data.support_unit_id, deadlines, strict=False):
        if unit_id:
            lines.append(incoming.Handling("support", unit_id=unit_id,
                                           deadline=end_of_day(deadline)))
    return incoming.direct(actor, document, lines, data.opinion)


def _comment(actor: Any, document: Document, data: CommentText) -> common.Result:
    if not sees_whole(actor, document):  # a recipient reads the official copy, nothing else
        raise NotPermitted("Người nhận văn bản không ghi ý kiến vào hồ sơ xử lý văn bản.")
    common.comment(actor, document, data.body)
    return common.Result(document)


def _revise(actor: Any, document: Document, data: NewVersion) -> common.Result:
    stored = common.store_file(actor, data.file.stream, data.file.filename)
    return outgoing.revise_draft(actor, document, stored, data.note)


def _attach(actor: Any, document: Document, data: NewAttachment) -> common.Result:
    stored = common.store_file(actor, data.file.stream, data.file.filename, common.PDF_ONLY)
    outgoing.add_attachment(actor, document, stored)
    return common.Result(document)


def _file(actor: Any, document: Document, data: Filing) -> common.Result:
    return case_files.file_into(actor, document, data.case_file_id)


# --------------------------------------------------------------------------- declarations
#: Steps that undo someone's work: the person affected is owed the reason.
NEEDS_REASON = {"return": "Hãy nhập lý do trả lại.", "revoke": "Hãy nhập lý do thu hồi."}


def _plain_step(name: str) -> Any:
    def perform(actor: Any, document: Document, data: Note) -> common.Result:
        if name in NEEDS_REASON and not data.note.strip():
            raise InvalidInput(NEEDS_REASON[name])
        return steps.act(actor, document, name, data.note)

    return perform


def _step(name: str) -> Action:
    summary = next(t.label for t in (*OUTGOING, *INCOMING) if t.action == name)
    return Action(DOCUMENTS, name, f"{summary} (bước theo bảng trạng thái, kèm ghi chú)", Note,
                  _plain_step(name), messages.step(name))


#: The plain steps: every action of the tables a service does not own.
PLAIN_STEPS = tuple(dict.fromkeys(t.action for t in (*OUTGOING, *INCOMING)
                                  if not t.service_only))

ACTIONS = (
    *(_step(name) for name in PLAIN_STEPS),
    Action(DOCUMENTS, "comment", "Ghi ý kiến vào văn bản", CommentText, _comment,
           "Đã ghi ý kiến.", "/<int:document_id>/comments", "add_comment",
           api_aliases=("/documents/<int:document_id>/comments",)),
    Action(DOCUMENTS, "revise", "Người soạn thảo tải phiên bản mới của dự thảo", NewVersion,
           _revise, "Đã lưu phiên bản mới của dự thảo.", "/<int:document_id>/versions",
           "add_version"),
    Action(DOCUMENTS, "attach", "Người soạn thảo thêm phụ lục (PDF) khi còn là dự thảo",
           NewAttachment, _attach, "Đã thêm phụ lục.", "/<int:document_id>/attachments",
           "add_attachment"),
    Action(DOCUMENTS, "request_opinions", "Xin ý kiến góp ý dự thảo", OpinionRequest,
           lambda actor, document, data: consultation.request_opinions(
               actor, document, data.user_id, end_of_day(data.deadline), data.question),
           "Đã gửi yêu cầu lấy ý kiến.", "/<int:document_id>/consultations",
           "request_opinions"),
    Action(DOCUMENTS, "answer_opinion", "Trả lời yêu cầu lấy ý kiến", OpinionAnswer,
           lambda actor, document, data: consultation.answer(
               actor, document, data.consultation_id, data.opinion or "", data.body),
           "Đã gửi ý kiến góp ý.",
           "/<int:document_id>/consultations/<int:consultation_id>/answer",
           "answer_consultation", path_fields=("consultation_id",)),
    Action(DOCUMENTS, "sign", "Lãnh đạo ký số văn bản (mã PIN) đúng bản PDF đã xem",
           LeaderSignature,
           lambda actor, document, data: signing_service.sign_as_leader(
               actor, document, data.pin, viewed_sha256=data.viewed_sha256, otp=data.otp),
           messages.signed, "/<int:document_id>/sign", "sign",
           api_aliases=("/documents/<int:document_id>/sign",)),
    Action(DOCUMENTS, "number", "Văn thư cấp số, ngày vào ô dành sẵn", Nothing,
           lambda actor, document, data: signing_service.assign_number(actor, document),
           messages.numbered,
           "/<int:document_id>/number", "number",
           api_aliases=("/documents/<int:document_id>/number",)),
    Action(DOCUMENTS, "org_sign", "Văn thư ký số của cơ quan (mã PIN của chứng thư cơ quan)",
           Pin, lambda actor, document, data: signing_service.org_sign(actor, document,
                                                                         data.pin, otp=data.otp),
           messages.org_signed, "/<int:document_id>/org-sign", "org_sign",
           api_aliases=("/documents/<int:document_id>/org-sign",)),
    Action(DOCUMENTS, "issue", "Phát hành đến các nơi nhận nội bộ", Nothing,
           lambda actor, document, data: outgoing.issue(actor, document),
           messages.issued, "/<int:document_id>/issue", "issue",
           api_aliases=("/documents/<int:document_id>/issue",)),
    Action(DOCUMENTS, "replace", "Đánh dấu văn bản đã ban hành bị thay thế", Replacement,
           lambda actor, document, data: outgoing.replace(actor, document,
                                                          data.replacement_id, data.note),
           "Đã đánh dấu văn bản bị thay thế.", "/<int:document_id>/replace", "replace"),
    Action(DOCUMENTS, "present", "Văn thư trình văn bản đến cho lãnh đạo", Presentation,
           lambda actor, document, data: incoming.present(actor, document, data.leader_id,
                                                          data.note),
           messages.presented, "/<int:document_id>/present", "present",
           api_aliases=("/documents/<int:document_id>/present",)),
    Action(DOCUMENTS, "direct", "Lãnh đạo chỉ đạo: chủ trì, phối hợp, hạn xử lý", DirectionOrder,
           _direct, messages.directed, "/<int:document_id>/direct", "direct",
           api_aliases=("/documents/<int:document_id>/direct",)),
    Action(DOCUMENTS, "reassign", "Trưởng đơn vị giao lại việc cho người trong đơn vị",
           Reassignment,
           lambda actor, document, data: incoming.reassign(actor, document,
                                                           data.assignment_id, data.user_id),
           messages.reassigned, "/<int:document_id>/reassign", "reassign"),
    Action(DOCUMENTS, "progress", "Ghi nhận tiến độ xử lý", Progress,
           lambda actor, document, data: incoming.report_progress(actor, document, data.body),
           "Đã ghi nhận tiến độ.", "/<int:document_id>/progress", "progress",
           api_aliases=("/documents/<int:document_id>/progress",)),
    Action(DOCUMENTS, "complete", "Hoàn thành xử lý, liên kết văn bản trả lời", Completion,
           lambda actor, document, data: incoming.complete(actor, document,
                                                           data.reply_document_id, data.note),
           messages.completed, "/<int:document_id>/complete", "complete",
           api_aliases=("/documents/<int:document_id>/complete",)),
    Action(DOCUMENTS, "file", "Đưa văn bản vào hồ sơ", Filing, _file, messages.filed,
           "/<int:document_id>/file", "file_document"),
)

declare(*ACTIONS)
