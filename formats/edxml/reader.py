"""Reading edXML packages and status messages from other systems.

Hostile input by definition (see :mod:`formats.edxml.xmlsafe`: no DTD, no entities, no
network, bounded size); every problem is an :class:`EdxmlError` in Vietnamese. Tolerant of
what real senders produce: element order, prefixes, indentation, ``yyyy/MM/dd`` dates with or
without a time, zipped attachments (:mod:`formats.edxml.attachments`).
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from formats.edxml.attachments import read_attachments
from formats.edxml.model import (
    DATE_FORMAT,
    MAX_PACKAGE_BYTES,
    TIMESTAMP_FORMAT,
    VN_TZ,
    Business,
    BusinessDocumentInfo,
    EdxmlError,
    EdxmlMessage,
    EdxmlPackage,
    OrganInfo,
    OtherInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusCode,
    StatusMessage,
    TraceHeader,
)
from formats.edxml.xmlsafe import child, children, envelope_of, parse_xml, text

_DATE_FORMATS = (DATE_FORMAT, "%Y-%m-%d", TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S")
_TIMESTAMP_FORMATS = (TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S", DATE_FORMAT)


def _int(parent: etree._Element, path: str, default: int = 0) -> int:
    raw = text(parent, path, required=False)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise EdxmlError(f"Giá trị {path} trong gói edXML phải là số: {raw!r}.") from None


def _bool(parent: etree._Element, path: str) -> bool:
    return text(parent, path, required=False).lower() in ("true", "1")


def _date(raw: str, what: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise EdxmlError(f"Ngày {what} trong gói edXML không hợp lệ: {raw!r}.")


def parse_timestamp(raw: str) -> datetime:
    """``yyyy/MM/dd HH:mm:ss`` (Vietnamese local time unless a zone is given), also ISO 8601."""
    for fmt in _TIMESTAMP_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=VN_TZ)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise EdxmlError(f"Thời điểm trong gói edXML không hợp lệ: {raw!r}.") from None
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def _read_organ(node: etree._Element) -> OrganInfo:
    return OrganInfo(
        organ_id=text(node, "OrganId"), organ_name=text(node, "OrganName", required=False),
        organization_in_charge=text(node, "OrganizationInCharge", required=False),
        organ_add=text(node, "OrganAdd", required=False),
        email=text(node, "Email", required=False),
        telephone=text(node, "Telephone", required=False),
        fax=text(node, "Fax", required=False), website=text(node, "Website", required=False),
    )


def _read_staff(parent: etree._Element) -> StaffInfo:
    node = child(parent, "StaffInfo", required=False)
    if node is None:
        return StaffInfo()
    return StaffInfo(*(text(node, t, required=False) for t in (
        "Department", "Staff", "Mobile", "Email", "StaffId", "DepartmentId")))


def _read_response_for(node: etree._Element) -> ResponseFor:
    raw_date = text(node, "PromulgationDate", required=False)
    document_key = text(node, "DocumentId", required=False)
    if not raw_date and document_key.count(",") >= 2:  # the key carries the date
        raw_date = document_key.split(",")[1].strip()
    return ResponseFor(
        organ_id=text(node, "OrganId"), code=text(node, "Code", required=False),
        promulgation_date=_date(raw_date, "ban hành"), document_id=document_key,
    )


def _items(parent: etree._Element, holder: str, name: str) -> list[etree._Element]:
    """The ``name`` elements inside ``parent``'s ``holder`` list(s)."""
    return [item for box in children(parent, holder) for item in children(box, name)]


def _read_business(node: etree._Element) -> Business:
    info_node = child(node, "BussinessDocumentInfo", required=False)
    info = None
    if info_node is not None:
        receivers = tuple(Receiver(text(r, "OrganId"), _int(r, "ReceiverType"))
                          for r in _items(info_node, "ReceiverList", "Receiver"))
        info = BusinessDocumentInfo(_int(info_node, "DocumentInfo"),
                                    _int(info_node, "DocumentReceiver"), receivers)
    replacements = tuple(
        ReplacementInfo(text(item, "DocumentId"), tuple(
            (o.text or "").strip() for o in _items(item, "OrganIdList", "OrganId")))
        for item in _items(node, "ReplacementInfoList", "ReplacementInfo"))
    return Business(
        doc_type=_int(node, "BussinessDocType"),
        reason=text(node, "BussinessDocReason", required=False),
        staff=_read_staff(node), document_id=text(node, "DocumentId", required=False),
        paper=_int(node, "Paper"), document_info=info, replacements=replacements)


def _read_other(mh: etree._Element) -> OtherInfo:
    other = child(mh, "OtherInfo", required=False)
    if other is None:
        return OtherInfo()
    appendixes = child(other, "Appendixes", required=False)
    return OtherInfo(
        priority=_int(other, "Priority"),
        sphere_of_promulgation=text(other, "SphereOfPromulgation", required=False),
        typer_notation=text(other, "TyperNotation", required=False),
        promulgation_amount=_int(other, "PromulgationAmount"),
        page_amount=_int(other, "PageAmount"),
        appendixes=tuple((n.text or "").strip() for n in children(appendixes, "Appendix"))
        if appendixes is not None else (),
        direction=_bool(other, "Direction"),
    )


