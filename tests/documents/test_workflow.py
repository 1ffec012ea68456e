"""The two transition tables: every allowed move works for the right person and is audited;
moves not in the table are refused with 409, wrong people with 403/404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.documents import workflow
from eoffice.documents.models import Document, DocumentAssignment, ParticipantRole
from eoffice.documents.service import add_participant
from eoffice.documents.workflow import (
    INCOMING,
    OUTGOING,
    IllegalTransition,
    NotPermitted,
    NotVisible,
    Transition,
    transition,
)
from eoffice.extensions import db
from tests.documents.conftest import user

# Who acts for each rule of the tables, among the demo people.
ACTOR = {
    "named_drafter": "chuyenvien",
    "named_reviewer": "truongphong",
    "named_checker": "vanthu",
    "named_signer": "chutich",
    "named_leader": "chutich",
    "clerk": "vanthu",
    "clerk_or_signer": "vanthu",
    "clerk_or_leader": "chutich",
    "lead_handler": "chuyenvien",
    "handler_or_clerk": "chuyenvien",
}


def _prepare(document: Document) -> None:
    """Name the incoming chain: chutich directs, chuyenvien leads the handling."""
    if document.direction == "incoming":
        add_participant(document, user("chutich").id, ParticipantRole.LEADER)
        add_participant(document, user("chuyenvien").id, ParticipantRole.HANDLER)
        db.session.add(DocumentAssignment(document_id=document.id, role="lead",
                                  user_id=user("chuyenvien").id,
                                  assigned_by_id=user("chutich").id))
        db.session.commit()


def _label(row: Transition) -> str:
    return f"{row.source}-{row.action}"


@pytest.mark.parametrize("direction", ["outgoing", "incoming"])
def test_every_allowed_transition_moves_and_is_audited(
    direction: str, new_outgoing: Callable[..., Any], new_incoming: Callable[..., Any]
) -> None:
    """One fresh document per table row (one app per direction keeps the suite fast)."""
    table = OUTGOING if direction == "outgoing" else INCOMING
    for row in table:
        document = new_outgoing() if direction == "outgoing" else new_incoming()
        _prepare(document)
        document.state = row.source
        db.session.commit()
        actor = user(ACTOR[row.who.__name__])
        transition(actor, document, row.action, _service=True)
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(Document, document.id).state == row.target, _label(row)
        event = db.session.execute(
            select(Event).where(Event.object_id == str(document.id)).order_by(Event.id.desc())
        ).scalars().first()
        assert event.action == row.event, _label(row)
        assert event.details["from_state"] == row.source
        assert event.details["to_state"] == row.target
        assert event.actor_id == actor.id


def test_moves_not_in_the_table_are_refused_with_409(
    ctx: Flask, new_outgoing: Callable[..., Any], new_incoming: Callable[..., Any]
) -> None:
    admin = user("vanthu")  # the clerk sees everything that is not secret: only the table decides
    for direction, table, document in (
        ("outgoing", OUTGOING, new_outgoing()),
        ("incoming", INCOMING, new_incoming()),
    ):
        states = {t.source for t in table} | {t.target for t in table}
        actions = {t.action for t in table}
        allowed = {(t.source, t.action) for t in table}
        refused = 0
        for state in states:
            for action in actions:
                if (state, action) in allowed:
                    continue
                document.state = state
                with pytest.raises(IllegalTransition) as caught:
                    workflow.check(admin, document, action)
                assert caught.value.status == 409
                refused += 1
        assert refused > 20, direction
        db.session.rollback()


def test_compare_and_set_refuses_a_stale_second_move(
    ctx: Flask, new_outgoing: Callable[..., Any]
) -> None:
    document = new_outgoing()
    reviewer = user("truongphong")
    transition(reviewer, document, "approve_content")
    db.session.commit()
    stale = db.session.get(Document, document.id)
    db.session.expire_all()
    # Someone acting on a page loaded before the move: the in-memory state is out of date.
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(stale, "state", "DRAFT")
    with pytest.raises(IllegalTransition):
        transition(reviewer, stale, "return")
    db.session.rollback()


def test_wrong_person_is_refused(ctx: Flask, new_outgoing: Callable[..., Any]) -> None:
    document = new_outgoing()
    with pytest.raises(NotPermitted) as caught:
        transition(user("chuyenvien"), document, "approve_content")  # the drafter
    assert caught.value.status == 403
    with pytest.raises(NotVisible) as hidden:
        transition(user("thuky"), document, "approve_content")  # not on the document at all
    assert hidden.value.status == 404
    with pytest.raises(IllegalTransition):
        transition(user("truongphong"), document, "issue")  # service-only and wrong state
    db.session.rollback()


def test_service_only_steps_need_their_service(
    ctx: Flask, new_outgoing: Callable[..., Any]
) -> None:
    document = new_outgoing()
    document.state = "APPROVED"
    db.session.commit()
    with pytest.raises(IllegalTransition):
        transition(user("chutich"), document, "sign")  # no PDF signed: refused
    db.session.rollback()
