"""The two state machines, as explicit tables, and the one ``transition()`` that enforces them.

Each row says: from which state, by which action, to which state, who may do it and which
audit event it records (names from docs/events.md). Nothing else changes a document's state.
The state is switched with a compare-and-set ``UPDATE … WHERE state = :from`` so two people
acting at once cannot both succeed: the loser gets ``IllegalTransition`` (HTTP 409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.documents.access import can_view
from eoffice.documents.models import Direction, Document, DocumentAssignment, ParticipantRole
from eoffice.extensions import db
from eoffice.timestamps import utcnow


class Out(StrEnum):
    DRAFT = "DRAFT"
    REVISION = "REVISION"
    CONTENT_OK = "CONTENT_OK"
    FORMAT_OK = "FORMAT_OK"
    APPROVED = "APPROVED"
    SIGNED = "SIGNED"
    NUMBERED = "NUMBERED"
    ORG_SIGNED = "ORG_SIGNED"
    ISSUED = "ISSUED"
    ARCHIVED = "ARCHIVED"
    REVOKED = "REVOKED"
    REPLACED = "REPLACED"


class In(StrEnum):
    RECEIVED = "RECEIVED"
    REGISTERED = "REGISTERED"
    PRESENTED = "PRESENTED"
    DIRECTED = "DIRECTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FILED = "FILED"
    RETURNED = "RETURNED"
    REVOKED = "REVOKED"


STATE_LABELS: dict[str, str] = {
    "DRAFT": "Dự thảo (chờ kiểm tra nội dung)",
    "REVISION": "Trả lại để sửa",
    "CONTENT_OK": "Đã duyệt nội dung (chờ kiểm tra thể thức)",
    "FORMAT_OK": "Đã kiểm tra thể thức (chờ người ký duyệt)",
    "APPROVED": "Đã duyệt (chờ ký số)",
    "SIGNED": "Lãnh đạo đã ký (chờ cấp số)",
    "NUMBERED": "Đã cấp số (chờ ký số cơ quan)",
    "ORG_SIGNED": "Đã ký số cơ quan (chờ phát hành)",
    "ISSUED": "Đã phát hành",
    "ARCHIVED": "Đã lưu trữ",
    "REVOKED": "Đã thu hồi",
    "REPLACED": "Đã được thay thế",
    "RECEIVED": "Đã tiếp nhận",
    "REGISTERED": "Đã vào sổ (chờ trình)",
    "PRESENTED": "Đã trình lãnh đạo (chờ chỉ đạo)",
    "DIRECTED": "Đã có chỉ đạo (chờ xử lý)",
    "IN_PROGRESS": "Đang xử lý",
    "COMPLETED": "Đã hoàn thành",
    "FILED": "Đã lập hồ sơ",
    "RETURNED": "Đã trả lại nơi gửi",
}

Who = Callable[[User, Document], bool]


def _named(role: ParticipantRole) -> Who:
    def check(user: User, document: Document) -> bool:
        return any(p.user_id == user.id and p.role == role for p in document.participants)

    check.__name__ = f"named_{role.value}"
    return check


drafter = _named(ParticipantRole.DRAFTER)
reviewer = _named(ParticipantRole.REVIEWER)
checker = _named(ParticipantRole.CHECKER)
signer = _named(ParticipantRole.SIGNER)
presented_leader = _named(ParticipantRole.LEADER)


def clerk(user: User, document: Document) -> bool:
    """The organisation's clerk (văn thư); for secret documents only a named one."""
    if not has_role(user, Role.CLERK) or user.organisation_id != document.organisation_id:
        return False
    return not document.is_secret or can_view(user, document)


def clerk_or_signer(user: User, document: Document) -> bool:
    return clerk(user, document) or signer(user, document)


def clerk_or_leader(user: User, document: Document) -> bool:
    return clerk(user, document) or presented_leader(user, document)


def lead_handler(user: User, document: Document) -> bool:
    """The lead person, or the head of the lead unit (who may re-assign inside the unit)."""
    headed = {m.unit_id for m in user.memberships if m.is_head}
    for assignment in db.session.query(DocumentAssignment).filter_by(
        document_id=document.id, role="lead"
    ):
        if assignment.user_id == user.id:
            return True
        if assignment.unit_id in headed:
            return True
        if assignment.user_id and any(
            m.unit_id in headed for m in assignment.user.memberships  # type: ignore[union-attr]
        ):
            return True
    return False


def handler_or_clerk(user: User, document: Document) -> bool:
    return lead_handler(user, document) or clerk(user, document)


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    event: str
    who: Who
    label: str
    # Signing, numbering and issuing also write files; only their services may call them.
    service_only: bool = False
    # A "return"/"revoke" is offered as a secondary button.
    secondary: bool = False


