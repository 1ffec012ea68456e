"""An agency reached by hand is owed what an electronic recipient gets after the first
package: the revocation (type 1), each update (type 2) and the replacement (type 3), each a
signed edXML package the clerk downloads for it, kept and dated on its row, audited; a revoked
document's own package is no longer offered. Secret documents never leave."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.documents import outgoing, steps
from eoffice.documents.exchange import outgoing_document_id
from eoffice.documents.models import Document
from eoffice.errors import DomainError
from eoffice.exchange import handling, manual, recipients
from eoffice.exchange.models import ExchangeDispatch, ExchangeRecipient
from eoffice.exchange.sender_check import VALID, sender_verdict
from eoffice.extensions import db
from eoffice.files.service import object_store
from formats import edxml
from tests.documents.conftest import user
from tests.exchange.conftest import (
    DEPARTMENT,
    DISTRICT,
    PROVINCE,
    UNCONNECTED,
    fresh_g,
    issue,
    ready_to_issue,
    run_jobs,
    switch,
)
from tests.exchange.test_manual import _row

OTHER = "000.00.00.G16"


def _issued(*organs: str, subject: str = "Về việc lập dự toán ngân sách năm 2027") -> Document:
    """An outgoing document issued to ``organs`` (the unconnected ones by hand)."""
    document = ready_to_issue(subject)
    for organ_id in organs:
        recipients.add_recipient(user("vanthu"), document, organ_id,
                                 "" if organ_id == DEPARTMENT else f"Bộ {organ_id[-3:]}")
    db.session.commit()
    issue(document)
    run_jobs()
    return document


def _manual(document: Document, organ_id: str = UNCONNECTED) -> ExchangeRecipient:
    return db.session.execute(select(ExchangeRecipient).where(
        ExchangeRecipient.document_id == document.id,
        ExchangeRecipient.organ_id == organ_id)).scalar_one()


def _replace(old: Document) -> Document:
    """Issue a replacement of ``old`` and mark ``old`` replaced by it."""
    new = ready_to_issue("Về việc lập dự toán ngân sách năm 2027 (thay thế)")
    issue(new)
    outgoing.replace(user("vanthu"), old, new.id, "Sai số liệu ở phụ lục")
    db.session.commit()
    run_jobs()
    return new


def _signed_by_us(data: bytes) -> None:
    """The check the exchange makes on arrival: signed with the province's exchange key."""
    assert sender_verdict(PROVINCE, data).startswith(VALID)


def test_a_revocation_is_owed_by_hand_and_the_content_no_longer_offered(xctx: Flask) -> None:
    document = _issued(DEPARTMENT, UNCONNECTED, OTHER)
    recipient = _manual(document)
    manual.export_package(user("vanthu"), document, recipient.id)  # the first package
    db.session.commit()
    assert manual.owed_to(document, recipient) == []

    steps.act(user("vanthu"), document, "revoke", "Ban hành nhầm đối tượng")
    db.session.commit()
    run_jobs()
    db.session.expire_all()
    document, recipient = db.session.get(Document, document.id), _manual(document)
    assert not manual.may_download(document, recipient)
    with pytest.raises(DomainError, match="đã phát hành"):
        manual.export_package(user("vanthu"), document, recipient.id)
    db.session.rollback()
    # Both unconnected agencies are owed it, the one never given the package too.
    for organ_id in (UNCONNECTED, OTHER):
        [owed] = manual.owed_to(document, _manual(document, organ_id))
        assert (owed.business_type, owed.label, owed.downloadable, owed.downloaded) == (
            1, "Thu hồi", True, None)

    with pytest.raises(DomainError, match="Chỉ văn thư"):  # hands it over: the clerk
        manual.export_business(user("truongphong"), document, recipient.id, 1)
    export = manual.export_business(user("vanthu"), document, recipient.id, 1)
    db.session.commit()
    package = edxml.parse_package(export.data)
    assert package.message.business.doc_type == 1
    assert "Ban hành nhầm đối tượng" in package.message.business.reason
    assert package.message.to_orgs[0].organ_id == UNCONNECTED
    assert package.attachments == ()  # a revocation carries no content
    _signed_by_us(export.data)

    [owed] = manual.owed_to(document, recipient)
    assert owed.downloaded is not None
    assert owed.downloaded.downloaded_by_id == user("vanthu").id
    # A second download is the same file, and both are audited with the message they were.
    again = manual.export_business(user("vanthu"), document, recipient.id, 1)
    db.session.commit()
    assert again.data == export.data
    events = db.session.execute(select(Event).where(
        Event.action == "exported", Event.object_id == str(document.id))).scalars().all()
    assert [(e.details.get("business_type"), e.details["organ_id"]) for e in events] == [
        (None, UNCONNECTED), (1, UNCONNECTED), (1, UNCONNECTED)]
    assert events[-1].actor_id == user("vanthu").id
    # Electronic recipients still get theirs from the outbox; nothing is owed to them here.
    assert manual.owed_to(document, _manual(document, DEPARTMENT)) == []
    with pytest.raises(DomainError, match="qua liên thông"):
        manual.export_business(user("vanthu"), document, _manual(document, DEPARTMENT).id, 1)


