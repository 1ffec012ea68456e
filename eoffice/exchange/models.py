"""What the exchange keeps: who an outgoing document goes to (by edXML OrganId), every message
leaving this installation's organisations (the outbox) and every message taken in (so that
nothing is registered twice).

Recipients are keyed by OrganId, not by a row of our organisations table: the same picker
offers organisations of this installation and outside ones, and routing (local delivery or the
national axis) is decided when a message leaves, not when the recipient is chosen.

An outgoing document has one list of recipients outside the organisation. Each says how it is
reached (``channel``): electronically through the exchange, or, for an agency the exchange
cannot reach, by an edXML file the clerk downloads and hands over himself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow


class DispatchState:
    """Where one outgoing message stands (shown per recipient on the sender's page)."""

    QUEUED = "queued"
    SENT = "sent"  # handed to the national axis; "delivered" once the recipient says 01
    DELIVERED = "delivered"
    FAILED = "failed"


DISPATCH_STATE_LABELS = {
    DispatchState.QUEUED: "Đang chờ gửi",
    DispatchState.SENT: "Đã gửi lên trục",
    DispatchState.DELIVERED: "Đã đến nơi nhận",
    DispatchState.FAILED: "Gửi không thành công",
}

#: edXML business types (``Bussiness/BussinessDocType``).
class Channel:
    """How a recipient is reached."""

    EXCHANGE = "exchange"  # sent by the outbox: inside the installation or over the axis
    MANUAL = "manual"  # not connected: the clerk downloads the edXML package and sends it


#: What the recipients table says of a manual recipient instead of a dispatch state.
MANUAL_LABEL = "Chưa kết nối liên thông — gửi tệp edXML thủ công"

BUSINESS_NEW, BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3
BUSINESS_LABELS = {BUSINESS_NEW: "Gửi mới", BUSINESS_REVOKE: "Thu hồi",
                   BUSINESS_UPDATE: "Cập nhật", BUSINESS_REPLACE: "Thay thế"}


class ExchangeRecipient(db.Model):  # type: ignore[name-defined]
    """An organisation outside ours an outgoing document goes to, with the latest handling
    status it reported back (01 arrived … 06 completed, 02 returned): by a status message over
    the exchange, or by a status file the clerk uploads for a manual recipient."""

    __tablename__ = "exchange_recipients"
    __table_args__ = (UniqueConstraint("document_id", "organ_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    organ_id: Mapped[str] = mapped_column(String(13))
    organ_name: Mapped[str] = mapped_column(String(255))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_code: Mapped[str] = mapped_column(String(2), default="")
    status_description: Mapped[str] = mapped_column(String(500), default="")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_by: Mapped[str] = mapped_column(String(255), default="")  # StaffInfo of the reporter
    channel: Mapped[str] = mapped_column(String(10), default=Channel.EXCHANGE,
                                         server_default=text("'exchange'"))
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # manual: last download

    @property
    def manual(self) -> bool:
        return self.channel == Channel.MANUAL

    added_by: Mapped[User] = relationship()


class ExchangeDispatch(db.Model):  # type: ignore[name-defined]
    """One message leaving one of our organisations for one organisation (the outbox row).

    ``key`` is the idempotency key of the message and of the job that sends it: asking again
    finds this row, and the receiving side registers a key once.
    """

    __tablename__ = "exchange_dispatches"
    __table_args__ = (Index("ix_exchange_dispatches_doc", "document_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # ports.MessageKind: package / status
    business_type: Mapped[int] = mapped_column(SmallInteger, default=BUSINESS_NEW)
    status_code: Mapped[str] = mapped_column(String(2), default="")  # status messages
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_recipients.id"))
    from_organ_id: Mapped[str] = mapped_column(String(13))
    to_organ_id: Mapped[str] = mapped_column(String(13))
    # The edXML DocumentId of the package (or, for a status, of the document reported on).
    document_key: Mapped[str] = mapped_column(String(300), default="")
    route: Mapped[str] = mapped_column(String(10), default="")  # local / remote
    state: Mapped[str] = mapped_column(String(10), default=DispatchState.QUEUED)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    transport_id: Mapped[str] = mapped_column(String(200), default="")
    object_key: Mapped[str] = mapped_column(String(64), default="")  # the edXML bytes sent
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recipient: Mapped[ExchangeRecipient | None] = relationship()


class ExchangeInbound(db.Model):  # type: ignore[name-defined]
    """A message one of our organisations took in. Two unique keys make a message and a
    package count once: the transport's message id, and the package's own identity (its
    DocumentId and business type), whatever id a transport gave it."""

    __tablename__ = "exchange_inbound"
    __table_args__ = (
        UniqueConstraint("organisation_id", "message_id"),
        UniqueConstraint("organisation_id", "identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    message_id: Mapped[str] = mapped_column(String(200))
    identity: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(10))
    business_type: Mapped[int] = mapped_column(SmallInteger, default=BUSINESS_NEW)
    from_organ_id: Mapped[str] = mapped_column(String(13))
    document_key: Mapped[str] = mapped_column(String(300), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # What was checked on arrival (the package's and the PDF's signatures), in Vietnamese.
    note: Mapped[str] = mapped_column(String(1000), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
