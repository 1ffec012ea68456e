"""Every act of preparing a meeting (and of closing its paperwork), declared once.

The page routes (``/meetings/<id>/...``, their endpoint names unchanged), the JSON routes
(``/api/v1/meetings/<id>/actions/<name>``), their validation and their OpenAPI operations all
come from the declarations below (``eoffice.actions``); the rules and their refusals are in
``meetings.preparation`` and ``meetings.minutes``. Creating a meeting (no object yet) keeps its
own routes, and so do the papers (answers that are files). The live session is not here: it
runs over Socket.IO (``meetings.namespace``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from flask import url_for
from pydantic import BeforeValidator, Field

from eoffice.accounts.models import User
from eoffice.actions import Action, ActionInput, Kind, Upload, declare
from meetings import invitation, minutes, preparation
from meetings.access import get_meeting, participant_row
from meetings.errors import MeetingConflict
from meetings.live_session import sync_roster
from meetings.models import Meeting
from meetings.representation import meeting_json


@dataclass(frozen=True)
class Done:
    """What an act on a meeting leaves: the meeting, who acted, and whether a session
    already under way must see the change (its roster and agenda)."""

    meeting: Meeting
    actor: User
    roster_changed: bool = False


def page_url(meeting: Meeting) -> str:
    return url_for("meetings.detail", meeting_id=meeting.id)


def _after_commit(done: Done) -> None:
    if done.roster_changed:
        sync_roster(done.actor, done.meeting.id)


MEETINGS = Kind(
    name="meetings",
    load=get_meeting,
    page_url=page_url,
    as_json=lambda done: meeting_json(done.meeting, done.actor),
    subject_of=lambda done: done.meeting,
    after_commit=_after_commit,
    id_param="meeting_id",
    schema_name="Meeting",
)


def _none_for_zero(value: Any) -> Any:
    """A page's select offers "—" as 0: nobody."""
    return None if value in (0, "0") else value


#: Someone chosen in a select that may be left at "—" (0, empty or absent: nobody).
Someone = Annotated[int | None, BeforeValidator(_none_for_zero)]


# --------------------------------------------------------------------------- inputs
class Nothing(ActionInput):
    """The act needs nothing but the meeting."""


class AgendaItemInput(ActionInput):
    title: str = Field(title="Nội dung", max_length=300)
    duration_minutes: int = Field(15, title="Thời lượng (phút)",
                                  description="Từ 1 đến 600 phút")
    presenter_id: Someone = Field(None, title="Người trình bày",
                                  description="Một người được mời họp (0 hoặc bỏ trống: không có)")
    restricted_to: list[int] = Field(default_factory=list,
                                     title="Chỉ những người này được xem tài liệu",
                                     description="Người được mời họp; để trống: mọi thành phần "
                                                 "được xem")


class DocumentUpload(ActionInput):
    item_id: int = Field(title="Nội dung chương trình")
    title: str = Field("", title="Tên tài liệu", max_length=300)
    file: Upload = Field(title="Tệp PDF")


class ExistingFile(ActionInput):
    item_id: int = Field(title="Nội dung chương trình")
    file_id: int = Field(title="Văn bản đã có",
                         description="Một tệp PDF người gọi được xem (POST /api/v1/files)")
    title: str = Field("", title="Tên tài liệu", max_length=300)


class Answer(ActionInput):
    answer: Literal["accepted", "declined", "delegated"] = Field(
        title="Phản hồi", description="accepted: tham dự; declined: vắng mặt (nêu lý do); "
                                      "delegated: cử người dự thay")
    reason: str = Field("", title="Lý do", max_length=500)
    deputy_id: Someone = Field(None, title="Người dự thay")


class Pin(ActionInput):
    pin: str = Field(title="Mã PIN chữ ký số", max_length=64)
    otp: str | None = Field(None, title="Mã OTP (ký số từ xa, khi chứng thư yêu cầu)",
                            max_length=16)


class MinutesText(ActionInput):
    notes: str | None = Field(None, title="Ý kiến khác, ghi chép của thư ký (chỉ thư ký sửa, "
                                          "trước chữ ký đầu tiên)", max_length=20000)


# --------------------------------------------------------------------------- performers
def _invite(actor: User, meeting: Meeting, data: Nothing) -> Done:
    preparation.require_invitable(actor, meeting)  # refused before the giấy mời is built
    state = invitation.state_of(meeting)
    if state == invitation.SEALED:  # invitees get the signed and sealed giấy mời
        return Done(preparation.send_invitations(actor, meeting), actor)
    if state == invitation.SIGNED:
        raise MeetingConflict("Giấy mời đã được lãnh đạo ký, đang chờ văn thư đóng dấu; "
                              "gửi sau khi đóng dấu.")
    pdf = invitation.unsigned_pdf(meeting)  # numbered (GM series), not signed
    return Done(preparation.send_invitations(actor, meeting, pdf), actor)


