"""What the manual channel keeps of the business messages an unconnected agency is owed after
the first package (revoke, update, replace): one row per message and recipient once the clerk
has downloaded it, pointing at the signed bytes handed over (so a second download is the same
file, and the record shows what the agency was given); and the updates of an issued document,
one record per update whichever channel carries it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow


class ManualMessage(db.Model):  # type: ignore[name-defined]
    """A business message (edXML type 1, 2 or 3) downloaded for one manual recipient.

    ``key`` is the key an electronic recipient's outbox row has for the same message
    (``recipients.package_dispatch_key``): one message is one key, whichever way it travels.
    """

    __tablename__ = "exchange_manual_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("exchange_recipients.id"), index=True)
    business_type: Mapped[int] = mapped_column(SmallInteger)
    # The document the package is of: the recipient's own, or its replacement (type 3).
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("document_edxml_records.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    downloaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # the last
    downloaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DocumentUpdate(db.Model):  # type: ignore[name-defined]
    """One update of an issued document's metadata (edXML type 2), whoever it reaches: the
    outbox queues it to each electronic recipient, and each manual recipient is owed it
    (``manual.owed_to``). A document reached only by hand has its updates here too.

    ``number`` is the update's number in every message key of it (``:<number>``); numbers
    only grow, so no key is ever reused (updates sent before this table existed keep the
    numbers the outbox gave them)."""

    __tablename__ = "exchange_document_updates"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
