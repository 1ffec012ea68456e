"""What a hub keeps: the systems (other installations) it serves, the organisations each one
answers for, and every message until each of its recipients has acknowledged it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow


class HubSystem(db.Model):  # type: ignore[name-defined]
    """One installation allowed to use this hub, known by its system id.

    Its secret is kept encrypted at rest (``sealed_secrets``, under the PKI's passphrase), not
    as a hash: the axis's wire signs each request with an HMAC under the secret, which the hub
    must recompute. A copy of the database alone still gives no secret away. A system whose
    secret was kept only as a hash (before the signed wire) has none until it is rotated.
    """

    __tablename__ = "hub_systems"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organs: Mapped[list[HubOrgan]] = relationship(back_populates="system",
                                                  order_by="HubOrgan.organ_id")


class HubOrgan(db.Model):  # type: ignore[name-defined]
    """An organisation (edXML OrganId) and the one system that sends and receives for it."""

    __tablename__ = "hub_organs"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_pk: Mapped[int] = mapped_column(ForeignKey("hub_systems.id"), index=True)
    organ_id: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")

    system: Mapped[HubSystem] = relationship(back_populates="organs")


class HubMessage(db.Model):  # type: ignore[name-defined]
    """One message as a system sent it. ``(sender_pk, sender_key)`` is unique: a retried send
    finds the message already kept and never makes a second one."""

    __tablename__ = "hub_messages"
    __table_args__ = (UniqueConstraint("sender_pk", "sender_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(32), unique=True)
    sender_pk: Mapped[int] = mapped_column(ForeignKey("hub_systems.id"))
    sender_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    from_organ_id: Mapped[str] = mapped_column(String(13))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HubDelivery(db.Model):  # type: ignore[name-defined]
    """One recipient's copy of a message: listed to the system serving ``to_organ_id`` until
    that system acknowledges it (``done``) or refuses it (``fail``, with the reason the sender
    reads)."""

    __tablename__ = "hub_deliveries"
    __table_args__ = (
        UniqueConstraint("message_pk", "to_organ_id"),
        Index("ix_hub_deliveries_waiting", "to_organ_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(32), unique=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("hub_messages.id"), index=True)
    to_organ_id: Mapped[str] = mapped_column(String(13))
    #: "pending" until acknowledged; then "done" (taken) or "fail" (refused, see description).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    description: Mapped[str] = mapped_column(Text(), default="")
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    message: Mapped[HubMessage] = relationship()
