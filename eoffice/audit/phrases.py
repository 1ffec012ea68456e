"""Events told in plain Vietnamese: the one table of event kind → phrase, and the sentences.

Every screen and export that lists events (a document's history, report drill-downs, the
person timeline, CSV/XLSX) says who did what, when, for whom, with the note — never an internal
code (``registered``) or a bare id. The actor is the name snapshot the event carries (as they
were then); the people and units an act was *for* (``details.user_ids``/``unit_ids``) are named
from the accounts, in one query per list of events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from eoffice.timestamps import to_local

#: event kind → what the actor did (a verb phrase that follows the actor's name).
PHRASES: dict[str, str] = {
    # documents
    "received": "tiếp nhận văn bản",
    "registered": "vào sổ văn bản đến",
    "presented": "trình lãnh đạo",
    "directed": "chỉ đạo",
    "assigned": "giao xử lý",
    "reassigned": "giao lại",
    "opened": "mở xem văn bản",
    "commented": "ghi ý kiến",
    "forwarded": "chuyển văn bản",
    "submitted_for_signature": "trình ký",
    "signed": "ký số",
    "numbered": "cấp số",
    "org_signed": "ký số cơ quan",
    "issued": "phát hành",
    "delivered": "gửi văn bản đến",
    "progress_reported": "ghi tiến độ xử lý",
    "completed": "hoàn thành xử lý",
    "filed": "lập hồ sơ",
    "returned": "trả lại nơi gửi",
    "revoked": "thu hồi văn bản",
    "replaced": "đánh dấu văn bản bị thay thế",
    "overdue": "ghi nhận văn bản quá hạn xử lý",
    "draft_created": "tạo dự thảo",
    "draft_revised": "sửa và gửi lại dự thảo",
    "draft_returned": "trả lại dự thảo để sửa",
    "content_approved": "duyệt nội dung",
    "format_approved": "kiểm tra đạt thể thức",
    "boxes_placed": "đặt ô số, ngày tháng, chữ ký trên bản PDF",
    "approved": "duyệt ban hành",
    "archived": "lưu trữ văn bản",
    "exported": "xuất gói edXML gửi nơi nhận bên ngoài",
    "status_reported": "báo trạng thái xử lý cho nơi gửi",
    "status_received": "nhận trạng thái xử lý từ nơi nhận",
    "exchange_recipient_added": "chọn nơi nhận bên ngoài",
    "exchange_recipient_removed": "bỏ nơi nhận bên ngoài",
    "exchange_queued": "đưa vào hàng gửi liên thông",
    "exchange_sent": "gửi lên trục liên thông",
    "exchange_delivered": "chuyển đến nơi nhận liên thông",
    "exchange_failed": "gửi liên thông không thành công",
    "exchange_updated": "cập nhật văn bản đã gửi ra ngoài",
    # meetings
    "meeting_created": "tạo cuộc họp",
    "invited": "mời họp",
    "accepted": "nhận lời mời họp",
    "declined": "báo vắng",
    "delegated": "ủy quyền dự họp",
    "checked_in": "điểm danh",
    "closed": "kết thúc cuộc họp",
    "spoke": "phát biểu",
    "speech_ended": "kết thúc phát biểu",
    "voted": "biểu quyết",
    "poll_opened": "mở biểu quyết",
    "poll_closed": "đóng biểu quyết",
    "conclusion_recorded": "ghi kết luận",
    "minutes_generated": "lập biên bản họp",
    "minutes_signed": "ký biên bản họp",
    "reminded": "nhắc lịch họp",
    # tasks
    "task_assigned": "giao việc",
    "task_accepted": "nhận việc",
    "task_progress": "báo cáo tiến độ",
    "extension_requested": "xin gia hạn",
    "extension_granted": "đồng ý gia hạn",
    "extension_refused": "từ chối gia hạn",
    "task_completed": "báo cáo hoàn thành",
    "task_approved": "duyệt kết quả",
    "task_returned": "trả lại công việc",
    "task_rated": "đánh giá chất lượng",
    "task_reminded": "nhắc hạn công việc",
    "task_overdue": "nhắc công việc quá hạn",
    # accounts and administration
    "login": "đăng nhập",
    "login_failed": "đăng nhập không thành công",
    "logout": "đăng xuất",
    "user_created": "tạo tài khoản",
    "user_updated": "sửa tài khoản",
    "unit_created": "tạo đơn vị",
    "signature_image_set": "cập nhật ảnh chữ ký",
    "seal_image_set": "cập nhật ảnh con dấu",
    "exchange_certificate_set": "cài chứng thư số liên thông văn bản",
    "signing_certificate_imported": "cài chứng thư số ký văn bản",
    "remote_signing_service_set": "cập nhật dịch vụ ký số từ xa",
    "remote_credential_linked": "liên kết chứng thư ký số từ xa",
    "remote_credential_unlinked": "bỏ liên kết chứng thư ký số từ xa",
    "remote_signing_failed": "ký số từ xa không thành công",
    "holiday_added": "thêm ngày nghỉ",
    "holiday_removed": "xóa ngày nghỉ",
    "file_uploaded": "tải tệp lên",
    "file_downloaded": "tải tệp về",
    "objects_swept": "dọn tệp không còn dùng",
    "backup_created": "sao lưu toàn bộ hệ thống",
    "backup_restored": "khôi phục hệ thống từ bản sao lưu",
    "audit_exported": "xuất nhật ký cho thanh tra",
    "api_token_created": "cấp khóa API",
    "api_token_revoked": "thu hồi khóa API",
    "api_token_used": "dùng khóa API",
    "notification_read": "đọc thông báo",
    "organisation_created": "tạo cơ quan",
    "organisation_updated": "sửa thông tin cơ quan",
    "directory_organ_added": "thêm cơ quan vào danh bạ liên thông",
    "directory_organ_changed": "sửa cơ quan trong danh bạ liên thông",
    "directory_imported": "nhập danh bạ cơ quan liên thông",
    "notifications_read": "đánh dấu đã đọc các thông báo",
}
#: The meeting's "opened" is a different act from a document's first reading.
KIND_PHRASES: dict[tuple[str, str], str] = {
    ("meeting", "opened"): "khai mạc cuộc họp",
    ("meeting", "commented"): "ghi ý kiến",
    ("meeting", "signed"): "ký giấy mời họp",
    ("meeting", "org_signed"): "đóng dấu số giấy mời họp",
}
#: A note folded into the act it explains ("Trần Văn Hùng chỉ đạo: …").
NOTE_KINDS: dict[str, str] = {"consultation": "góp ý dự thảo", "progress": "ghi tiến độ xử lý",
                              "direction": "ghi ý kiến chỉ đạo"}
ATTENDANCE = {"present": "có mặt", "excused": "vắng có lý do", "absent": "vắng"}
SYSTEM = "Hệ thống"
#: A note recorded within this time after an act, by the same person, belongs to that act.
_SAME_ACT = timedelta(seconds=10)


#: The same acts told to the person they were for (a notification: "… giao bạn xử lý — …").
ADDRESSED: dict[str, str] = {
    "presented": "trình bạn", "assigned": "giao bạn xử lý", "reassigned": "giao bạn xử lý",
    "forwarded": "xin ý kiến của bạn về dự thảo", "submitted_for_signature": "trình bạn ký",
    "draft_created": "gửi bạn kiểm tra dự thảo", "draft_returned": "trả lại dự thảo để bạn sửa",
    "delivered": "gửi đến bạn", "overdue": "báo quá hạn xử lý",
    "invited": "mời bạn họp", "reminded": "nhắc bạn lịch họp",
    "task_assigned": "giao việc cho bạn", "task_returned": "trả lại công việc của bạn",
    "task_completed": "báo cáo hoàn thành công việc bạn giao",
    "extension_requested": "xin bạn gia hạn", "extension_granted": "đồng ý gia hạn cho bạn",
    "extension_refused": "không đồng ý gia hạn cho bạn", "task_reminded": "nhắc hạn công việc",
    "task_overdue": "báo công việc quá hạn",
}


def phrase(action: str, object_kind: str = "") -> str:
    """What an event's actor did, in Vietnamese (a generic phrase for an unknown kind)."""
    return KIND_PHRASES.get((object_kind, action)) or PHRASES.get(action, "thực hiện thao tác")


