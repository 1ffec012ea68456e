"""Writing edXML packages and status messages as the official library (EdXML102) writes them.

The layout follows what that library produces and what the national axis carries::

    <edXML xmlns="…QCVN_102_2016">                      root, default namespace
      <edXML:edXMLEnvelope xmlns:edXML="…QCVN_102_2016">
        <edXML:edXMLHeader>  MessageHeader, TraceHeaderList (, Signature once signed)
        <edXML:edXMLBody>    edXMLManifest with one Reference per attachment
      <AttachmentEncoded>   one Attachment per file: ContentId, AttachmentName, Description,
                            ContentType, edXML:ContentTransferEncoded (base64, one line)

Element order inside each part is the samples' order; dates are ``yyyy/MM/dd`` and times
``yyyy/MM/dd HH:mm:ss`` in Vietnamese local time. Secret documents are refused.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime

from lxml import etree

from formats.edxml.model import (
    _P,
    DATE_FORMAT,
    NS,
    TIMESTAMP_FORMAT,
    VN_TZ,
    Attachment,
    Business,
    EdxmlError,
    EdxmlMessage,
    OrganInfo,
    ResponseFor,
    StaffInfo,
    StatusMessage,
    qualified,
)

# Characters XML 1.0 cannot carry (pasted from office documents now and then): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, qualified(tag))
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _fmt_date(value: date | None) -> str:
    return value.strftime(DATE_FORMAT) if value else ""


def format_timestamp(value: datetime) -> str:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnamese local time (the zone QCVN 102 leaves implicit)."""
    if value.tzinfo is None:
        raise EdxmlError("Thời điểm trong gói edXML phải kèm múi giờ.")
    return value.astimezone(VN_TZ).strftime(TIMESTAMP_FORMAT)


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
    if staff.department_id:
        _sub(node, "DepartmentId", staff.department_id)
    _sub(node, "Department", staff.department)
    if staff.staff_id:
        _sub(node, "StaffId", staff.staff_id)
    _sub(node, "Staff", staff.staff)
    _sub(node, "Email", staff.email)
    _sub(node, "Mobile", staff.mobile)


def _response_for(parent: etree._Element, item: ResponseFor) -> None:
    node = _sub(parent, "ResponseFor")
    _sub(node, "OrganId", item.organ_id)
    _sub(node, "Code", item.code)
    _sub(node, "DocumentId", item.document_id)
    _sub(node, "PromulgationDate", _fmt_date(item.promulgation_date))


def _envelope() -> tuple[etree._Element, etree._Element, etree._Element]:
    """The ``edXML`` root, its ``edXMLEnvelope`` and the envelope's ``edXMLHeader``."""
    root = etree.Element(qualified("edXML"), nsmap={None: NS})
    envelope = etree.SubElement(root, qualified("edXMLEnvelope"), nsmap={_P: NS})
    return root, envelope, _sub(envelope, "edXMLHeader")


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _serialize(root: etree._Element) -> bytes:
    etree.indent(root, space="  ")
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _message_header(header: etree._Element, message: EdxmlMessage) -> None:
    mh = _sub(header, "MessageHeader")
    _organ(mh, "From", message.from_org)
    for org in message.to_orgs:
        _organ(mh, "To", org)
    _sub(mh, "DocumentId", message.document_id)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", message.code_number)
    _sub(code, "CodeNotation", message.code_notation)
    prom = _sub(mh, "PromulgationInfo")
    _sub(prom, "Place", message.place)
    _sub(prom, "PromulgationDate", _fmt_date(message.promulgation_date))
    dtype = _sub(mh, "DocumentType")
    _sub(dtype, "Type", str(message.document_type))
    _sub(dtype, "TypeDetail", str(message.type_detail))
    _sub(dtype, "TypeName", message.type_name)
    _sub(mh, "Subject", message.subject)
    _sub(mh, "Content", message.content)
    signer = _sub(mh, "SignerInfo")
    _sub(signer, "Competence", message.signer.competence)
    _sub(signer, "Position", message.signer.position)
    _sub(signer, "FullName", message.signer.full_name)
    if message.due_date is not None:  # the library cannot read an empty date
        _sub(mh, "DueDate", _fmt_date(message.due_date))
    other = _sub(mh, "OtherInfo")
    oi = message.other_info
    _sub(other, "Priority", str(oi.priority))
    _sub(other, "SphereOfPromulgation", oi.sphere_of_promulgation)
    _sub(other, "TyperNotation", oi.typer_notation)
    _sub(other, "PromulgationAmount", str(oi.promulgation_amount))
    _sub(other, "PageAmount", str(oi.page_amount))
    _sub(other, "Direction", "true" if oi.direction else "false")
    appendixes = _sub(other, "Appendixes")
    for appendix in oi.appendixes:
        _sub(appendixes, "Appendix", appendix)
    for item in message.response_for:
        _response_for(mh, item)
    _sub(mh, "SteeringType", str(message.steering_type))
    places = _sub(mh, "ToPlaces")
    for place in message.to_places:
        _sub(places, "Place", place)


