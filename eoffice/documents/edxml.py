"""edXML packages (QCVN 102:2016/BTTTT) for the inter-agency document exchange.

One package is one XML file::

    edXML:edXMLEnvelope
      edXMLHeader   MessageHeader, TraceHeaderList
      edXMLBody     edXMLManifest with one Reference (href="cid:…") per attachment
      AttachmentEncoded   Attachment (base64), one per Reference, matched by ContentId

Status messages (received, registered, assigned, completed, take-back requests…) are small
envelopes whose header holds a ``Status`` element.

The input side is hostile by definition — packages come from other systems over the network —
so parsing refuses any DTD (the root of XXE and "billion laughs" attacks) before and after
lxml sees the bytes, never touches the network, never expands entities, and turns every
structural problem into :class:`EdxmlError` with a Vietnamese message. Secret documents (độ mật)
must never travel over the exchange network: :func:`build_package` refuses them.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from lxml import etree

__all__ = [
    "NS",
    "Attachment",
    "Business",
    "EdxmlError",
    "EdxmlMessage",
    "EdxmlPackage",
    "OrganInfo",
    "OtherInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusMessage",
    "TraceHeader",
    "build_package",
    "build_status",
    "document_id",
    "parse_package",
    "parse_status",
]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_P = "edXML"
VN_TZ = timezone(timedelta(hours=7))
MAX_PACKAGE_BYTES = 200 * 1024 * 1024


class EdxmlError(Exception):
    """An edXML package cannot be built or read; ``str(error)`` is Vietnamese for users."""


class StatusCode(enum.StrEnum):
    """Handling status a receiver reports back to the sender (QCVN 102:2016)."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    IN_PROGRESS = "05"
    COMPLETED = "06"
    TAKE_BACK_REQUESTED = "13"
    TAKE_BACK_AGREED = "15"
    TAKE_BACK_REFUSED = "16"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    StatusCode.ARRIVED: "Đã đến",
    StatusCode.REJECTED: "Từ chối tiếp nhận",
    StatusCode.ACCEPTED: "Đã tiếp nhận, vào sổ",
    StatusCode.ASSIGNED: "Đã phân công xử lý",
    StatusCode.IN_PROGRESS: "Đang xử lý",
    StatusCode.COMPLETED: "Đã hoàn thành",
    StatusCode.TAKE_BACK_REQUESTED: "Đề nghị lấy lại/cập nhật văn bản",
    StatusCode.TAKE_BACK_AGREED: "Đồng ý cho lấy lại/cập nhật văn bản",
    StatusCode.TAKE_BACK_REFUSED: "Từ chối cho lấy lại/cập nhật văn bản",
}


@dataclass(frozen=True)
class OrganInfo:
    """From/To organisation; ``organ_id`` is the 13-character code, e.g. 000.00.00.H41."""

    organ_id: str
    organ_name: str
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class SignerInfo:
    competence: str  # e.g. "KT. CHỦ TỊCH"
    position: str
    full_name: str


@dataclass(frozen=True)
class OtherInfo:
    """``priority``: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ."""

    priority: int = 0
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 0
    page_amount: int = 0
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor:
    """The earlier document this one answers (or, in a status, the document reported on)."""

    organ_id: str
    code: str  # "15/QĐ-UBND"
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class StaffInfo:
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class Business:
    """``doc_type``: 0 new, 1 revoke, 2 update, 3 replace (the "Bussiness" element, sic)."""

    doc_type: int = 0
    reason: str = ""
    staff: StaffInfo = field(default_factory=StaffInfo)


