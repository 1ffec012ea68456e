"""The two state machines, as explicit tables, and the one ``transition()`` that enforces them.

Each row says: from which state, by which action, to which state, who may do it (a predicate
of ``rules``) and which audit event it records (names from docs/events.md). Nothing else
changes a document's state. The state is switched with a compare-and-set
``UPDATE … WHERE state = :from`` so two people acting at once cannot both succeed: the loser
gets ``IllegalTransition`` (HTTP 409).

What must follow a transition (the search index shows the new state, an edXML sender is
told) subscribes with ``on_transition(app, listener)``: the workflow imports neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.access import can_view
from eoffice.documents.errors import (
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    NotVisible,
    WorkflowError,
)
from eoffice.documents.models import Direction, Document
from eoffice.documents.rules import (
    Who,
    checker,
    clerk,
    clerk_or_leader,
    clerk_or_signer,
    drafter,
    handler_or_clerk,
    lead_handler,
    presented_leader,
    reviewer,
    signer,
)
from eoffice.documents.states import STATE_LABELS, In, Out
from eoffice.extension_points import register, registered
from eoffice.extensions import db
from eoffice.timestamps import utcnow

__all__ = ["STATE_LABELS", "IllegalTransition", "In", "InvalidInput", "NotPermitted",
           "NotVisible", "Out", "Transition", "WorkflowError", "available", "check", "find",
           "on_transition", "transition"]

#: Called after every transition, in the same transaction: ``listener(actor, document, row)``.
TransitionListener = Callable[[User, Document, "Transition"], None]


def on_transition(app: Flask, listener: TransitionListener) -> None:
    """Subscribe ``listener`` to every transition of every document."""
    register(app, "document_transition_listeners", listener)


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
    for listener in registered("document_transition_listeners"):
        listener(actor, document, row)
    return row
