"""edXML (QCVN 102:2016/BTTTT): the message, its parts, status codes and errors."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
_P = "edXML"
VN_TZ = timezone(timedelta(hours=7))
MAX_PACKAGE_BYTES = 200 * 1024 * 1024
FILE_EXTENSION = ".edxml"
"""What the official library (EdXML102) names its files; the national axis expects it too."""
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"
"""QCVN 102 writes times as ``yyyy/MM/dd HH:mm:ss`` without a zone: Vietnamese local time."""


class EdxmlError(Exception):
    """An edXML package cannot be built or read; ``str(error)`` is Vietnamese for users."""


class EdxmlSignatureError(EdxmlError):
    """A package carries a signature that does not verify (tampered, wrong key, unreadable)."""


class BusinessType(enum.IntEnum):
    """``BussinessDocType``: what a package does to the document it names."""

    NEW = 0
    REVOKE = 1
    UPDATE = 2
    REPLACE = 3


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
    """Who signed the document: ``competence`` is the authority line, e.g. "KT. CHỦ TỊCH"."""

    competence: str
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
    direction: bool = False
    """``Direction``: the document is a directive (văn bản chỉ đạo) the receiver must follow."""


@dataclass(frozen=True)
class ResponseFor:
    """The earlier document this one answers (or, in a status, the document reported on)."""

    organ_id: str
    code: str  # "15/QĐ-UBND"
    promulgation_date: date
    document_id: str


@dataclass(frozen=True)
class StaffInfo:
    """The clerk or officer who acted (sent the package, reported the status)."""

    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""
    staff_id: str = ""
    department_id: str = ""


@dataclass(frozen=True)
class TraceHeader:
    """One hop of the package: the organisation that handled it and when."""

    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class Receiver:
    """A recipient touched by an update: ``receiver_type`` as the sender wrote it (the
    samples use 0 and 1 for a recipient kept and a recipient added)."""

    organ_id: str
    receiver_type: int = 0


@dataclass(frozen=True)
class BusinessDocumentInfo:
    """What an update (business type 2) changes: the document's information (``document_info``
    1) and/or its list of recipients (``document_receiver`` 1, listed in ``receivers``)."""

    document_info: int = 0
    document_receiver: int = 0
    receivers: tuple[Receiver, ...] = ()


@dataclass(frozen=True)
class ReplacementInfo:
    """A document that a replacement (business type 3) supersedes, and at which recipients."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business:
    """``doc_type`` (:class:`BusinessType`): 0 new, 1 revoke, 2 update, 3 replace — the
    "Bussiness" element, sic. ``paper`` is 1 when a paper copy also travels."""

    doc_type: int = 0
    reason: str = ""
    staff: StaffInfo = field(default_factory=StaffInfo)
    document_id: str = ""
    paper: int = 0
    document_info: BusinessDocumentInfo | None = None
    replacements: tuple[ReplacementInfo, ...] = ()


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
    type_detail: int = 0
    """``DocumentType/TypeDetail``: the detailed type code beside ``document_type``."""

    @property
    def document_id(self) -> str:
        return document_id(self.from_org.organ_id, self.promulgation_date, self.code_number,
                           self.code_notation)


@dataclass(frozen=True)
class Attachment:
    """One file of a package, decoded (and unzipped when the sender zipped it)."""

    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class EdxmlPackage:
    """A package as read: ``document_id`` is the one the sender declared (or computed)."""

    message: EdxmlMessage
    attachments: tuple[Attachment, ...]
    document_id: str


@dataclass(frozen=True)
class StatusMessage:
    """A handling status about ``response_for``, reported by ``from_org``."""

    response_for: ResponseFor
    from_org: OrganInfo
    code: StatusCode
    timestamp: datetime
    description: str = ""
    staff: StaffInfo = field(default_factory=StaffInfo)


def document_id(organ_id: str, promulgated: date, number: str, notation: str) -> str:
    """``OrganId,YYYY/MM/DD,Number/Notation`` — how the exchange names a document."""
    return f"{organ_id},{promulgated:%Y/%m/%d},{number}/{notation}"


def package_filename(document_key: str) -> str:
    """A safe ``.edxml`` file name for a package or status about ``document_key``."""
    plain = unicodedata.normalize("NFKD", document_key.replace("Đ", "D").replace("đ", "d"))
    safe = "".join(c if c.isascii() and (c.isalnum() or c in ".-") else "-"
                   for c in plain if not unicodedata.combining(c))
    stem = "-".join(part for part in safe.split("-") if part).lstrip(".-")
    return (stem or "edxml") + FILE_EXTENSION


def qualified(tag: str) -> str:
    """An element name in the edXML namespace."""
    return f"{{{NS}}}{tag}"
