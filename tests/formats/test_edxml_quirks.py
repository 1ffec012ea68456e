"""What real senders produce is read: zipped files, a manifest whose content type differs from
the attachment's, other prefixes and indentation, every status code in the samples' layout.
What they must not produce is refused clearly: bytes before ``<?xml``, zip bombs."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from formats.edxml import (
    EdxmlError,
    StatusCode,
    package_filename,
    parse_message,
    parse_package,
    parse_status,
)
from formats.edxml.model import MAX_PACKAGE_BYTES
from tests.formats import edxml_samples as samples
from tests.formats.edxml_samples import (
    PDF,
    b64,
    foreign_attachment,
    foreign_package,
    foreign_reference,
    foreign_status,
    zipped,
)


@pytest.mark.parametrize("prefix", ["edXML", "qcvn", ""])
def test_package_from_another_vendor_is_read(prefix: str) -> None:
    data = foreign_package(
        prefix=prefix,
        manifest=foreign_reference("a1", "cv-1234.pdf", "application/pdf", prefix),
        attachments=foreign_attachment("a1", "cv-1234.pdf", "application/pdf",
                                       b64(PDF, wrap=76)))
    package = parse_package(data)
    message = package.message
    assert message.from_org.organ_name == "Văn phòng Chính phủ"
    assert message.to_orgs[0].organ_id == "000.00.00.H41"
    assert message.to_orgs[0].organ_name == "UBND tỉnh Hòa Bình"
    assert (message.code_number, message.code_notation) == ("1234", "VPCP-KSTT")
    assert message.promulgation_date == date(2026, 3, 2) and message.document_type == 2
    assert message.trace_headers[0].timestamp == datetime(2026, 3, 2, 8, 15,
                                                          tzinfo=samples.VN)
    assert package.document_id == "000.00.00.G22,2026/03/02,1234/VPCP-KSTT"
    assert [(a.name, a.content_type, a.data) for a in package.attachments] == [
        ("cv-1234.pdf", "application/pdf", PDF)]


def test_zipped_attachment_is_unzipped_under_its_declared_name() -> None:
    """The official library zips files it does not know (ContentType application/zip,
    AttachmentName keeps the original name); the manifest may say otherwise."""
    data = foreign_package(
        manifest=foreign_reference("9", "To trinh.pdf", "application/pdf"),
        attachments=foreign_attachment("9", "To trinh.pdf", "application/zip",
                                       b64(zipped("3f1c.pdf", PDF))))
    (attachment,) = parse_package(data).attachments
    assert (attachment.name, attachment.content_type, attachment.data) == (
        "To trinh.pdf", "application/pdf", PDF)


def test_manifest_and_attachment_content_types_may_differ() -> None:
    docx = b"PK\x03\x04" + b"word/document.xml" * 10
    data = foreign_package(
        manifest=(foreign_reference("1", "ke-hoach.docx", "application/octet-stream")
                  + foreign_reference("2", "bao-cao.pdf", "application/zip")),
        attachments=(foreign_attachment("1", "ke-hoach.docx", "application/docx", b64(docx))
                     + foreign_attachment("2", "bao-cao.pdf", "application/octet-stream",
                                          b64(PDF))))
    first, second = parse_package(data).attachments
    assert first.content_type == ("application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.document") and first.data == docx
    assert second.content_type == "application/pdf" and second.data == PDF


def test_real_zip_files_and_office_files_are_kept_as_they_are() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.txt", "một")
        out.writestr("b.txt", "hai")
    data = foreign_package(attachments=(
        foreign_attachment("1", "ho-so.zip", "application/zip", b64(archive.getvalue()))
        + foreign_attachment("2", "phu-luc.xlsx", "application/zip", b64(archive.getvalue()))))
    kept_zip, kept_office = parse_package(data).attachments
    assert kept_zip.data == archive.getvalue() and kept_zip.content_type == "application/zip"
    assert kept_office.data == archive.getvalue()
    assert kept_office.content_type == ("application/vnd.openxmlformats-officedocument."
                                        "spreadsheetml.sheet")


def test_an_undeclared_xlink_prefix_is_tolerated_and_nothing_else() -> None:
    """QCVN 102 puts ``xlink:href`` on manifest references; some senders never declare
    ``xlink``. That alone is read; a real syntax error is still refused."""
    reference = foreign_reference("1", "cv.pdf", "application/pdf").replace(
        "<edXML:Reference>", '<edXML:Reference xlink:href="">')
    data = foreign_package(manifest=reference, attachments=foreign_attachment(
        "1", "cv.pdf", "application/pdf", b64(PDF)))
    assert [a.data for a in parse_package(data).attachments] == [PDF]
    # The same sender's undeclared edXML: prefix on AttachmentEncoded, outside the envelope.
    prefixed = data.replace(b"<AttachmentEncoded>", b"<edXML:AttachmentEncoded>").replace(
        b"</AttachmentEncoded>", b"</edXML:AttachmentEncoded>")
    assert [a.data for a in parse_package(prefixed).attachments] == [PDF]
    with pytest.raises(EdxmlError, match="cú pháp XML"):
        parse_package(data.replace(b"</edXML:Subject>", b"</edXML:Subjct>", 1))


def test_attachment_missing_from_the_manifest_is_kept() -> None:
    data = foreign_package(attachments=foreign_attachment("7", "cv.pdf", "application/pdf",
                                                          b64(PDF)))
    assert [a.name for a in parse_package(data).attachments] == ["cv.pdf"]


def test_zip_bomb_is_refused() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        info = zipfile.ZipInfo("x.pdf")
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as stream:
            chunk = b"\0" * (1 << 20)
            for _ in range(MAX_PACKAGE_BYTES // len(chunk) + 1):
                stream.write(chunk)
    assert len(bomb.getvalue()) < 1024 * 1024
    data = foreign_package(attachments=foreign_attachment("1", "x.pdf", "application/zip",
                                                          b64(bomb.getvalue())))
    with pytest.raises(EdxmlError, match="sau khi giải nén làm gói vượt quá dung lượng"):
        parse_package(data)


def test_stray_bytes_before_the_xml_declaration_are_refused_clearly() -> None:
    """The published edoc_new sample starts with ``1212<?xml``: no XML parser accepts it."""
    data = foreign_package(attachments="")
    with pytest.raises(EdxmlError, match=r"có 4 byte lạ trước khai báo XML.*1212"):
        parse_package(b"1212" + data)
    # A byte-order mark and blank lines are not stray bytes.
    assert parse_package(b"\xef\xbb\xbf\r\n  " + data).message.code_number == "1234"


@pytest.mark.parametrize("code", list(StatusCode))
def test_status_in_the_samples_layout_is_read_for_every_code(code: StatusCode) -> None:
    status = parse_status(foreign_status(code.value))
    assert status.code == code
    assert status.from_org.organ_id == "000.01.00.H41"
    assert status.response_for.document_id == "000.00.00.H41,2026/02/05,15/QĐ-UBND"
    assert status.response_for.promulgation_date == date(2026, 2, 5)
    assert status.timestamp == datetime(2026, 3, 3, 14, 5, 9, tzinfo=samples.VN)
    assert status.staff.staff == "Phạm Văn Thư" and status.staff.email.startswith("thu@")
    assert status.description == f"Văn thư: trạng thái {code.value}"
    assert parse_message(foreign_status(code.value)) == status


def test_file_names_end_in_edxml() -> None:
    assert package_filename("000.00.00.H41,2026/02/05,15/QĐ-UBND") == (
        "000.00.00.H41-2026-02-05-15-QD-UBND.edxml")
    assert package_filename("../../etc/passwd") == "etc-passwd.edxml"


def test_sparse_headers_from_gateways_are_read() -> None:
    """Gateway-built packages leave out TraceHeader/OrganId, TypeDetail and Bussiness, and
    some senders leave an empty ResponseFor behind."""
    data = foreign_package(attachments="").replace(
        b"<edXML:OrganId>000.00.00.G22</edXML:OrganId>\r\n\t\t\t\t\t<edXML:Timestamp>",
        b"<edXML:Timestamp>").replace(
        b"<edXML:Subject>", b"<edXML:ResponseFor><edXML:OrganId></edXML:OrganId>"
        b"<edXML:Code/><edXML:PromulgationDate/></edXML:ResponseFor><edXML:Subject>")
    message = parse_package(data).message
    assert message.trace_headers[0].organ_id == ""
    assert message.trace_headers[0].timestamp == datetime(2026, 3, 2, 8, 15, tzinfo=samples.VN)
    assert message.response_for == () and message.type_detail == 0


def test_packages_and_statuses_of_our_earlier_format_are_still_read() -> None:
    """Packages stored before this format followed the official library: envelope as root,
    attribute ids, a ``Status`` element, ISO timestamps."""
    ns = 'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"'
    old_package = f"""<?xml version='1.0' encoding='UTF-8'?>