def addressed(action: str, object_kind: str = "") -> str:
    """What the actor did, told to the person it was done for."""
    return ADDRESSED.get(action) or phrase(action, object_kind)


class Note(Protocol):
    """A written note (a document comment): who wrote it, its kind and text."""

    author_id: int
    kind: str
    body: str


@dataclass(frozen=True)
class Line:
    """One event as people read it."""

    occurred_at: datetime
    actor: str
    text: str  # "Trần Văn Hùng chỉ đạo, giao Đặng Thu Trang, hạn 15/01/2027"
    note: str = ""

    @property
    def sentence(self) -> str:
        """The whole line: the act and, after a colon, the note."""
        return f"{self.text}: {self.note}" if self.note else self.text


def actor_of(event: Any) -> str:
    """The acting person's name as recorded at the time (the system when nobody acted)."""
    if getattr(event, "actor_id", None) is None:
        return SYSTEM
    name = getattr(event, "actor_name", None)
    if not name:
        user = db.session.get(User, event.actor_id)
        name = user.full_name if user else "Người dùng đã xóa"
    return name


def person_name(user_id: int | None) -> str:
    """A user's full name, for screens that hold only the id (never show the id itself)."""
    user = db.session.get(User, user_id) if user_id else None
    return user.full_name if user else ""


class Names:
    """People's and units' names for a batch of events, looked up once."""

    def __init__(self, events: Iterable[Any]) -> None:
        user_ids: set[int] = set()
        unit_ids: set[int] = set()
        for event in events:
            details = event.details or {}
            user_ids.update(_ints(details.get("user_ids")))
            unit_ids.update(_ints(details.get("unit_ids")))
            if isinstance(details.get("previous_user_id"), int):
                user_ids.add(details["previous_user_id"])
        self.users = dict(db.session.execute(
            select(User.id, User.full_name).where(User.id.in_(user_ids))).tuples().all()
        ) if user_ids else {}
        self.units = dict(db.session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).tuples().all()
        ) if unit_ids else {}

    def people(self, details: dict[str, Any]) -> list[str]:
        named = [self.users[i] for i in _ints(details.get("user_ids")) if i in self.users]
        named += [self.units[i] for i in _ints(details.get("unit_ids")) if i in self.units]
        return named


