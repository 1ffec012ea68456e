"""Writing edXML packages and status messages (secret documents are refused)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime

from lxml import etree

from formats.edxml.model import (
    _P,
    NS,
    VN_TZ,
    Attachment,
    EdxmlError,
    EdxmlMessage,
    OrganInfo,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    qualified,
)

# --- building ---------------------------------------------------------------------------------

def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, qualified(tag))
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
    root = etree.Element(qualified("edXMLEnvelope"), nsmap={_P: NS})
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
    manifest.set(qualified("version"), "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for index, attachment in enumerate(attachments, start=1):
        cid = _content_id(index, attachment)
        ref = _sub(manifest, "Reference")
        ref.set(qualified("href"), f"cid:{cid}")
        _sub(ref, "AttachmentName", attachment.name)
        _sub(ref, "Description", attachment.description)
        _sub(ref, "ContentType", attachment.content_type)
        node = _sub(encoded, "Attachment", base64.b64encode(attachment.data).decode("ascii"))
        node.set(qualified("ContentId"), cid)
        node.set(qualified("ContentType"), attachment.content_type)
        node.set(qualified("Name"), attachment.name)
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