@dataclass(frozen=True)
class EdxmlMessage:
    """The MessageHeader and TraceHeaderList of a package (Appendix VI metadata, 1:1)."""

    from_org: OrganInfo
    to_orgs: tuple[OrganInfo, ...]
    code_number: str
    code_notation: str
    place: str
    promulgation_date: date
    document_type: int
    type_name: str
    subject: str
    signer: SignerInfo
    content: str = ""
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other_info: OtherInfo = field(default_factory=OtherInfo)
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: int = 0
    trace_headers: tuple[TraceHeader, ...] = ()
    business: Business = field(default_factory=Business)
    secrecy: str | None = None
    """Never set on a package that is sent: secret documents are refused."""

    @property
    def document_id(self) -> str:
        return document_id(self.from_org.organ_id, self.promulgation_date, self.code_number,
                           self.code_notation)


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class EdxmlPackage:
    message: EdxmlMessage
    attachments: tuple[Attachment, ...]
    document_id: str


@dataclass(frozen=True)
class StatusMessage:
    response_for: ResponseFor
    from_org: OrganInfo
    code: StatusCode
    timestamp: datetime
    description: str = ""
    staff: StaffInfo = field(default_factory=StaffInfo)


def document_id(organ_id: str, promulgated: date, number: str, notation: str) -> str:
    """``OrganId,YYYY/MM/DD,Number/Notation`` — how the exchange names a document."""
    return f"{organ_id},{promulgated:%Y/%m/%d},{number}/{notation}"


# --- building ---------------------------------------------------------------------------------

def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(tag))
    if text is not None:
        element.text = text
    return element


def _fmt_date(value: date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def _fmt_ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise EdxmlError("Thời điểm trong gói edXML phải kèm múi giờ.")
    return value.astimezone(VN_TZ).isoformat(timespec="seconds")


def _organ(parent: etree._Element, tag: str, org: OrganInfo) -> None:
    node = _sub(parent, tag)
    _sub(node, "OrganId", org.organ_id)
    _sub(node, "OrganizationInCharge", org.organization_in_charge)
    _sub(node, "OrganName", org.organ_name)
    _sub(node, "OrganAdd", org.organ_add)
    _sub(node, "Email", org.email)
    _sub(node, "Telephone", org.telephone)
    _sub(node, "Fax", org.fax)
    _sub(node, "Website", org.website)


def _staff(parent: etree._Element, staff: StaffInfo) -> None:
    node = _sub(parent, "StaffInfo")
    _sub(node, "Department", staff.department)
    _sub(node, "Staff", staff.staff)
    _sub(node, "Mobile", staff.mobile)
    _sub(node, "Email", staff.email)


def _response_for(parent: etree._Element, item: ResponseFor) -> None:
    node = _sub(parent, "ResponseFor")
    _sub(node, "OrganId", item.organ_id)
    _sub(node, "Code", item.code)
    _sub(node, "PromulgationDate", _fmt_date(item.promulgation_date))
    _sub(node, "DocumentId", item.document_id)


def _envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_q("edXMLEnvelope"), nsmap={_P: NS})
    return root, _sub(root, "edXMLHeader")


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _content_id(index: int, attachment: Attachment) -> str:
    digest = hashlib.sha256(attachment.data).hexdigest()[:16]
    return f"att{index}-{digest}@edxml"