def test_each_update_is_owed_by_hand(xctx: Flask) -> None:
    # Two electronic recipients: one update is one record and one number, whichever
    # channels carry it; the key of the second is ":2" by hand as in the outbox.
    document = _issued(DEPARTMENT, DISTRICT, UNCONNECTED)
    recipient = _manual(document)
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán ngân sách năm 2027 "
                         "(bổ sung)", "", None, "Bổ sung trích yếu")
    db.session.commit()
    run_jobs()
    [first] = manual.owed_to(document, recipient)
    assert (first.business_type, first.sequence, first.label) == (2, 1, "Cập nhật lần 1")
    export = manual.export_business(user("vanthu"), document, recipient.id, 2, 1)
    db.session.commit()
    package = edxml.parse_package(export.data)
    assert package.message.business.doc_type == 2
    assert package.message.subject.endswith("(bổ sung)")
    assert package.message.business.reason == "Bổ sung trích yếu"
    _signed_by_us(export.data)

    handling.send_update(user("vanthu"), document, "Về việc lập dự toán năm 2027", "", None,
                         "Rút gọn trích yếu")
    db.session.commit()
    run_jobs()
    owed = manual.owed_to(document, recipient)
    assert [(o.label, o.sequence, o.downloaded is not None) for o in owed] == [
        ("Cập nhật lần 1", 1, True), ("Cập nhật lần 2", 2, False)]
    second = manual.export_business(user("vanthu"), document, recipient.id, 2, 2)
    db.session.commit()
    second_package = edxml.parse_package(second.data)
    assert second_package.message.subject == "Về việc lập dự toán năm 2027"
    assert second_package.message.business.reason == "Rút gọn trích yếu"
    assert manual.owed_to(document, recipient)[1].key == f"package:{document.id}:{UNCONNECTED}:2:2"
    assert {d.key for d in db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.business_type == 2)).scalars()} == {
        f"package:{document.id}:{organ}:2:{n}" for organ in (DEPARTMENT, DISTRICT)
        for n in (1, 2)}
    with pytest.raises(DomainError, match="Không có thông điệp"):
        manual.export_business(user("vanthu"), document, recipient.id, 2, 3)
    db.session.rollback()
    # An agency chosen after the updates finds them in its first package: nothing owed.
    recipients.add_recipient(user("vanthu"), document, OTHER, "Bộ Giao thông vận tải")
    db.session.commit()
    assert manual.owed_to(document, _manual(document, OTHER)) == []

    # Revoked: the updates handed over stay on the row, but their content is not given again.
    steps.act(user("vanthu"), document, "revoke", "Ban hành nhầm đối tượng")
    db.session.commit()
    owed = manual.owed_to(document, recipient)
    assert [(o.label, o.downloadable, o.downloaded is not None) for o in owed] == [
        ("Cập nhật lần 1", False, True), ("Cập nhật lần 2", False, True),
        ("Thu hồi", True, False)]
    with pytest.raises(DomainError, match="đã bị thu hồi"):
        manual.export_business(user("vanthu"), document, recipient.id, 2, 1)


def test_a_replacement_is_owed_by_hand_naming_the_replaced_document(xctx: Flask) -> None:
    old = _issued(UNCONNECTED)
    recipient = _manual(old)
    new = _replace(old)
    assert not manual.may_download(old, recipient)
    [owed] = manual.owed_to(old, recipient)
    assert (owed.business_type, owed.label, owed.downloadable) == (3, "Thay thế", True)
    export = manual.export_business(user("vanthu"), old, recipient.id, 3)
    db.session.commit()
    package = edxml.parse_package(export.data)
    assert package.message.business.doc_type == 3
    assert package.message.business.replacements == (
        edxml.ReplacementInfo(outgoing_document_id(old), (UNCONNECTED,)),)
    assert package.message.subject.endswith("(thay thế)") and package.attachments
    _signed_by_us(export.data)
    # The key is the outbox's for the same message to an electronic recipient.
    assert manual.owed_to(old, recipient)[0].downloaded.key == (  # type: ignore[union-attr]
        f"package:{new.id}:{UNCONNECTED}:3:{old.id}")


