"""Reading edXML packages and status messages from other systems: hostile input by
definition (no DTD, no entities, no network), every problem an ``EdxmlError`` in Vietnamese."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime

from lxml import etree

from formats.edxml.model import (
    MAX_PACKAGE_BYTES,
    VN_TZ,
    Attachment,
    Business,
    EdxmlError,
    EdxmlMessage,
    EdxmlPackage,
    OrganInfo,
    OtherInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
    qualified,
)

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
    if root.tag != qualified("edXMLEnvelope"):
        raise EdxmlError("Tệp không phải gói edXML theo QCVN 102:2016 (sai phần tử gốc "
                         "hoặc không gian tên).")
    return root


def _find(parent: etree._Element, path: str, *, required: bool = True) -> etree._Element | None:
    node = parent.find("/".join(qualified(p) for p in path.split("/")))
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
    to_orgs = tuple(_read_organ(n) for n in mh.findall(qualified("To")))
    if not to_orgs:
        raise EdxmlError("Gói edXML thiếu cơ quan nhận (To).")
    due = _text(mh, "DueDate", required=False)
    other = _find(mh, "OtherInfo", required=False)
    if other is not None:
        appendix_nodes = other.findall(f"{qualified('Appendixes')}/{qualified('Appendix')}")
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
        for node in traces_node.findall(qualified("TraceHeader")):
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
                        for n in mh.findall(f"{qualified('ToPlaces')}/{qualified('Place')}")),
        other_info=other_info,
        response_for=tuple(_read_response_for(n) for n in mh.findall(qualified("ResponseFor"))),
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
        for node in encoded.findall(qualified("Attachment")):
            payloads[node.get(qualified("ContentId"), "")] = node
    out: list[Attachment] = []
    manifest = _find(root, "edXMLBody/edXMLManifest", required=False)
    refs = manifest.findall(qualified("Reference")) if manifest is not None else []
    for ref in refs:
        href = ref.get(qualified("href"), "")
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