def _ints(value: Any) -> list[int]:
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []


def _deadline(details: dict[str, Any]) -> str:
    raw = details.get("deadline")
    if not isinstance(raw, str) or not raw:
        return ""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return ""
    local = to_local(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return local.strftime("%d/%m/%Y") if local else ""


#: How the people an act was for follow its verb ("trình lãnh đạo cho X", "giao xử lý X",
#: "chỉ đạo, giao X"); any other act names them after a dash.
_JOINERS = {"delivered": " cho ", "forwarded": " cho ", "presented": " cho ",
            "directed": ", giao ", "assigned": " ", "reassigned": " ", "task_assigned": " ",
            "invited": " ", "draft_created": ", gửi ", "submitted_for_signature": " cho ",
            "extension_granted": " cho ", "extension_refused": " cho ",
            "task_returned": " cho ", "reminded": " ", "task_reminded": " "}


def _act(event: Any, names: Names) -> str:
    """The verb phrase with its complements: for whom, which number, until when."""
    details: dict[str, Any] = event.details or {}
    action = event.action
    words = phrase(action, event.object_kind)
    people = names.people(details)
    if action == "registered" and details.get("number"):
        words += f", số đến {details['number']}"
    elif action == "numbered" and details.get("number"):
        notation = details.get("notation")
        words += f" {details['number']:02d}/{notation}" if notation and isinstance(
            details["number"], int) else f" {details['number']}"
    elif action == "assigned" and details.get("role") in ("lead", "support"):
        words = "giao chủ trì xử lý" if details["role"] == "lead" else "giao phối hợp xử lý"
    elif action == "checked_in" and details.get("status") in ATTENDANCE:
        words += f" {ATTENDANCE[details['status']]}"
    elif action == "task_progress" and details.get("percent") is not None:
        words += f" {details['percent']}%"
    elif action == "task_rated" and details.get("rating") is not None:
        words += f" {details['rating']} điểm"
    elif action == "commented" and details.get("consultation_id"):
        words = "góp ý dự thảo"
    if action == "forwarded" and details.get("purpose") == "consultation":
        words = "xin ý kiến dự thảo"
    if people:
        words += _JOINERS.get(action, " — ") + ", ".join(people)
    deadline = _deadline(details)
    if deadline:
        words += f", hạn {deadline}"
    if details.get("reason") and action in ("declined", "revoked", "returned"):
        words += f" (lý do: {details['reason']})"
    return words


def describe(event: Any, names: Names | None = None) -> Line:
    """One event as a line: "<actor> <what they did> …"."""
    names = names or Names([event])
    actor = actor_of(event)
    return Line(event.occurred_at, actor, f"{actor} {_act(event, names)}")


def _close(a: Any, b: Any) -> bool:
    """Two events of one act: the same person, moments apart."""
    return a.actor_id == b.actor_id and abs(b.occurred_at - a.occurred_at) <= _SAME_ACT


def history(events: Sequence[Any], notes: Iterable[Note] = ()) -> list[Line]:
    """A record's events as lines, each written note attached to the act it explains.

    Every note recorded a ``commented`` event in the same transaction, so the n-th note of an
    author is the n-th ``commented`` event of that actor. A note written with an act (a
    direction's opinion, a return's reason, a progress report) joins that act's line — the
    act just before it or, failing that, just after; a note on its own is a line of its own.
    """
    names = Names(events)
    pending: dict[int, list[Note]] = {}
    for note in notes:
        pending.setdefault(note.author_id, []).append(note)
    # (event, line, note waiting for its act)
    items: list[tuple[Any, Line | None, Note | None]] = []
    for event in events:
        queue = pending.get(event.actor_id or -1)
        note = queue.pop(0) if event.action == "commented" and queue else None
        if note is not None and not (event.details or {}).get("consultation_id"):
            items.append((event, None, note))
        else:
            line = describe(event, names)
            if note is not None:  # a consultation answer: its text is the note
                line = Line(line.occurred_at, line.actor, line.text, note.body)
            items.append((event, line, None))
    for index, (event, _line, note) in enumerate(items):
        if note is None:
            continue
        for other in (index - 1, index + 1):
            if 0 <= other < len(items):
                act, act_line, act_note = items[other]
                if (act_line is not None and act_note is None and not act_line.note
                        and act.action != "commented" and _close(act, event)):
                    items[other] = (act, Line(act_line.occurred_at, act_line.actor,
                                              act_line.text, note.body), None)
                    items[index] = (event, None, None)
                    break
        else:
            actor = actor_of(event)
            items[index] = (event, Line(event.occurred_at, actor,
                                        f"{actor} {NOTE_KINDS.get(note.kind, 'ghi ý kiến')}",
                                        note.body), None)
    return [line for _event, line, _note in items if line is not None]