def test_a_secret_document_owes_nothing_by_hand(xctx: Flask) -> None:
    document = ready_to_issue(secrecy=1)
    # A recipient row written behind the service's back: still nothing leaves.
    db.session.add(ExchangeRecipient(document_id=document.id, organ_id=UNCONNECTED,
                                     organ_name="Bộ Xây dựng", added_by_id=user("vanthu").id,
                                     channel="manual"))
    db.session.commit()
    issue(document)
    steps.act(user("vanthu"), document, "revoke", "Nhầm")
    db.session.commit()
    recipient = _manual(document)
    assert manual.owed_to(document, recipient) == []
    with pytest.raises(DomainError, match="mật"):
        manual.export_business(user("vanthu"), document, recipient.id, 1)


def test_the_page_and_the_api_tell_what_is_owed(xctx: Flask, client: FlaskClient) -> None:
    fresh_g(xctx)
    document = _issued(DEPARTMENT, UNCONNECTED, OTHER)
    steps.act(user("vanthu"), document, "revoke", "Ban hành nhầm đối tượng")
    db.session.commit()
    run_jobs()
    token = switch(client, "vanthu")
    page = client.get(f"/documents/outgoing/{document.id}").get_data(as_text=True)
    assert ("Cần gửi thủ công: thông báo thu hồi cho 2 cơ quan chưa kết nối liên thông"
            in page)
    row = _row(page, UNCONNECTED)
    assert "Thu hồi — <strong>chưa tải</strong>" in row and "Tải gói thu hồi" in row
    assert ">Tải gói edXML<" not in row  # the withdrawn content is not offered
    assert "Tải gói thu hồi" not in _row(page, DEPARTMENT)

    listing = client.get(f"/api/v1/exchange/{document.id}/recipients").get_json()
    manual_row = next(r for r in listing["recipients"] if r["organ_id"] == UNCONNECTED)
    [owed] = manual_row["owed"]
    assert (owed["business_type"], owed["downloadable"], owed["downloaded_at"]) == (
        1, True, None)
    reply = client.post(owed["download"], headers={"X-CSRFToken": token})
    assert reply.status_code == 200 and reply.mimetype == "application/xml"
    assert edxml.parse_package(reply.data).message.business.doc_type == 1
    assert client.get(owed["download"]).status_code in (404, 405)  # an act: POST only

    table = client.get(f"/exchange/{document.id}/recipients").get_data(as_text=True)
    assert "thông báo thu hồi cho 1 cơ quan" in table
    assert "Thu hồi — đã tải lúc " in _row(table, UNCONNECTED)
    spec = client.get("/api/v1/openapi.json").get_json()
    path = ("/api/v1/exchange/{document_id}/manual/{recipient_id}/{business_type}"
            "/{sequence}")
    assert "post" in spec["paths"][path]

    # Another organisation's clerk sees nothing of it.
    switch(client, "vanthu.stc")
    assert client.post(owed["download"], headers={"X-CSRFToken": token}).status_code in (
        400, 403, 404)


def test_an_agency_handed_an_update_by_hand_cannot_be_taken_off_the_list(xctx: Flask) -> None:
    # Never given the first package, but given the update: it holds a message from us, so
    # removing it is refused with the reason (not a database error).
    document = _issued(DEPARTMENT, UNCONNECTED)
    recipient = _manual(document)
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán năm 2027 (bổ sung)",
                         "", None, "Bổ sung trích yếu")
    db.session.commit()
    run_jobs()
    manual.export_business(user("vanthu"), document, recipient.id, 2, 1)
    db.session.commit()
    with pytest.raises(DomainError, match="đã gửi tới cơ quan này"):
        recipients.remove_recipient(user("vanthu"), document, recipient.id)
    db.session.rollback()
    assert _manual(document).id == recipient.id


