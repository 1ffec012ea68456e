"""Our own edXML fixtures: a document with every field set, and hand-written packages shaped
the way real senders write them (the official library's layout, other prefixes, tabs, zipped
files, differing content types). Written for these tests; no official sample is copied."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date, datetime, timedelta, timezone

from formats.edxml import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    EdxmlMessage,
    OrganInfo,
    OtherInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    TraceHeader,
)

VN = timezone(timedelta(hours=7))
UBND = OrganInfo(organ_id="000.00.00.H41", organ_name="Ủy ban nhân dân tỉnh Hòa Bình",
                 organization_in_charge="Ủy ban nhân dân tỉnh Hòa Bình",
                 organ_add="Đường Trần Hưng Đạo, TP Hòa Bình", email="ubnd@hoabinh.gov.vn",
                 telephone="0218 3852 111", fax="0218 3852 112", website="hoabinh.gov.vn")
SNV = OrganInfo(organ_id="000.01.00.H41", organ_name="Sở Nội vụ tỉnh Hòa Bình")
STC = OrganInfo(organ_id="000.02.00.H41", organ_name="Sở Tài chính tỉnh Hòa Bình")
CLERK = StaffInfo("Văn phòng", "Lê Thị Văn Thư", "0912345678", "vanthu@hoabinh.gov.vn")
PREVIOUS = "000.00.00.H41,2026/01/20,09/QĐ-UBND"

MESSAGE = EdxmlMessage(
    from_org=UBND,
    to_orgs=(SNV, STC),
    code_number="15",
    code_notation="QĐ-UBND",
    place="Hòa Bình",
    promulgation_date=date(2026, 2, 5),
    document_type=1,
    type_detail=2,
    type_name="Quyết định",
    subject="Về việc ban hành Quy chế công tác văn thư",
    content="Ban hành kèm theo Quyết định này Quy chế công tác văn thư.",
    signer=SignerInfo(competence="KT. CHỦ TỊCH", position="Phó Chủ tịch",
                      full_name="Nguyễn Văn Đức"),
    due_date=date(2026, 3, 15),
    to_places=("Sở Nội vụ", "Sở Tài chính"),
    other_info=OtherInfo(priority=1, sphere_of_promulgation="Toàn tỉnh", typer_notation="NVA",
                         promulgation_amount=10, page_amount=3,
                         appendixes=("Phụ lục I: Mẫu sổ đăng ký",), direction=True),
    response_for=(ResponseFor("000.01.00.H41", "07/TTr-SNV", date(2026, 1, 20),
                              "000.01.00.H41,2026/01/20,07/TTr-SNV"),),
    steering_type=1,
    trace_headers=(TraceHeader("000.00.00.H41", datetime(2026, 2, 5, 9, 30, 15, tzinfo=VN)),),
    business=Business(doc_type=0, reason="Văn bản điện tử mới", staff=CLERK),
)
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 50 + b"\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ATTACHMENTS = [
    Attachment("15-QD-UBND.pdf", "application/pdf", PDF, "Văn bản chính"),
    Attachment("Phụ lục.docx", DOCX, b"PK\x03\x04 phu luc"),
]

BUSINESSES = {
    0: Business(0, "Văn bản điện tử mới", CLERK, document_id=PREVIOUS),
    1: Business(1, "Thu hồi do sai thẩm quyền ban hành", CLERK),
    2: Business(2, "Cập nhật danh sách nơi nhận", CLERK, document_id=PREVIOUS,
                document_info=BusinessDocumentInfo(1, 1, (Receiver("000.01.00.H41", 0),
                                                          Receiver("000.03.00.H41", 1)))),
    3: Business(3, "Thay thế văn bản ban hành sai sót", CLERK, paper=1,
                replacements=(ReplacementInfo(PREVIOUS, ("000.01.00.H41", "000.02.00.H41")),
                              ReplacementInfo("000.00.00.H41,2026/01/21,10/QĐ-UBND",
                                              ("000.02.00.H41",)))),
}


def zipped(name: str, data: bytes) -> bytes:
    """One file zipped for transport, as the official library does for unknown formats."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def b64(data: bytes, *, wrap: int = 0) -> str:
    """Base64 as senders write it: one line, or wrapped with CRLF (MIME style)."""
    text = base64.b64encode(data).decode("ascii")
    if not wrap:
        return text
    return "\r\n".join(text[i:i + wrap] for i in range(0, len(text), wrap))