def build_package(message: EdxmlMessage, attachments: list[Attachment]) -> bytes:
    """Serialize a document and its files into one edXML package (UTF-8 bytes)."""
    if message.secrecy:
        raise EdxmlError(
            f"Văn bản có độ mật ({message.secrecy}) không được gửi qua trục liên thông edXML."
        )
    if not message.to_orgs:
        raise EdxmlError("Gói edXML phải có ít nhất một cơ quan nhận.")
    root, header = _envelope()
    mh = _sub(header, "MessageHeader")
    _organ(mh, "From", message.from_org)
    for org in message.to_orgs:
        _organ(mh, "To", org)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", message.code_number)
    _sub(code, "CodeNotation", message.code_notation)
    prom = _sub(mh, "PromulgationInfo")
    _sub(prom, "Place", message.place)
    _sub(prom, "PromulgationDate", _fmt_date(message.promulgation_date))
    dtype = _sub(mh, "DocumentType")
    _sub(dtype, "Type", str(message.document_type))
    _sub(dtype, "TypeName", message.type_name)
    _sub(mh, "Subject", message.subject)
    _sub(mh, "Content", message.content)
    signer = _sub(mh, "SignerInfo")
    _sub(signer, "Competence", message.signer.competence)
    _sub(signer, "Position", message.signer.position)
    _sub(signer, "FullName", message.signer.full_name)
    _sub(mh, "DueDate", _fmt_date(message.due_date))
    places = _sub(mh, "ToPlaces")
    for place in message.to_places:
        _sub(places, "Place", place)
    other = _sub(mh, "OtherInfo")
    oi = message.other_info
    _sub(other, "Priority", str(oi.priority))
    _sub(other, "SphereOfPromulgation", oi.sphere_of_promulgation)
    _sub(other, "TyperNotation", oi.typer_notation)
    _sub(other, "PromulgationAmount", str(oi.promulgation_amount))
    _sub(other, "PageAmount", str(oi.page_amount))
    appendixes = _sub(other, "Appendixes")
    for appendix in oi.appendixes:
        _sub(appendixes, "Appendix", appendix)
    for item in message.response_for:
        _response_for(mh, item)
    _sub(mh, "SteeringType", str(message.steering_type))
    _sub(mh, "DocumentId", message.document_id)

    traces = _sub(header, "TraceHeaderList")
    for trace in message.trace_headers:
        node = _sub(traces, "TraceHeader")
        _sub(node, "OrganId", trace.organ_id)
        _sub(node, "Timestamp", _fmt_ts(trace.timestamp))
    business = _sub(traces, "Bussiness")
    _sub(business, "BussinessDocType", str(message.business.doc_type))
    _sub(business, "BussinessDocReason", message.business.reason)
    _staff(business, message.business.staff)

    body = _sub(root, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    manifest.set(_q("version"), "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for index, attachment in enumerate(attachments, start=1):
        cid = _content_id(index, attachment)
        ref = _sub(manifest, "Reference")
        ref.set(_q("href"), f"cid:{cid}")
        _sub(ref, "AttachmentName", attachment.name)
        _sub(ref, "Description", attachment.description)
        _sub(ref, "ContentType", attachment.content_type)
        node = _sub(encoded, "Attachment", base64.b64encode(attachment.data).decode("ascii"))
        node.set(_q("ContentId"), cid)
        node.set(_q("ContentType"), attachment.content_type)
        node.set(_q("Name"), attachment.name)
    return _serialize(root)


def build_status(status: StatusMessage) -> bytes:
    """Serialize a handling-status message sent back to the document's sender."""
    root, header = _envelope()
    node = _sub(header, "Status")
    _response_for(node, status.response_for)
    _organ(node, "From", status.from_org)
    _sub(node, "StatusCode", status.code.value)
    _sub(node, "Description", status.description or status.code.label)
    _sub(node, "Timestamp", _fmt_ts(status.timestamp))
    _staff(node, status.staff)
    return _serialize(root)


# --- parsing ------------------------------------------------------------------------------------

_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parse_xml(data: bytes) -> etree._Element:
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise EdxmlError("Gói edXML rỗng.")
    if len(data) > MAX_PACKAGE_BYTES:
        raise EdxmlError("Gói edXML vượt quá dung lượng cho phép.")
    head = data.lstrip(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<"):
        raise EdxmlError("Gói edXML không phải XML mã hóa UTF-8.")
    if _FORBIDDEN.search(data):
        raise EdxmlError("Gói edXML chứa khai báo DTD/ENTITY — bị từ chối vì lý do an toàn.")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=True,  # large base64 attachments; safe because DTDs are refused outright
        remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(bytes(data), parser)
    except etree.XMLSyntaxError as exc:
        raise EdxmlError(f"Gói edXML không đúng cú pháp XML: {exc.msg}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EdxmlError("Gói edXML chứa khai báo DTD/ENTITY — bị từ chối vì lý do an toàn.")
    if root.tag != _q("edXMLEnvelope"):
        raise EdxmlError("Tệp không phải gói edXML theo QCVN 102:2016 (sai phần tử gốc "
                         "hoặc không gian tên).")
    return root


def _find(parent: etree._Element, path: str, *, required: bool = True) -> etree._Element | None:
    node = parent.find("/".join(_q(p) for p in path.split("/")))
    if node is None and required:
        raise EdxmlError(f"Gói edXML thiếu phần tử bắt buộc {path}.")
    return node


def _text(parent: etree._Element, path: str, *, required: bool = True) -> str:
    node = _find(parent, path, required=required)
    return (node.text or "").strip() if node is not None else ""


def _int(parent: etree._Element, path: str, default: int = 0) -> int:
    raw = _text(parent, path, required=False)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise EdxmlError(f"Giá trị {path} trong gói edXML phải là số: {raw!r}.") from None


def _date(raw: str, what: str) -> date:
    for fmt in ("%Y/%m/%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise EdxmlError(f"Ngày {what} trong gói edXML không hợp lệ: {raw!r}.")


def _ts(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise EdxmlError(f"Thời điểm trong gói edXML không hợp lệ: {raw!r}.") from None
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def _read_organ(node: etree._Element) -> OrganInfo:
    return OrganInfo(
        organ_id=_text(node, "OrganId"), organ_name=_text(node, "OrganName"),
        organization_in_charge=_text(node, "OrganizationInCharge", required=False),
        organ_add=_text(node, "OrganAdd", required=False),
        email=_text(node, "Email", required=False),
        telephone=_text(node, "Telephone", required=False),
        fax=_text(node, "Fax", required=False), website=_text(node, "Website", required=False),
    )


def _read_staff(parent: etree._Element) -> StaffInfo:
    node = _find(parent, "StaffInfo", required=False)
    if node is None:
        return StaffInfo()
    return StaffInfo(*(_text(node, t, required=False)
                       for t in ("Department", "Staff", "Mobile", "Email")))


def _read_response_for(node: etree._Element) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(node, "OrganId"), code=_text(node, "Code"),
        promulgation_date=_date(_text(node, "PromulgationDate"), "ban hành"),
        document_id=_text(node, "DocumentId"),
    )


def parse_package(data: bytes) -> EdxmlPackage:
    """Read an edXML package; raise :class:`EdxmlError` for anything malformed or hostile."""
    root = _parse_xml(data)
    mh = _find(root, "edXMLHeader/MessageHeader")
    assert mh is not None
    from_node = _find(mh, "From")
    assert from_node is not None
    to_orgs = tuple(_read_organ(n) for n in mh.findall(_q("To")))
    if not to_orgs:
        raise EdxmlError("Gói edXML thiếu cơ quan nhận (To).")
    due = _text(mh, "DueDate", required=False)
    other = _find(mh, "OtherInfo", required=False)
    if other is not None:
        appendix_nodes = other.findall(f"{_q('Appendixes')}/{_q('Appendix')}")
        other_info = OtherInfo(
            priority=_int(other, "Priority"),
            sphere_of_promulgation=_text(other, "SphereOfPromulgation", required=False),
            typer_notation=_text(other, "TyperNotation", required=False),
            promulgation_amount=_int(other, "PromulgationAmount"),
            page_amount=_int(other, "PageAmount"),
            appendixes=tuple((n.text or "").strip() for n in appendix_nodes),
        )
    else:
        other_info = OtherInfo()
    traces_node = _find(root, "edXMLHeader/TraceHeaderList", required=False)
    traces: list[TraceHeader] = []
    business = Business()
    if traces_node is not None:
        for node in traces_node.findall(_q("TraceHeader")):
            traces.append(TraceHeader(_text(node, "OrganId"), _ts(_text(node, "Timestamp"))))
        bnode = _find(traces_node, "Bussiness", required=False)
        if bnode is not None:
            business = Business(_int(bnode, "BussinessDocType"),
                                _text(bnode, "BussinessDocReason", required=False),
                                _read_staff(bnode))
    message = EdxmlMessage(
        from_org=_read_organ(from_node),
        to_orgs=to_orgs,
        code_number=_text(mh, "Code/CodeNumber"),
        code_notation=_text(mh, "Code/CodeNotation"),
        place=_text(mh, "PromulgationInfo/Place", required=False),
        promulgation_date=_date(_text(mh, "PromulgationInfo/PromulgationDate"), "ban hành"),
        document_type=_int(mh, "DocumentType/Type"),
        type_name=_text(mh, "DocumentType/TypeName", required=False),
        subject=_text(mh, "Subject"),
        content=_text(mh, "Content", required=False),
        signer=SignerInfo(
            competence=_text(mh, "SignerInfo/Competence", required=False),
            position=_text(mh, "SignerInfo/Position", required=False),
            full_name=_text(mh, "SignerInfo/FullName", required=False),
        ),
        due_date=_date(due, "hạn xử lý") if due else None,
        to_places=tuple((n.text or "").strip()
                        for n in mh.findall(f"{_q('ToPlaces')}/{_q('Place')}")),
        other_info=other_info,
        response_for=tuple(_read_response_for(n) for n in mh.findall(_q("ResponseFor"))),
        steering_type=_int(mh, "SteeringType"),
        trace_headers=tuple(traces),
        business=business,
    )
    attachments = _read_attachments(root)
    declared = _text(mh, "DocumentId", required=False)
    return EdxmlPackage(message=message, attachments=attachments,
                        document_id=declared or message.document_id)


def _read_attachments(root: etree._Element) -> tuple[Attachment, ...]:
    payloads: dict[str, etree._Element] = {}
    encoded = _find(root, "AttachmentEncoded", required=False)
    if encoded is not None:
        for node in encoded.findall(_q("Attachment")):
            payloads[node.get(_q("ContentId"), "")] = node
    out: list[Attachment] = []
    manifest = _find(root, "edXMLBody/edXMLManifest", required=False)
    refs = manifest.findall(_q("Reference")) if manifest is not None else []
    for ref in refs:
        href = ref.get(_q("href"), "")
        if not href.startswith("cid:"):
            raise EdxmlError(f"Tham chiếu tệp đính kèm không hợp lệ: {href!r} (cần cid:…).")
        node = payloads.pop(href[4:], None)
        name = _text(ref, "AttachmentName")
        if node is None:
            raise EdxmlError(f"Gói edXML thiếu nội dung tệp đính kèm {name!r}.")
        try:
            data = base64.b64decode("".join((node.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise EdxmlError(f"Tệp đính kèm {name!r} không đúng mã base64.") from None
        out.append(Attachment(name=name, content_type=_text(ref, "ContentType"), data=data,
                              description=_text(ref, "Description", required=False)))
    if payloads:
        raise EdxmlError("Gói edXML có tệp đính kèm không được khai báo trong edXMLManifest.")
    return tuple(out)


def parse_status(data: bytes) -> StatusMessage:
    """Read a status message; raise :class:`EdxmlError` for anything malformed or hostile."""
    root = _parse_xml(data)
    node = _find(root, "edXMLHeader/Status")
    assert node is not None
    rf = _find(node, "ResponseFor")
    org = _find(node, "From")
    assert rf is not None and org is not None
    raw_code = _text(node, "StatusCode")
    try:
        code = StatusCode(raw_code)
    except ValueError:
        raise EdxmlError(f"Mã trạng thái edXML không được hỗ trợ: {raw_code!r}.") from None
    return StatusMessage(
        response_for=_read_response_for(rf), from_org=_read_organ(org), code=code,
        timestamp=_ts(_text(node, "Timestamp")),
        description=_text(node, "Description", required=False), staff=_read_staff(node),
    )