<edXML:edXMLEnvelope {ns}><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND</edXML:OrganName>
</edXML:From><edXML:To><edXML:OrganId>000.01.00.H41</edXML:OrganId></edXML:To>
<edXML:Code><edXML:CodeNumber>05</edXML:CodeNumber><edXML:CodeNotation>UBND-VP</edXML:CodeNotation>
</edXML:Code><edXML:PromulgationInfo><edXML:PromulgationDate>2026/01/02</edXML:PromulgationDate>
</edXML:PromulgationInfo><edXML:Subject>V/v báo cáo</edXML:Subject></edXML:MessageHeader>
<edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>000.00.00.H41</edXML:OrganId>
<edXML:Timestamp>2026-01-02T09:00:00+07:00</edXML:Timestamp></edXML:TraceHeader>
</edXML:TraceHeaderList></edXML:edXMLHeader><edXML:edXMLBody>
<edXML:edXMLManifest edXML:version="1.0"><edXML:Reference edXML:href="cid:att1@edxml">
<edXML:AttachmentName>cv.pdf</edXML:AttachmentName><edXML:ContentType>application/pdf
</edXML:ContentType></edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
<edXML:AttachmentEncoded><edXML:Attachment edXML:ContentId="att1@edxml">{b64(PDF)}
</edXML:Attachment></edXML:AttachmentEncoded></edXML:edXMLEnvelope>""".encode()
    package = parse_package(old_package)
    assert package.message.code_number == "05"
    assert [(a.name, a.data) for a in package.attachments] == [("cv.pdf", PDF)]
    old_status = f"""<edXML:edXMLEnvelope {ns}><edXML:edXMLHeader><edXML:Status>
<edXML:ResponseFor><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:Code>05/UBND-VP
</edXML:Code><edXML:PromulgationDate>2026/01/02</edXML:PromulgationDate>
<edXML:DocumentId>000.00.00.H41,2026/01/02,05/UBND-VP</edXML:DocumentId></edXML:ResponseFor>
<edXML:From><edXML:OrganId>000.01.00.H41</edXML:OrganId></edXML:From>
<edXML:StatusCode>3</edXML:StatusCode><edXML:Timestamp>2026-01-02T10:00:00+07:00
</edXML:Timestamp></edXML:Status></edXML:edXMLHeader></edXML:edXMLEnvelope>""".encode()
    assert parse_status(old_status).code == StatusCode.ACCEPTED