def foreign_package(*, attachments: str, prefix: str = "edXML", manifest: str = "",
                    trailer: str = "") -> bytes:
    """A package written by hand the way another vendor's software writes one: tabs,
    a different namespace prefix, header children in another order, CRLF line ends."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="http://www.mic.gov.vn/TBT/QCVN_102_2016"' if prefix else \
        'xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"'
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
\t<{p}edXMLEnvelope {xmlns}>
\t\t<{p}edXMLHeader>
\t\t\t<{p}MessageHeader>
\t\t\t\t<{p}From><{p}OrganId>000.00.00.G22</{p}OrganId>
\t\t\t\t\t<{p}OrganName>Văn phòng Chính phủ</{p}OrganName></{p}From>
\t\t\t\t<{p}To><{p}OrganId> 000.00.00.H41 </{p}OrganId><{p}OrganName>UBND tỉnh Hòa Bình
\t\t\t\t\t</{p}OrganName></{p}To>
\t\t\t\t<{p}Code><{p}CodeNumber>1234</{p}CodeNumber>
\t\t\t\t\t<{p}CodeNotation>VPCP-KSTT</{p}CodeNotation></{p}Code>
\t\t\t\t<{p}DocumentType><{p}TypeName>Công văn</{p}TypeName><{p}Type>2</{p}Type>
\t\t\t\t</{p}DocumentType>
\t\t\t\t<{p}PromulgationInfo><{p}PromulgationDate>2026/03/02</{p}PromulgationDate>
\t\t\t\t\t<{p}Place>Hà Nội</{p}Place></{p}PromulgationInfo>
\t\t\t\t<{p}Subject>V/v triển khai liên thông văn bản</{p}Subject>
\t\t\t\t<{p}DocumentId>000.00.00.G22,2026/03/02,1234/VPCP-KSTT</{p}DocumentId>
\t\t\t</{p}MessageHeader>
\t\t\t<{p}TraceHeaderList>
\t\t\t\t<{p}Bussiness><{p}BussinessDocType>0</{p}BussinessDocType></{p}Bussiness>
\t\t\t\t<{p}TraceHeader><{p}OrganId>000.00.00.G22</{p}OrganId>
\t\t\t\t\t<{p}Timestamp>2026/03/02 08:15:00</{p}Timestamp></{p}TraceHeader>
\t\t\t</{p}TraceHeaderList>
\t\t</{p}edXMLHeader>
\t\t<{p}edXMLBody><{p}edXMLManifest version="1.0">{manifest}</{p}edXMLManifest>
\t\t</{p}edXMLBody>
\t</{p}edXMLEnvelope>
\t<AttachmentEncoded>{attachments}</AttachmentEncoded>{trailer}
</edXML>
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def foreign_attachment(cid: str, name: str, content_type: str, payload: str) -> str:
    """An ``Attachment`` as the official library writes one (children, cid: prefix)."""
    return (f"<Attachment><ContentId>cid:{cid}</ContentId><AttachmentName>{name}"
            f"</AttachmentName><Description>{name}</Description><ContentType>{content_type}"
            "</ContentType><edXML:ContentTransferEncoded xmlns:edXML="
            f'"http://www.mic.gov.vn/TBT/QCVN_102_2016">{payload}'
            "</edXML:ContentTransferEncoded></Attachment>")


def foreign_reference(cid: str, name: str, content_type: str, prefix: str = "edXML") -> str:
    """A manifest ``Reference`` as the official library writes one."""
    p = f"{prefix}:" if prefix else ""
    return (f"<{p}Reference><{p}ContentId>cid:{cid}</{p}ContentId><{p}ContentType>"
            f"{content_type}</{p}ContentType><{p}Description>{name}</{p}Description>"
            f"<{p}AttachmentName>{name}</{p}AttachmentName></{p}Reference>")


def foreign_status(code: str, *, timestamp: str = "2026/03/03 14:05:09") -> bytes:
    """A status message in the samples' layout (tabs, fields in the samples' order)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
\t\t\t<edXML:OrganId>000.01.00.H41</edXML:OrganId>
\t\t\t<edXML:OrganName>Sở Nội vụ tỉnh Hòa Bình</edXML:OrganName>
\t\t\t<edXML:OrganizationInCharge>UBND tỉnh Hòa Bình</edXML:OrganizationInCharge>
        </edXML:From>
        <edXML:ResponseFor>
\t\t\t<edXML:OrganId>000.00.00.H41</edXML:OrganId>
\t\t\t<edXML:Code>15/QĐ-UBND</edXML:Code>
\t\t\t<edXML:PromulgationDate>2026/02/05</edXML:PromulgationDate>
\t\t\t<edXML:DocumentId>000.00.00.H41,2026/02/05,15/QĐ-UBND</edXML:DocumentId>
        </edXML:ResponseFor>
\t\t<edXML:StaffInfo>
\t\t\t<edXML:Department>Văn phòng Sở</edXML:Department>
\t\t\t<edXML:Staff>Phạm Văn Thư</edXML:Staff>
\t\t\t<edXML:Mobile>0987654321</edXML:Mobile>
\t\t\t<edXML:Email>thu@snv.hoabinh.gov.vn</edXML:Email>
\t\t</edXML:StaffInfo>
        <edXML:StatusCode>{code}</edXML:StatusCode>
        <edXML:Description>Văn thư: trạng thái {code}</edXML:Description>
        <edXML:Timestamp>{timestamp}</edXML:Timestamp>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>
""".encode()