def _add_item(actor: User, meeting: Meeting, data: AgendaItemInput) -> Done:
    preparation.add_agenda_item(actor, meeting, title=data.title,
                                duration_minutes=data.duration_minutes,
                                presenter_id=data.presenter_id,
                                restricted_to=data.restricted_to)
    return Done(meeting, actor, roster_changed=True)


def _add_document(actor: User, meeting: Meeting, data: DocumentUpload) -> Done:
    item = preparation.agenda_item(meeting, data.item_id)
    preparation.attach_upload(actor, item, data.file.stream, data.file.filename, data.title)
    return Done(meeting, actor, roster_changed=True)


def _attach_file(actor: User, meeting: Meeting, data: ExistingFile) -> Done:
    item = preparation.agenda_item(meeting, data.item_id)
    preparation.attach_existing(actor, item, data.file_id, data.title)
    return Done(meeting, actor, roster_changed=True)


def _respond(actor: User, meeting: Meeting, data: Answer) -> Done:
    preparation.respond(actor, meeting, data.answer, reason=data.reason,
                        deputy_id=data.deputy_id)
    return Done(meeting, actor, roster_changed=True)


#: What the person who answered reads.
ANSWERED = {
    "accepted": "Đã ghi nhận: bạn tham dự cuộc họp.",
    "declined": "Đã ghi nhận: bạn vắng mặt cuộc họp.",
    "delegated": "Đã ghi nhận người dự thay bạn.",
}


def _answered(done: Done) -> str:
    row = participant_row(done.actor, done.meeting)
    return ANSWERED.get(row.response if row is not None else "", "Đã ghi nhận phản hồi của bạn.")


# --------------------------------------------------------------------------- declarations
ACTIONS = (
    Action(MEETINGS, "invite", "Phát hành giấy mời (PDF) tới các thành phần tham dự", Nothing,
           _invite, "Đã phát hành giấy mời tới các thành phần tham dự.",
           "/<int:meeting_id>/invite", "invite"),
    Action(MEETINGS, "sign_invitation", "Lãnh đạo chủ trì ký số giấy mời (đánh số GM; mã PIN)",
           Pin, lambda actor, meeting, data: Done(
               invitation.sign(actor, meeting, data.pin, otp=data.otp), actor),
           "Đã ký số giấy mời; văn thư đóng dấu trước khi gửi.",
           "/<int:meeting_id>/invitation/sign", "sign_invitation"),
    Action(MEETINGS, "seal_invitation", "Văn thư ký số của cơ quan (đóng dấu) lên giấy mời đã "
           "được lãnh đạo ký (mã PIN chứng thư cơ quan)", Pin,
           lambda actor, meeting, data: Done(
               invitation.seal(actor, meeting, data.pin, otp=data.otp), actor),
           "Đã đóng dấu giấy mời; có thể gửi tới các thành phần.",
           "/<int:meeting_id>/invitation/seal", "seal_invitation"),
    Action(MEETINGS, "add_item", "Thêm nội dung vào chương trình họp", AgendaItemInput,
           _add_item, "Đã thêm nội dung vào chương trình họp.", "/<int:meeting_id>/items",
           "add_item"),
    Action(MEETINGS, "add_document", "Tải tài liệu (PDF) lên cho một nội dung của chương trình",
           DocumentUpload, _add_document, "Đã thêm tài liệu.",
           "/<int:meeting_id>/items/<int:item_id>/documents", "add_document",
           path_fields=("item_id",)),
    Action(MEETINGS, "attach_file", "Đính kèm một văn bản (PDF) đã có vào một nội dung của "
           "chương trình", ExistingFile, _attach_file, "Đã thêm tài liệu.",
           "/<int:meeting_id>/items/<int:item_id>/existing", "attach_file",
           path_fields=("item_id",)),
    Action(MEETINGS, "respond", "Phản hồi giấy mời: tham dự, vắng mặt (nêu lý do) hoặc cử "
           "người dự thay", Answer, _respond, _answered, "/<int:meeting_id>/respond", "respond"),
    Action(MEETINGS, "generate_minutes", "Lập (hoặc lập lại) biên bản cuộc họp từ diễn biến "
           "phiên họp, kèm ghi chép của thư ký; biên bản được tạo trong việc nền", MinutesText,
           lambda actor, meeting, data: Done(minutes.request(actor, meeting, data.notes), actor),
           "Đang lập biên bản (việc nền); tải lại trang sau ít giây. Thư ký ký trước, sau đó "
           "người chủ trì ký.",
           "/<int:meeting_id>/minutes", "generate_minutes"),
    Action(MEETINGS, "sign_minutes", "Ký số biên bản (thư ký trước, chủ trì sau; mã PIN)", Pin,
           lambda actor, meeting, data: Done(
               minutes.sign(actor, meeting, data.pin, otp=data.otp), actor),
           "Đã ký số biên bản.", "/<int:meeting_id>/minutes/sign", "sign_minutes"),
)

declare(*ACTIONS)
