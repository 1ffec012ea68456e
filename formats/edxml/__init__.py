"""edXML packages (QCVN 102:2016/BTTTT) for the inter-agency document exchange.

One package is one ``.edxml`` file, laid out as the official library (EdXML102, from the
national axis SDK) writes and reads it::

    edXML                     root, default namespace http://www.mic.gov.vn/TBT/QCVN_102_2016
      edXML:edXMLEnvelope
        edXMLHeader   MessageHeader, TraceHeaderList (TraceHeader…, Bussiness), Signature
        edXMLBody     edXMLManifest with one Reference (ContentId, ContentType, …) per file
      AttachmentEncoded       Attachment (ContentId, AttachmentName, Description,
                              ContentType, ContentTransferEncoded = base64), one per file

Status messages (01 arrived … 06 completed, 13/15/16 take-back) are envelopes whose
``MessageHeader`` holds From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp.
Business types 0 new, 1 revoke, 2 update, 3 replace travel in ``Bussiness``.

The input side is hostile by definition — packages come from other systems over the network —
so parsing refuses any DTD (the root of XXE and "billion laughs" attacks) before and after
lxml sees the bytes, never touches the network, never expands entities, bounds sizes (zip
bombs included), and turns every structural problem into :class:`EdxmlError` with a
Vietnamese message. Secret documents (độ mật) never travel: :func:`build_package` refuses them.
:func:`sign_package` / :func:`verify_package` put and check the organisation's XML signature.
"""

from formats.edxml.model import (
    FILE_EXTENSION,
    MAX_PACKAGE_BYTES,
    NS,
    Attachment,
    Business,
    BusinessDocumentInfo,
    BusinessType,
    EdxmlError,
    EdxmlMessage,
    EdxmlPackage,
    EdxmlSignatureError,
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
    document_id,
    package_filename,
)
from formats.edxml.reader import parse_message, parse_package, parse_status
from formats.edxml.signature import (
    EdxmlUnverifiableSignature,
    SignerIdentity,
    sign_package,
    verify_package,
)
from formats.edxml.writer import build_package, build_status

__all__ = [
    "FILE_EXTENSION",
    "MAX_PACKAGE_BYTES",
    "NS",
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "BusinessType",
    "EdxmlError",
    "EdxmlMessage",
    "EdxmlPackage",
    "EdxmlSignatureError",
    "EdxmlUnverifiableSignature",
    "OrganInfo",
    "OtherInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerIdentity",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusMessage",
    "TraceHeader",
    "build_package",
    "build_status",
    "document_id",
    "package_filename",
    "parse_message",
    "parse_package",
    "parse_status",
    "sign_package",
    "verify_package",
]
