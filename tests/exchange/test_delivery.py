"""Delivery inside the installation: an issued document reaches another organisation's clerk
in RECEIVED through the same edXML bytes a remote one would get, and its handling flows back
to the sender as status messages (01, 02 with the reason, 03, 04, 05, 06)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.documents import incoming, steps
from eoffice.documents.models import Document
from eoffice.exchange import handling, recipients
from eoffice.exchange.models import ExchangeDispatch, ExchangeInbound, ExchangeRecipient
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.organisation.models import DirectoryOrgan
from formats import edxml
from tests.documents.conftest import user
from tests.exchange.conftest import (
    DEPARTMENT,
    DISTRICT,
    delivered_to,
    incoming_of,
    issue,
    ready_to_issue,
    run_jobs,
)


def actions_on(document_id: int) -> list[str]:
    return list(db.session.execute(select(Event.action).where(
        Event.object_kind == "document", Event.object_id == str(document_id))
        .order_by(Event.id)).scalars())


def recipient_row(document: Document, organ_id: str) -> ExchangeRecipient:
    db.session.expire_all()
    return db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id,
        ExchangeRecipient.organ_id == organ_id)).scalar_one()


def test_issued_document_arrives_received_at_each_recipient_with_its_file_and_metadata(
        xctx: Flask) -> None:
    document = ready_to_issue()
    recipients.add_recipient(user("vanthu"), document, DEPARTMENT)
    recipients.add_recipient(user("vanthu"), document, DISTRICT)
    db.session.commit()
    assert incoming_of(DEPARTMENT) == []  # nothing leaves before the document is issued
    issue(document)
    run_jobs()

    sent_pdf = object_store().read_bytes(document.current_version.file.sha256)
    for organ_id in (DEPARTMENT, DISTRICT):
        [arrived] = incoming_of(organ_id)
        assert arrived.state == "RECEIVED" and arrived.arrival_number is None
        assert (arrived.subject, arrived.code_number, arrived.code_notation) == (
            document.subject, document.code_number, "UBND-KT")
        assert arrived.organ_id == "000.00.00.H41"
        assert arrived.organ_name == "Ủy ban nhân dân tỉnh Hòa Bình"
        assert arrived.issued_date == document.issued_date
        assert arrived.signer_full_name == "Trần Văn Hùng"
        assert object_store().read_bytes(arrived.current_version.file.sha256) == sent_pdf
        note = db.session.execute(select(ExchangeInbound.note).where(
            ExchangeInbound.document_id == arrived.id)).scalar_one()
        assert "Tệp không có chữ ký số." in note  # the PDF was checked (this one is unsigned)
        row = recipient_row(document, organ_id)
        assert (row.status_code, row.status_description) == ("01", "Đã đến")
    dispatches = db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id)).scalars().all()
    assert {(d.to_organ_id, d.state, d.route) for d in dispatches} == {
        (DEPARTMENT, "delivered", "local"), (DISTRICT, "delivered", "local")}
    # The sender's trail says what left and what came back; the recipient's, what arrived.
    sender_events = actions_on(document.id)
    assert sender_events.count("exchange_delivered") == 2
    assert sender_events.count("status_received") == 2
    assert "received" in actions_on(incoming_of(DEPARTMENT)[0].id)


def test_statuses_follow_the_recipients_handling(xctx: Flask) -> None:
    document, arrived = delivered_to(DEPARTMENT, chooser="chuyenvien")
    clerk, leader = user("vanthu.stc"), user("giamdoc.stc")

    handling.register_arrival(clerk, arrived)
    db.session.commit()
    run_jobs()
    row = recipient_row(document, DEPARTMENT)
    assert row.status_code == "03"
    assert row.status_description == f"Đã vào sổ văn bản đến, số đến {arrived.arrival_number}."
    assert row.status_by == "Quách Thị Mai"

    incoming.present(clerk, arrived, leader.id)
    db.session.commit()
    run_jobs()
    assert recipient_row(document, DEPARTMENT).status_code == "04"

    handler = user("chuyenvien.stc")
    incoming.direct(leader, arrived, [incoming.Handling("lead", user_id=handler.id)], "Xử lý")
    db.session.commit()
    run_jobs()
    assert recipient_row(document, DEPARTMENT).status_code == "04"
    assert recipient_row(document, DEPARTMENT).status_by == "Đinh Công Sơn"

    incoming.report_progress(handler, arrived, "Đang tổng hợp số liệu")
    db.session.commit()
    run_jobs()
    assert recipient_row(document, DEPARTMENT).status_code == "05"

    incoming.complete(handler, arrived, None, "Đã xong")
    db.session.commit()
    run_jobs()
    row = recipient_row(document, DEPARTMENT)
    assert (row.status_code, row.status_by) == ("06", "Hà Thị Ngọc")
    received = [e for e in db.session.execute(select(Event).where(
        Event.object_id == str(document.id), Event.action == "status_received")
        .order_by(Event.id)).scalars()]
    assert [e.details["status_code"] for e in received] == ["01", "03", "04", "04", "05", "06"]
    reported = db.session.execute(select(Event).where(
        Event.object_id == str(arrived.id), Event.action == "exchange_delivered")).scalars()
    assert sorted(e.details["status_code"] for e in reported) == ["01", "03", "04", "04",
                                                                  "05", "06"]


def test_a_returned_document_tells_the_sender_why(xctx: Flask) -> None:
    document, arrived = delivered_to(DEPARTMENT)
    steps.act(user("vanthu.stc"), arrived, "return", "Không thuộc thẩm quyền của Sở")
    db.session.commit()
    run_jobs()
    row = recipient_row(document, DEPARTMENT)
    assert row.status_code == "02"
    assert row.status_description == "Trả lại: Không thuộc thẩm quyền của Sở"
    status = edxml.parse_status(object_store().read_bytes(db.session.execute(
        select(ExchangeDispatch.object_key).where(ExchangeDispatch.document_id == arrived.id,
                                                  ExchangeDispatch.status_code == "02")
    ).scalar_one()))
    assert status.response_for.document_id.startswith("000.00.00.H41,2026/12/04,")


def test_an_agency_the_directory_lists_is_sent_by_hand_while_no_axis_is_configured(
        xctx: Flask) -> None:
    # Listed in the directory but outside the installation: with no axis nothing could carry
    # the package there, so its row is a manual one (the clerk downloads the package) rather
    # than a dispatch bound to fail.
    if db.session.execute(select(DirectoryOrgan).where(
            DirectoryOrgan.organ_id == "000.00.00.G12")).scalar_one_or_none() is None:
        db.session.add(DirectoryOrgan(organ_id="000.00.00.G12", name="Bộ Tài chính"))
    document = ready_to_issue()
    row = recipients.add_recipient(user("vanthu"), document, "000.00.00.G12", "")
    db.session.commit()
    assert (row.channel, row.organ_name) == ("manual", "Bộ Tài chính")  # named by the directory
    issue(document)
    run_jobs()
    assert db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id)).scalars().all() == []