def _read_traces(header: etree._Element) -> tuple[tuple[TraceHeader, ...], Business]:
    traces_node = child(header, "TraceHeaderList", required=False)
    if traces_node is None:
        return (), Business()
    traces = tuple(TraceHeader(text(n, "OrganId", required=False),
                               parse_timestamp(text(n, "Timestamp")))
                   for n in children(traces_node, "TraceHeader"))
    business_node = child(traces_node, "Bussiness", required=False)
    business = _read_business(business_node) if business_node is not None else Business()
    return traces, business


def _header(data: bytes, max_bytes: int) -> tuple[etree._Element, etree._Element,
                                                  etree._Element]:
    root = parse_xml(data, max_bytes=max_bytes)
    envelope = envelope_of(root)
    header = child(envelope, "edXMLHeader")
    assert header is not None
    return root, envelope, header


def _read_message(header: etree._Element, mh: etree._Element) -> EdxmlMessage:
    from_node = child(mh, "From")
    assert from_node is not None
    to_orgs = tuple(_read_organ(n) for n in children(mh, "To"))
    if not to_orgs:
        raise EdxmlError("Gói edXML thiếu cơ quan nhận (To).")
    due = text(mh, "DueDate", required=False)
    places = child(mh, "ToPlaces", required=False)
    traces, business = _read_traces(header)
    return EdxmlMessage(
        from_org=_read_organ(from_node),
        to_orgs=to_orgs,
        code_number=text(mh, "Code/CodeNumber"),
        code_notation=text(mh, "Code/CodeNotation"),
        place=text(mh, "PromulgationInfo/Place", required=False),
        promulgation_date=_date(text(mh, "PromulgationInfo/PromulgationDate"), "ban hành"),
        document_type=_int(mh, "DocumentType/Type"),
        type_detail=_int(mh, "DocumentType/TypeDetail"),
        type_name=text(mh, "DocumentType/TypeName", required=False),
        subject=text(mh, "Subject"),
        content=text(mh, "Content", required=False),
        signer=SignerInfo(
            competence=text(mh, "SignerInfo/Competence", required=False),
            position=text(mh, "SignerInfo/Position", required=False),
            full_name=text(mh, "SignerInfo/FullName", required=False),
        ),
        due_date=_date(due, "hạn xử lý") if due else None,
        to_places=tuple((n.text or "").strip() for n in children(places, "Place"))
        if places is not None else (),
        other_info=_read_other(mh),
        response_for=tuple(_read_response_for(n) for n in children(mh, "ResponseFor")
                           if "".join(n.itertext()).strip()),  # senders leave empty ones
        steering_type=_int(mh, "SteeringType"),
        trace_headers=traces,
        business=business,
    )


def _package(root: etree._Element, envelope: etree._Element,
             header: etree._Element) -> EdxmlPackage:
    mh = child(header, "MessageHeader")
    assert mh is not None
    if child(mh, "StatusCode", required=False) is not None:
        raise EdxmlError("Tệp là thông điệp trạng thái edXML, không phải gói văn bản.")
    message = _read_message(header, mh)
    declared = text(mh, "DocumentId", required=False)
    return EdxmlPackage(message=message, attachments=read_attachments(root, envelope),
                        document_id=declared or message.document_id)


def _status(header: etree._Element) -> StatusMessage:
    node = child(header, "MessageHeader", required=False)
    if node is None:  # this application wrote ``Status`` before following the samples
        node = child(header, "Status", required=False)
    if node is None:
        raise EdxmlError("Gói edXML thiếu phần tử bắt buộc MessageHeader.")
    raw_code = text(node, "StatusCode")
    try:
        code = StatusCode(raw_code.zfill(2))
    except ValueError:
        raise EdxmlError(f"Mã trạng thái edXML không được hỗ trợ: {raw_code!r}.") from None
    rf = child(node, "ResponseFor")
    org = child(node, "From")
    assert rf is not None and org is not None
    return StatusMessage(
        response_for=_read_response_for(rf), from_org=_read_organ(org), code=code,
        timestamp=parse_timestamp(text(node, "Timestamp")),
        description=text(node, "Description", required=False), staff=_read_staff(node),
    )


def parse_package(data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES) -> EdxmlPackage:
    """Read an edXML package; raise :class:`EdxmlError` for anything malformed or hostile.
    The signature, if any, is not checked here: see :func:`formats.edxml.verify_package`."""
    return _package(*_header(data, max_bytes))


def parse_status(data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES) -> StatusMessage:
    """Read a status message; raise :class:`EdxmlError` for anything malformed or hostile."""
    return _status(_header(data, max_bytes)[2])


def parse_message(data: bytes, *,
                  max_bytes: int = MAX_PACKAGE_BYTES) -> EdxmlPackage | StatusMessage:
    """A package or a status message, whichever ``data`` is (both travel on the same axis)."""
    root, envelope, header = _header(data, max_bytes)
    mh = child(header, "MessageHeader", required=False)
    if mh is None or child(mh, "StatusCode", required=False) is not None:
        return _status(header)
    return _package(root, envelope, header)