OUTGOING: tuple[Transition, ...] = (
    Transition(Out.DRAFT, "approve_content", Out.CONTENT_OK, "content_approved", reviewer,
               "Duyệt nội dung"),
    Transition(Out.DRAFT, "return", Out.REVISION, "draft_returned", reviewer,
               "Trả lại để sửa", secondary=True),
    Transition(Out.REVISION, "resubmit", Out.DRAFT, "draft_revised", drafter,
               "Gửi lại để kiểm tra"),
    Transition(Out.CONTENT_OK, "approve_format", Out.FORMAT_OK, "format_approved", checker,
               "Đạt thể thức"),
    Transition(Out.CONTENT_OK, "return", Out.REVISION, "draft_returned", checker,
               "Trả lại để sửa", secondary=True),
    Transition(Out.FORMAT_OK, "approve", Out.APPROVED, "approved", signer, "Duyệt ban hành"),
    Transition(Out.FORMAT_OK, "return", Out.REVISION, "draft_returned", signer,
               "Trả lại để sửa", secondary=True),
    Transition(Out.APPROVED, "sign", Out.SIGNED, "signed", signer, "Ký số",
               service_only=True),
    Transition(Out.APPROVED, "return", Out.REVISION, "draft_returned", signer,
               "Trả lại để sửa", secondary=True),
    Transition(Out.SIGNED, "number", Out.NUMBERED, "numbered", clerk, "Cấp số",
               service_only=True),
    Transition(Out.NUMBERED, "org_sign", Out.ORG_SIGNED, "org_signed", clerk,
               "Ký số cơ quan", service_only=True),
    Transition(Out.ORG_SIGNED, "issue", Out.ISSUED, "issued", clerk, "Phát hành",
               service_only=True),
    Transition(Out.ISSUED, "archive", Out.ARCHIVED, "archived", clerk, "Lưu trữ"),
    Transition(Out.ISSUED, "revoke", Out.REVOKED, "revoked", clerk_or_signer, "Thu hồi",
               secondary=True),
    Transition(Out.ISSUED, "replace", Out.REPLACED, "replaced", clerk, "Đánh dấu bị thay thế",
               service_only=True),
)

INCOMING: tuple[Transition, ...] = (
    Transition(In.RECEIVED, "register", In.REGISTERED, "registered", clerk, "Vào sổ",
               service_only=True),
    Transition(In.RECEIVED, "return", In.RETURNED, "returned", clerk, "Trả lại nơi gửi",
               secondary=True),
    Transition(In.REGISTERED, "present", In.PRESENTED, "presented", clerk, "Trình lãnh đạo",
               service_only=True),
    Transition(In.REGISTERED, "return", In.RETURNED, "returned", clerk, "Trả lại nơi gửi",
               secondary=True),
    Transition(In.PRESENTED, "direct", In.DIRECTED, "directed", presented_leader, "Chỉ đạo",
               service_only=True),
    Transition(In.PRESENTED, "return", In.RETURNED, "returned", clerk_or_leader,
               "Trả lại nơi gửi", secondary=True),
    Transition(In.DIRECTED, "start", In.IN_PROGRESS, "progress_reported", lead_handler,
               "Bắt đầu xử lý", service_only=True),
    Transition(In.DIRECTED, "complete", In.COMPLETED, "completed", lead_handler,
               "Hoàn thành", service_only=True),
    Transition(In.IN_PROGRESS, "complete", In.COMPLETED, "completed", lead_handler,
               "Hoàn thành", service_only=True),
    Transition(In.COMPLETED, "file", In.FILED, "filed", handler_or_clerk, "Lập hồ sơ",
               service_only=True),
    *(
        Transition(state, "revoke", In.REVOKED, "revoked", clerk, "Thu hồi (nơi gửi rút lại)",
                   secondary=True)
        for state in (In.RECEIVED, In.REGISTERED, In.PRESENTED, In.DIRECTED, In.IN_PROGRESS)
    ),
)

TABLES: dict[str, dict[tuple[str, str], Transition]] = {
    Direction.OUTGOING: {(t.source, t.action): t for t in OUTGOING},
    Direction.INCOMING: {(t.source, t.action): t for t in INCOMING},
}


class WorkflowError(Exception):
    """Base: a refused action. ``status`` is the HTTP status the handlers answer with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(WorkflowError):
    status = 409


class NotPermitted(WorkflowError):
    status = 403


class NotVisible(WorkflowError):
    status = 404


def find(document: Document, action: str) -> Transition | None:
    return TABLES[document.direction].get((document.state, action))


def available(user: User, document: Document, *, include_service: bool = True) -> list[Transition]:
    """The actions ``user`` may take on ``document`` now (for buttons and "my work")."""
    return [
        t for t in TABLES[document.direction].values()
        if t.source == document.state and (include_service or not t.service_only)
        and t.who(user, document)
    ]


def check(actor: User, document: Document, action: str) -> Transition:
    """Raise unless ``actor`` may do ``action`` now; return the table row."""
    if not can_view(actor, document):
        raise NotVisible("Không tìm thấy văn bản.")
    row = find(document, action)
    if row is None:
        state = STATE_LABELS.get(document.state, document.state)
        raise IllegalTransition(f"Không thể thực hiện thao tác này khi văn bản ở trạng thái "
                                f"“{state}”.")
    if not row.who(actor, document):
        raise NotPermitted("Bạn không phải người có thẩm quyền thực hiện bước này.")
    return row


def transition(
    actor: User, document: Document, action: str, *, _service: bool = False, **details: Any
) -> Transition:
    """Move ``document`` by ``action`` for ``actor``; audit it in the caller's transaction.

    Service-only actions (signing, numbering, issuing, directing...) are refused here unless
    the calling service says it is one, because they must write their files in the same step.
    """
    row = check(actor, document, action)
    if row.service_only and not _service:
        raise IllegalTransition("Bước này phải thực hiện qua chức năng riêng của nó.")
    now = utcnow()
    changed = db.session.execute(
        update(Document)
        .where(Document.id == document.id, Document.state == row.source)
        .values(state=row.target, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise IllegalTransition("Văn bản vừa được người khác xử lý; hãy tải lại trang.")
    set_committed_value(document, "state", row.target)
    set_committed_value(document, "updated_at", now)
    audit.record(
        actor, row.event, "document", document.id,
        direction=document.direction, from_state=row.source, to_state=row.target, **details,
    )
    from eoffice.documents.indexing import reindex  # the index shows the new state at once

    reindex(document)
    if document.direction == Direction.INCOMING:
        from eoffice.documents.exchange import on_transition  # tell an edXML sender

        on_transition(actor, document, row.target)
    return row
