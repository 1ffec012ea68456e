"""Issue #12: an internal recipient of an issued document finds it in "Văn bản đến nội bộ"
and sees its official copy and public metadata only — no draft version, comment,
consultation, history or edXML data, through any page, API answer or file route — while
those who drafted and approved it keep seeing everything."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.documents import consultation, exchange, service
from eoffice.documents.models import Document, DocumentAttachment, DocumentConsultation
from eoffice.exchange.models import Channel, ExchangeRecipient
from eoffice.exchange.recipients import add_recipient
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.organisation.models import Unit
from tests.conftest import csrf_token_from, login
from tests.documents.conftest import create_outgoing, make_pdf, user

SUBJECT = "Về việc tổ chức hội nghị tổng kết PHATHANH70"
DRAFT_PDF = "DUTHAONOIBO71"  # in the bytes and the name of the second draft
DRAFT_NOTE = "GHICHUDUTHAO72"
COMMENT = "YKIENNOIBO73 của văn thư, không gửi ra ngoài"
QUESTION = "XINYKIEN74"
ANSWER = "GOPYDUTHAO75"
EXTERNAL = "BONGOAI76"
ATTACHMENT_DRAFT = "PHULUCGOC77"
ATTACHMENT_SIGNED = "PHULUCKY78"
OFFICIAL = "CHINHTHUC79"
EDXML = "EDXMLNOIBO80"

#: What a recipient must never receive, in any answer.
SECRETS = [DRAFT_PDF, DRAFT_NOTE, "YKIENNOIBO73", QUESTION, ANSWER, EXTERNAL,
           ATTACHMENT_DRAFT, EDXML]


@dataclass(frozen=True)
class Issued:
    id: int
    draft_files: tuple[int, ...]  # every draft version's file and the unsigned appendix
    official_file: int
    official_number: int
    signed_attachment: int
    record_id: int
    external_id: int


def _pdf(actor: str, text: str, name: str) -> StoredFile:
    return service.store_file(user(actor), io.BytesIO(make_pdf(text=text)), name,
                              service.PDF_ONLY)


def issue_with_history(app: Flask, *, secrecy: int = 0) -> Issued:
    """An outgoing document with a whole drafting record behind it, then issued to
    phochutich by name and to Phòng Tổng hợp (thuky) as a unit."""
    with app.app_context():
        th = db.session.execute(select(Unit.id).where(Unit.abbreviation == "TH")).scalar_one()
        document = create_outgoing(subject=SUBJECT, urgency=1, secrecy=secrecy,
                                   authority="KT. CHỦ TỊCH",
                                   recipient_user_ids=[user("phochutich").id],
                                   recipient_unit_ids=[th])
        drafter = user("chuyenvien")
        service.revise_draft(drafter, document, _pdf("chuyenvien", DRAFT_PDF,
                                                     f"{DRAFT_PDF.lower()}.pdf"),
                             f"Sửa theo ý kiến {DRAFT_NOTE}")
        service.comment(user("vanthu"), document, COMMENT)
        consultation.request_opinions(drafter, document, [user("chanhvanphong").id], None,
                                      QUESTION)
        asked = db.session.execute(select(DocumentConsultation)).scalar_one()
        consultation.answer(user("chanhvanphong"), document, asked.id, "comments", ANSWER)
        appendix = service.add_attachment(drafter, document,
                                          _pdf("chuyenvien", ATTACHMENT_DRAFT, "phu-luc.pdf"))
        if secrecy:  # never chosen for a secret document: a row from before it was marked so
            external = ExchangeRecipient(document_id=document.id, organ_id="000.00.00.G22",
                                         organ_name=f"Bộ {EXTERNAL}", added_by_id=drafter.id,
                                         channel=Channel.MANUAL)
            db.session.add(external)
            db.session.flush()
        else:
            external = add_recipient(drafter, document, "000.00.00.G22", f"Bộ {EXTERNAL}")
        # What the signing path leaves (signing itself is tested in test_signing.py).
        document.state, document.code_number, document.code_notation = \
            "ORG_SIGNED", 12, "UBND-KT"
        document.issued_date = date(2026, 3, 9)
        appendix.signed_file_id = _pdf("vanthu", ATTACHMENT_SIGNED, "phu-luc-da-ky.pdf").id
        official = service.add_version(user("vanthu"), document,
                                       _pdf("vanthu", OFFICIAL, "12-UBND-KT.pdf"),
                                       "org_signed", "Đã ký số cơ quan")
        service.issue(user("vanthu"), document)
        record = exchange.store_record(user("vanthu"), document, "status_in",
                                       f"<edXML>{EDXML}</edXML>".encode(), status_code="01",
                                       recipient_id=external.id)
        db.session.commit()
        drafts = tuple(v.file_id for v in document.versions if v.kind != "org_signed")
        issued = Issued(document.id, (*drafts, appendix.file_id), official.file_id,
                        official.number, appendix.signed_file_id, record.id, external.id)
        assert len(drafts) == 2
        db.session.remove()
        return issued


def client_for(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def leaks(data: bytes) -> list[str]:
    return [s for s in SECRETS if s.encode() in data]


def assert_recipient_view(app: Flask, username: str, issued: Issued) -> None:
    client = client_for(app, username)
    doc = issued.id

    # The inbox names it, unread, newest first; the menu leads there.
    assert "Văn bản đến nội bộ" in client.get("/my-work").get_data(as_text=True)
    inbox = client.get("/documents/internal-inbox").get_data(as_text=True)
    assert f'data-document="{doc}" data-unread="yes"' in inbox and "Chưa đọc" in inbox
    api_inbox = client.get("/api/v1/documents/internal-inbox").get_json()
    assert api_inbox["total"] == 1
    [item] = api_inbox["items"]
    assert item["document"]["id"] == doc and item["unread"] is True
    assert item["document"]["number"] == "12/UBND-KT"

    # The page: the official copy and the public metadata, nothing of the drafting.
    page = client.get(f"/documents/outgoing/{doc}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert leaks(page.data) == []
    assert f"/files/{issued.official_file}/download" in html
    assert f"/files/{issued.signed_attachment}/download" in html
    for public in ("12/UBND-KT", "09/03/2026", "Ủy ban nhân dân tỉnh Hòa Bình", SUBJECT,
                   "KT. CHỦ TỊCH", "Trần Văn Hùng", "Khẩn"):
        assert public in html, public
    for internal in ("Phiên bản", "Ý kiến", "Lịch sử xử lý", "edXML", "Lấy ý kiến",
                     "Nơi nhận trong cơ quan", "Nơi nhận bên ngoài", "Đặng Thu Trang",
                     "Hoàng Văn Nam"):
        assert internal not in html, internal
    for draft in issued.draft_files:
        assert f"/files/{draft}/download" not in html
    # Opening it read it.
    inbox = client.get("/documents/internal-inbox").get_data(as_text=True)
    assert f'data-document="{doc}" data-unread="no"' in inbox
    assert client.get("/api/v1/documents/internal-inbox").get_json()["items"][0][
        "unread"] is False

    # The API: the same part of it.
    answer = client.get(f"/api/v1/documents/{doc}")
    assert answer.status_code == 200 and leaks(answer.data) == []
    body = answer.get_json()
    assert body["view"] == "recipient"
    assert [v["number"] for v in body["versions"]] == [issued.official_number]
    assert body["versions"][0]["kind"] == "org_signed"
    assert body["comments"] == [] and body["participants"] == [] and body["actions"] == []
    assert [a["file_id"] for a in body["attachments"]] == [issued.signed_attachment]
    assert body["signer"]["full_name"] == "Trần Văn Hùng"

    # Every file route: the official copy and the signed appendix, never a draft.
    official = client.get(f"/api/v1/documents/{doc}/versions/{issued.official_number}/content")
    assert official.status_code == 200 and OFFICIAL.encode() in official.data
    for number in range(1, issued.official_number):
        answer = client.get(f"/api/v1/documents/{doc}/versions/{number}/content")
        assert answer.status_code == 404 and leaks(answer.data) == []
    download = client.get(f"/files/{issued.official_file}/download")
    assert download.status_code == 200 and OFFICIAL.encode() in download.data
    signed = client.get(f"/files/{issued.signed_attachment}/download")
    assert signed.status_code == 200 and ATTACHMENT_SIGNED.encode() in signed.data
    for draft in issued.draft_files:
        answer = client.get(f"/files/{draft}/download")
        assert answer.status_code == 404 and leaks(answer.data) == []

    # No edXML data, no internal deliveries, no export.
    token = csrf_token_from(client.get("/my-work").get_data(as_text=True))
    for url in (f"/api/v1/documents/{doc}/edxml",
                f"/api/v1/documents/{doc}/edxml/{issued.record_id}",
                f"/documents/{doc}/edxml/{issued.record_id}",
                f"/api/v1/documents/{doc}/deliveries"):
        answer = client.get(url)
        assert answer.status_code == 404 and leaks(answer.data) == [], url
    for url in (f"/documents/{doc}/edxml/export/{issued.external_id}",
                f"/api/v1/documents/{doc}/edxml/export/{issued.external_id}"):
        answer = client.post(url, headers={"X-CSRFToken": token})
        assert answer.status_code == 404 and leaks(answer.data) == [], url


def test_recipient_by_name_sees_only_the_official_copy(app: Flask, demo: None) -> None:
    issued = issue_with_history(app)
    assert_recipient_view(app, "phochutich", issued)


def test_member_of_a_recipient_unit_sees_only_the_official_copy(app: Flask,
                                                                 demo: None) -> None:
    issued = issue_with_history(app)
    assert_recipient_view(app, "thuky", issued)


def test_those_who_made_it_still_see_everything(app: Flask, demo: None) -> None:
    issued = issue_with_history(app)
    for username in ("chuyenvien", "truongphong", "vanthu", "chutich", "chanhvanphong"):
        client = client_for(app, username)
        html = client.get(f"/documents/outgoing/{issued.id}").get_data(as_text=True)
        assert "Phiên bản 1" in html and "Phiên bản 2" in html, username
        assert "YKIENNOIBO73" in html and DRAFT_NOTE in html and EXTERNAL in html, username
        body = client.get(f"/api/v1/documents/{issued.id}").get_json()
        assert body["view"] == "whole"
        assert [v["number"] for v in body["versions"]] == [1, 2, 3]
        assert any("YKIENNOIBO73" in c["body"] for c in body["comments"])
        draft = client.get(f"/api/v1/documents/{issued.id}/versions/2/content")
        assert draft.status_code == 200 and DRAFT_PDF.encode() in draft.data
        assert client.get(f"/files/{issued.draft_files[1]}/download").status_code == 200
        assert client.get(f"/api/v1/documents/{issued.id}/edxml").status_code == 200
    # chanhvanphong was consulted on the draft and is in VP, not a recipient unit: the
    # inbox of those who made it holds nothing they were not sent.
    inbox = client_for(app, "chuyenvien").get("/api/v1/documents/internal-inbox").get_json()
    assert inbox == {"items": [], "total": 0}


def test_inbox_lists_only_what_was_delivered_and_issued(app: Flask, demo: None) -> None:
    """A planned recipient sees nothing before issue; a secret document delivered to a
    unit stays with the people named on it; an outsider's inbox is empty and has no menu
    entry."""
    with app.app_context():
        th = db.session.execute(select(Unit.id).where(Unit.abbreviation == "TH")).scalar_one()
        create_outgoing(subject="Chưa phát hành", recipient_unit_ids=[th])
        db.session.remove()
    issue_with_history(app, secrecy=1)
    thuky = client_for(app, "thuky")
    assert thuky.get("/api/v1/documents/internal-inbox").get_json()["total"] == 0
    assert "Chưa có văn bản nào gửi đến bạn" in thuky.get(
        "/documents/internal-inbox").get_data(as_text=True)
    assert "Văn bản đến nội bộ" not in thuky.get("/my-work").get_data(as_text=True)
    # Named by delivery, phochutich has it, and as a recipient only.
    phochutich = client_for(app, "phochutich")
    items = phochutich.get("/api/v1/documents/internal-inbox").get_json()["items"]
    assert [i["document"]["subject"] for i in items] == [SUBJECT]
    html = phochutich.get(f"/documents/outgoing/{items[0]['document']['id']}").get_data(
        as_text=True)
    assert "Phiên bản" not in html and "Mật" in html


def test_newest_delivery_first(app: Flask, demo: None) -> None:
    first = issue_with_history(app)
    with app.app_context():
        later = create_outgoing(subject="Văn bản phát hành sau",
                                recipient_user_ids=[user("phochutich").id])
        later.state, later.code_number, later.code_notation = "ORG_SIGNED", 13, "UBND-KT"
        service.issue(user("vanthu"), later)
        db.session.commit()
        later_id = later.id
        assert db.session.get(Document, first.id).state == "ISSUED"
        assert db.session.execute(select(DocumentAttachment)).scalars().first()
        db.session.remove()
    client = client_for(app, "phochutich")
    ids = [i["document"]["id"] for i in client.get(
        "/api/v1/documents/internal-inbox").get_json()["items"]]
    assert ids == [later_id, first.id]
    html = client.get("/documents/internal-inbox").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'data-document="(\d+)"', html)] == [later_id, first.id]


def test_a_recipient_cannot_write_into_the_handling_record(app: Flask, demo: None) -> None:
    """Comments are the drafting chain's internal record: a recipient neither reads nor
    writes them (page and API alike)."""
    issued = issue_with_history(app)
    client = client_for(app, "thuky")
    token = csrf_token_from(client.get("/my-work").get_data(as_text=True))
    answer = client.post(f"/api/v1/documents/{issued.id}/actions/comment",
                         json={"body": "Ý kiến của người nhận"},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 403 and "Người nhận" in answer.get_json()["message"]
    drafter = client_for(app, "chuyenvien")
    page = drafter.get(f"/documents/outgoing/{issued.id}").get_data(as_text=True)
    assert "Ý kiến của người nhận" not in page
