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

from formats.edxml.model import (
    MAX_PACKAGE_BYTES,
    NS,
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
    document_id,
)
from formats.edxml.reader import parse_package, parse_status
from formats.edxml.writer import build_package, build_status

__all__ = [
    "MAX_PACKAGE_BYTES",
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
