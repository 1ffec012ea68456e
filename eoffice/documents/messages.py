"""The success message of each act on a document, naming what happened and to whom.

Shared by the page (flashed) and the API (``message`` of the answer) through the action
declarations in ``eoffice.documents.actions``: "Đã trình Chủ tịch Trần Văn Hùng", never a
generic "Đã cập nhật".
"""

from __future__ import annotations

from collections.abc import Callable

from eoffice.accounts.models import User
from eoffice.documents.common import Result, rows_of
from eoffice.documents.models import Direction, Document, DocumentAssignment, ParticipantRole
from eoffice.documents.states import In
from eoffice.extensions import db

Message = Callable[[Result], str]


def person(user: User | None) -> str:
    """"Chủ tịch Trần Văn Hùng": the title (when known) before the name."""
    if user is None:
        return ""
    return f"{user.title} {user.full_name}".strip()


def _people(document: Document, role: ParticipantRole) -> str:
    return ", ".join(person(u) for u in document.people(role))


def _named(document: Document) -> str:
    """The document by its number when it has one, else by its subject."""
    if document.direction == Direction.INCOMING and document.arrival_number:
        return f"văn bản đến số {document.arrival_number}"
    if document.number_and_notation:
        return f"văn bản số {document.number_and_notation}"
    subject = document.subject if len(document.subject) <= 60 else document.subject[:57] + "…"
    return f"văn bản “{subject}”"


def _or(names: str, fallback: str) -> str:
    return names or fallback


def step(name: str) -> Message:
    """The message of a plain step of the transition tables (approve, return, …)."""

    def message(result: Result) -> str:
        document = result.document
        if name == "approve_content":
            return ("Đã duyệt nội dung; dự thảo chuyển "
                    f"{_or(_people(document, ParticipantRole.CHECKER), 'văn thư')} "
                    "kiểm tra thể thức.")
        if name == "approve_format":
            return ("Đã xác nhận đạt thể thức; dự thảo chuyển "
                    f"{_or(_people(document, ParticipantRole.SIGNER), 'người ký')} duyệt ký.")
        if name == "approve":
            return "Đã duyệt ban hành; văn bản chờ ký số."
        if name == "resubmit":
            return ("Đã gửi lại dự thảo cho "
                    f"{_or(_people(document, ParticipantRole.REVIEWER), 'người kiểm tra')} "
                    "kiểm tra nội dung.")
        if name == "return":
            if document.direction == Direction.INCOMING:
                return f"Đã trả lại {_named(document)} cho {document.organ_name or 'nơi gửi'}."
            return ("Đã trả lại dự thảo cho "
                    f"{_or(_people(document, ParticipantRole.DRAFTER), 'người soạn')} để sửa.")
        if name == "archive":
            return f"Đã lưu trữ {_named(document)}."
        if name == "revoke":
            return f"Đã thu hồi {_named(document)}."
        return "Đã thực hiện."

    return message


def signed(result: Result) -> str:
    return "Đã ký số văn bản. Văn bản chuyển văn thư cấp số."


def numbered(result: Result) -> str:
    return (f"Đã cấp số {result.document.number_and_notation}; "
            "văn bản chờ ký số của cơ quan.")


def org_signed(result: Result) -> str:
    return f"Đã ký số của cơ quan vào {_named(result.document)}; văn bản sẵn sàng phát hành."


def issued(result: Result) -> str:
    return f"Đã phát hành {_named(result.document)}."


def presented(result: Result) -> str:
    """Names the leader the document was just presented to (the one notified)."""
    ids = [i for n in result.notices for i in n.user_ids]
    leader = db.session.get(User, ids[0]) if ids else None
    return f"Đã trình {person(leader)}." if leader else "Đã trình lãnh đạo."


def directed(result: Result) -> str:
    """Names the lead of the direction just given."""
    document = result.document
    leads = [a for a in rows_of(DocumentAssignment, document) if a.role == "lead"]
    if leads:
        lead = leads[-1]
        who = lead.user.full_name if lead.user else (lead.unit.name if lead.unit else "")
        if who:
            return f"Đã chỉ đạo xử lý; {who} chủ trì."
    return "Đã chỉ đạo xử lý."


def reassigned(result: Result) -> str:
    ids = [i for n in result.notices for i in n.user_ids]
    user = db.session.get(User, ids[0]) if ids else None
    return f"Đã giao việc cho {user.full_name}." if user else "Đã giao lại việc."


def completed(result: Result) -> str:
    return f"Đã hoàn thành xử lý {_named(result.document)}; chờ lập hồ sơ."


def filed(result: Result) -> str:
    if result.document.state == In.FILED:
        return f"Đã lập hồ sơ {_named(result.document)}."
    return "Đã đưa văn bản vào hồ sơ."
