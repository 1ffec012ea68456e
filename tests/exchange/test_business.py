"""Revoke, update and replace reach the recipient as business types 1, 2 and 3 and are
honoured; secret documents never leave; a message is taken in once however often it comes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.documents import outgoing, steps
from eoffice.documents.revocation import is_revoked_file
from eoffice.errors import DomainError
from eoffice.exchange import handling, inbound, recipients
from eoffice.exchange.models import ExchangeDispatch, ExchangeRecipient
from eoffice.exchange.ports import MessageKind, ReceivedMessage
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import queue
from eoffice.jobs.models import Job
from tests.documents.conftest import user
from tests.exchange.conftest import DEPARTMENT, incoming_of, issue, ready_to_issue, run_jobs


def sent(**overrides: Any) -> Any:
    document = ready_to_issue(**overrides)
    recipients.add_recipient(user("vanthu"), document, DEPARTMENT)
    db.session.commit()
    issue(document)
    run_jobs()
    return document


def test_revocation_withdraws_the_content_and_keeps_the_fact(xctx: Flask) -> None:
    document = sent()
    [arrived] = incoming_of(DEPARTMENT)
    stored = arrived.current_version.file
    steps.act(user("vanthu"), document, "revoke", "Ban hành nhầm đối tượng")
    db.session.commit()
    run_jobs()
    db.session.expire_all()
    [arrived] = incoming_of(DEPARTMENT)
    assert arrived.state == "REVOKED"
    assert arrived.subject == document.subject  # metadata and the fact stay
    assert is_revoked_file(stored)  # the file is no longer served
    revoked = db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id,
        ExchangeDispatch.business_type == 1)).scalar_one()
    assert revoked.state == "delivered"
    event = db.session.execute(select(Event).where(
        Event.object_id == str(arrived.id), Event.action == "revoked")).scalar_one()
    assert "Ban hành nhầm đối tượng" in event.details["reason"]


def test_update_amends_the_recipients_metadata(xctx: Flask) -> None:
    document = sent()
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán ngân sách năm 2027 "
                         "(bổ sung)", "", None, "Bổ sung trích yếu")
    db.session.commit()
    run_jobs()
    db.session.expire_all()
    [arrived] = incoming_of(DEPARTMENT)
    assert arrived.subject == "Về việc lập dự toán ngân sách năm 2027 (bổ sung)"
    assert arrived.state == "RECEIVED"
    # A second update is a package of its own, honoured too.
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán năm 2027", "", None,
                         "Rút gọn trích yếu")
    db.session.commit()
    run_jobs()
    db.session.expire_all()
    assert incoming_of(DEPARTMENT)[0].subject == "Về việc lập dự toán năm 2027"


def test_replacement_links_old_and_new_at_the_recipient(xctx: Flask) -> None:
    old = sent()
    new = ready_to_issue("Về việc lập dự toán ngân sách năm 2027 (thay thế)")
    issue(new)  # issued without exchange recipients of its own
    outgoing.replace(user("vanthu"), old, new.id, "Sai số liệu ở phụ lục")
    db.session.commit()
    run_jobs()
    db.session.expire_all()
    first, second = incoming_of(DEPARTMENT)
    assert second.subject.endswith("(thay thế)") and second.state == "RECEIVED"
    assert first.replaced_by_id == second.id
    # The replacement now lists the department, whose statuses show on its own page.
    row = db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == new.id)).scalar_one()
    assert (row.organ_id, row.status_code) == (DEPARTMENT, "01")


def test_secret_documents_never_leave(xctx: Flask) -> None:
    document = ready_to_issue(secrecy=1)
    with pytest.raises(DomainError, match="mật"):
        recipients.add_recipient(user("vanthu"), document, DEPARTMENT)
    db.session.rollback()
    # Even a recipient row written behind the service's back is refused when sending.
    db.session.add(ExchangeRecipient(document_id=document.id, organ_id=DEPARTMENT,
                                     organ_name="Sở Tài chính", added_by_id=user("vanthu").id))
    db.session.commit()
    issue(document)
    run_jobs()
    assert incoming_of(DEPARTMENT) == []
    assert db.session.execute(select(ExchangeDispatch)).scalars().all() == []


def test_a_message_is_taken_in_once(xctx: Flask) -> None:
    document = sent()
    dispatch = db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id)).scalar_one()
    data = object_store().read_bytes(dispatch.object_key)
    # The same message again, and the same package under another transport id.
    for message_id in (dispatch.key, "axis-4711"):
        inbound.accept(ReceivedMessage(message_id, MessageKind.PACKAGE, "000.00.00.H41",
                                       DEPARTMENT, data))
    assert len(incoming_of(DEPARTMENT)) == 1
    # The job run again, as the reaper would after a crash, delivers nothing more.
    job = db.session.execute(select(Job).where(Job.kind == "exchange_dispatch")).scalars().first()
    job.state = "queued"
    db.session.commit()
    queue.drain()
    assert len(incoming_of(DEPARTMENT)) == 1


def test_a_refused_package_says_why(xctx: Flask) -> None:
    with pytest.raises(DomainError, match="edXML"):
        inbound.accept(ReceivedMessage("x-1", MessageKind.PACKAGE, "000.00.00.G12",
                                       DEPARTMENT, b"<not-edxml/>"))
    with pytest.raises(DomainError, match="không thuộc hệ thống"):
        inbound.accept(ReceivedMessage("x-2", MessageKind.PACKAGE, "000.00.00.G12",
                                       "000.99.99.H99", b"<x/>"))