def test_a_document_sent_only_by_hand_can_be_updated(xctx: Flask) -> None:
    # Every outside recipient is reached by hand: nothing goes through the outbox, yet the
    # drafter or clerk may update it after issue, and each agency is owed each update.
    document = _issued(UNCONNECTED, OTHER)
    recipient = _manual(document)
    manual.export_package(user("vanthu"), document, recipient.id)  # OTHER never downloaded
    db.session.commit()
    assert handling.may_update(user("vanthu"), document)
    assert not handling.may_update(user("truongphong"), document)
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán ngân sách năm 2027 "
                         "(bổ sung)", "", None, "Bổ sung trích yếu")
    db.session.commit()
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán năm 2027", "", None,
                         "Rút gọn trích yếu")
    db.session.commit()
    run_jobs()
    assert db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id)).scalars().all() == []
    for organ_id in (UNCONNECTED, OTHER):
        owed = manual.owed_to(document, _manual(document, organ_id))
        assert [(o.business_type, o.sequence, o.label, o.downloadable) for o in owed] == [
            (2, 1, "Cập nhật lần 1", True), (2, 2, "Cập nhật lần 2", True)]

    first = manual.export_business(user("vanthu"), document, recipient.id, 2, 1)
    second = manual.export_business(user("vanthu"), document, recipient.id, 2, 2)
    other = manual.export_business(user("vanthu"), document, _manual(document, OTHER).id, 2, 2)
    db.session.commit()
    for export, reason, organ_id in ((first, "Bổ sung trích yếu", UNCONNECTED),
                                     (second, "Rút gọn trích yếu", UNCONNECTED),
                                     (other, "Rút gọn trích yếu", OTHER)):
        package = edxml.parse_package(export.data)
        assert package.message.business.doc_type == 2
        assert package.message.business.reason == reason
        assert package.message.to_orgs[0].organ_id == organ_id
        assert package.message.subject == "Về việc lập dự toán năm 2027"  # as it stands now
        _signed_by_us(export.data)
    assert manual.owed_to(document, recipient)[1].key == (
        f"package:{document.id}:{UNCONNECTED}:2:2")
    # Downloaded again: the same bytes.
    assert manual.export_business(user("vanthu"), document, recipient.id, 2, 1).data == (
        first.data)


def test_an_update_reaches_both_channels_from_one_record(xctx: Flask) -> None:
    # The electronic recipient's package and the one handed over by hand are the same
    # message: same type, reason, subject and number in the key.
    document = _issued(DEPARTMENT, UNCONNECTED)
    handling.send_update(user("vanthu"), document, "Về việc lập dự toán năm 2027", "", None,
                         "Rút gọn trích yếu")
    db.session.commit()
    run_jobs()
    dispatch = db.session.execute(select(ExchangeDispatch).where(
        ExchangeDispatch.document_id == document.id,
        ExchangeDispatch.business_type == 2)).scalar_one()
    assert dispatch.key == f"package:{document.id}:{DEPARTMENT}:2:1"
    electronic = edxml.parse_package(object_store().read_bytes(dispatch.object_key))
    [owed] = manual.owed_to(document, _manual(document))
    assert owed.key == f"package:{document.id}:{UNCONNECTED}:2:1"
    by_hand = edxml.parse_package(manual.export_business(
        user("vanthu"), document, _manual(document).id, 2, 1).data)
    for package in (electronic, by_hand):
        assert package.message.business.doc_type == 2
        assert package.message.business.reason == "Rút gọn trích yếu"
        assert package.message.subject == "Về việc lập dự toán năm 2027"


def test_the_replacing_documents_page_tells_who_needs_it_by_hand(xctx: Flask,
                                                                  client: FlaskClient) -> None:
    fresh_g(xctx)
    old = _issued(DEPARTMENT, UNCONNECTED)
    recipient = _manual(old)
    new = _replace(old)
    token = switch(client, "vanthu")
    page = client.get(f"/documents/outgoing/{new.id}").get_data(as_text=True)
    assert "Tải gói edXML" not in _row(page, DEPARTMENT)  # its own rows: the outbox's
    assert f'data-organ="{UNCONNECTED}"' not in page  # not a recipient of its own
    assert "Gửi thủ công văn bản thay thế" in page
    item = page.split(f'data-replacement-organ="{UNCONNECTED}"')[1].split("</li>")[0]
    assert "<strong>chưa tải</strong>" in item
    assert f'href="/documents/outgoing/{old.id}#exchange-recipient-{recipient.id}"' in item
    download = f"/exchange/{old.id}/manual/{recipient.id}/3/0"  # the old row's own route
    assert f'action="{download}"' in item
    old_page = client.get(f"/documents/outgoing/{old.id}").get_data(as_text=True)
    assert f'id="exchange-recipient-{recipient.id}"' in old_page
    assert f'action="{download}"' in _row(old_page, UNCONNECTED)

    reply = client.post(download, headers={"X-CSRFToken": token})
    assert reply.status_code == 200
    package = edxml.parse_package(reply.data)
    assert package.message.business.doc_type == 3
    assert package.message.business.replacements == (
        edxml.ReplacementInfo(outgoing_document_id(old), (UNCONNECTED,)),)
    _signed_by_us(reply.data)
    # One record: downloaded from the new page, it is downloaded on the old row too.
    db.session.expire_all()
    [owed] = manual.owed_to(db.session.get(Document, old.id), _manual(old))
    assert owed.downloaded is not None
    page = client.get(f"/documents/outgoing/{new.id}").get_data(as_text=True)
    item = page.split(f'data-replacement-organ="{UNCONNECTED}"')[1].split("</li>")[0]
    assert "đã tải lúc " in item
    assert "Thay thế — đã tải lúc " in _row(
        client.get(f"/documents/outgoing/{old.id}").get_data(as_text=True), UNCONNECTED)