def _business(parent: etree._Element, business: Business) -> None:
    node = _sub(parent, "Bussiness")  # sic, as in QCVN 102 and the library
    if business.document_id:
        _sub(node, "DocumentId", business.document_id)
    _sub(node, "BussinessDocType", str(int(business.doc_type)))
    _sub(node, "BussinessDocReason", business.reason)
    _sub(node, "Paper", str(business.paper))
    info = business.document_info
    if info is not None:
        info_node = _sub(node, "BussinessDocumentInfo")
        _sub(info_node, "DocumentInfo", str(info.document_info))
        _sub(info_node, "DocumentReceiver", str(info.document_receiver))
        receivers = _sub(info_node, "ReceiverList")
        for receiver in info.receivers:
            item = _sub(receivers, "Receiver")
            _sub(item, "OrganId", receiver.organ_id)
            _sub(item, "ReceiverType", str(receiver.receiver_type))
    if business.replacements:
        replacements = _sub(node, "ReplacementInfoList")
        for replaced in business.replacements:
            item = _sub(replacements, "ReplacementInfo")
            _sub(item, "DocumentId", replaced.document_id)
            organs = _sub(item, "OrganIdList")
            for organ_id in replaced.organ_ids:
                _sub(organs, "OrganId", organ_id)
    if business.staff != StaffInfo():  # read back as "no staff" either way
        _staff(node, business.staff)


def _content_id(index: int) -> str:
    return f"cid:{index}"


def build_package(message: EdxmlMessage, attachments: list[Attachment]) -> bytes:
    """Serialize a document and its files into one edXML package (UTF-8 bytes), unsigned:
    :func:`formats.edxml.signature.sign_package` adds the organisation's signature."""
    if message.secrecy:
        raise EdxmlError(
            f"Văn bản có độ mật ({message.secrecy}) không được gửi qua trục liên thông edXML."
        )
    if not message.to_orgs:
        raise EdxmlError("Gói edXML phải có ít nhất một cơ quan nhận.")
    root, envelope, header = _envelope()
    _message_header(header, message)
    traces = _sub(header, "TraceHeaderList")
    for trace in message.trace_headers:
        node = _sub(traces, "TraceHeader")
        _sub(node, "OrganId", trace.organ_id)
        _sub(node, "Timestamp", format_timestamp(trace.timestamp))
    _business(traces, message.business)

    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = etree.SubElement(root, qualified("AttachmentEncoded"))
    for index, attachment in enumerate(attachments, start=1):
        cid = _content_id(index)
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", cid)
        _sub(ref, "ContentType", attachment.content_type)
        _sub(ref, "Description", attachment.description)
        _sub(ref, "AttachmentName", attachment.name)
        node = etree.SubElement(encoded, qualified("Attachment"))
        _sub(node, "ContentId", cid)
        _sub(node, "AttachmentName", attachment.name)
        _sub(node, "Description", attachment.description)
        _sub(node, "ContentType", attachment.content_type)
        payload = etree.SubElement(node, qualified("ContentTransferEncoded"), nsmap={_P: NS})
        payload.text = base64.b64encode(attachment.data).decode("ascii")
    return _serialize(root)


def build_status(status: StatusMessage) -> bytes:
    """Serialize a handling-status message sent back to the document's sender: a
    ``MessageHeader`` holding From, ResponseFor, StaffInfo, StatusCode, Description and
    Timestamp, as the official samples for codes 01–06, 13, 15 and 16."""
    root, _envelope_node, header = _envelope()
    node = _sub(header, "MessageHeader")
    _organ(node, "From", status.from_org)
    _response_for(node, status.response_for)
    _staff(node, status.staff)
    _sub(node, "StatusCode", status.code.value)
    _sub(node, "Description", status.description or status.code.label)
    _sub(node, "Timestamp", format_timestamp(status.timestamp))
    return _serialize(root)
