"""edXML (QCVN 102:2016/BTTTT): the message, its parts, status codes and errors."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

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


def qualified(tag: str) -> str:
    """An element name in the edXML namespace."""
    return f"{{{NS}}}{tag}"
