"""The plain workflow steps (approve, return, resubmit, archive, revoke) with a note.

A step whose table row needs more than a state change has its own service; revoking an
incoming document (the sender withdrew it: content purged everywhere) is the one such step
offered through this generic entry, so it is dispatched to ``revocation`` here.
"""

from __future__ import annotations

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.common import Notice, Result, comment, notice
from eoffice.documents.models import (
    Direction,
    Document,
    ParticipantRole,
)
from eoffice.documents.revocation import revoke_incoming
from eoffice.documents.states import Out
from eoffice.documents.workflow import transition


def act(actor: User, document: Document, action: str, note: str = "") -> Result:
    """A plain workflow step (approve, return, resubmit, archive, revoke) with an optional note."""
    if action == "revoke" and document.direction == Direction.INCOMING:
        return revoke_incoming(actor, document, note)
    row = transition(actor, document, action)
    if note.strip():
        comment(actor, document, note, kind="return" if action == "return" else "comment")
    notices: list[Notice] = []
    nxt = (
        {
            Out.CONTENT_OK: (ParticipantRole.CHECKER, "Dự thảo chờ kiểm tra thể thức"),
            Out.FORMAT_OK: (ParticipantRole.SIGNER, "Dự thảo chờ duyệt ký"),
            Out.APPROVED: (ParticipantRole.SIGNER, "Văn bản chờ ký số"),
            Out.REVISION: (ParticipantRole.DRAFTER, "Dự thảo bị trả lại để sửa"),
            Out.DRAFT: (ParticipantRole.REVIEWER, "Dự thảo chờ kiểm tra nội dung"),
        }.get(row.target)
        if document.direction == Direction.OUTGOING
        else None
    )  # type: ignore[call-overload]
    if nxt:
        notices.append(notice([u.id for u in document.people(nxt[0])], nxt[1], document))
    if row.target == Out.FORMAT_OK and document.direction == Direction.OUTGOING:
        # "Trình ký": the draft is on the signer's desk; reports measure signing latency
        # from here (the signer approves, then signs).
        audit.record(actor, "submitted_for_signature", "document", document.id,
                     direction=document.direction,
                     user_ids=[u.id for u in document.people(ParticipantRole.SIGNER)])
    return Result(document, notices)
