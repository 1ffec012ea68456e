"""A hub: the axis operations served to other installations (a province running its own
exchange). Each installation is a *system* with its own secret, answering for the
organisations registered to it; a message is kept until every recipient's system has
acknowledged it, and a retried send (same system, same key) never makes a second message.

Called by ``hub_views`` (HTTP) and the ``flask exchange hub-systems`` commands; every act is
in the audit trail, with the system that did it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eoffice.audit import record
from eoffice.errors import DomainError, Forbidden, InvalidInput, NotFound
from eoffice.exchange.axis import protocol
from eoffice.exchange.axis.models import HubDelivery, HubMessage, HubOrgan, HubSystem
from eoffice.extensions import db
from eoffice.signing_keys.sealed_secrets import SecretUnreadable, seal, unseal
from eoffice.timestamps import utcnow

ORGAN_ID = re.compile(r"^[0-9A-Za-z.]{1,13}$")
_UNKNOWN = secrets.token_hex(32)
SYSTEM_ID = re.compile(r"^[0-9A-Za-z._-]{1,64}$")


class Unauthorised(DomainError):
    """Unknown system, wrong secret or a revoked system: the same answer for all three."""

    status = 401


class UnknownRecipient(DomainError):
    """A recipient no system on this hub serves: the sender must not retry."""

    status = 422


@dataclass(frozen=True)
class Agency:
    """One organisation reachable through this hub."""

    organ_id: str
    name: str
    system_id: str


def register_system(system_id: str, name: str, organs: Sequence[tuple[str, str]]) -> str:
    """Register ``system_id`` serving ``organs`` (organ id, name); return its secret, which is
    kept only encrypted at rest. An organ already served by another system is refused."""
    if not SYSTEM_ID.match(system_id):
        raise InvalidInput("Mã hệ thống chỉ gồm chữ, số, dấu chấm, gạch ngang (tối đa 64 ký tự).")
    if db.session.execute(select(HubSystem.id).where(HubSystem.system_id == system_id)).first():
        raise InvalidInput(f"Hệ thống {system_id} đã được đăng ký.")
    secret = secrets.token_urlsafe(32)
    system = HubSystem(system_id=system_id, name=name or system_id, secret_sealed=seal(secret))
    db.session.add(system)
    db.session.flush()
    add_organs(system_id, organs, audit=False)
    record(None, "hub_system_registered", "hub_system", system.system_id, name=system.name,
           organs=[organ_id for organ_id, _ in organs])
    return secret


def add_organs(system_id: str, organs: Sequence[tuple[str, str]], *, audit: bool = True) -> None:
    """Let ``system_id`` send and receive for ``organs`` too."""
    system = _system(system_id)
    for organ_id, name in organs:
        if not ORGAN_ID.match(organ_id):
            raise InvalidInput(f"Mã định danh cơ quan không hợp lệ: {organ_id!r}.")
        holder = db.session.execute(
            select(HubOrgan).where(HubOrgan.organ_id == organ_id)).scalar_one_or_none()
        if holder is not None and holder.system_pk != system.id:
            raise InvalidInput(f"Cơ quan {organ_id} đã thuộc hệ thống {holder.system.system_id}.")
        if holder is None:
            db.session.add(HubOrgan(system_pk=system.id, organ_id=organ_id, name=name))
        elif name:
            holder.name = name
    db.session.flush()
    if audit:
        record(None, "hub_organs_added", "hub_system", system_id,
               organs=[organ_id for organ_id, _ in organs])


def rotate_secret(system_id: str) -> str:
    """A new secret for ``system_id`` (the old one stops working at once); return it."""
    system = _system(system_id)
    secret = secrets.token_urlsafe(32)
    system.secret_sealed = seal(secret)
    system.revoked_at = None
    record(None, "hub_system_secret_rotated", "hub_system", system_id)
    return secret


def revoke_system(system_id: str) -> None:
    """Refuse every further request of ``system_id`` (its waiting messages stay kept)."""
    system = _system(system_id)
    system.revoked_at = utcnow()
    record(None, "hub_system_revoked", "hub_system", system_id)


def systems() -> list[HubSystem]:
    """Every registered system, oldest first."""
    return list(db.session.execute(select(HubSystem).order_by(HubSystem.id)).scalars())


def _system(system_id: str) -> HubSystem:
    system = db.session.execute(
        select(HubSystem).where(HubSystem.system_id == system_id)).scalar_one_or_none()
    if system is None:
        raise NotFound(f"Không có hệ thống {system_id}.")
    return system


def authenticate(signed_json: str | None,
                 signature: str | None) -> tuple[HubSystem, dict[str, str]]:
    """The system that signed these headers and the parameters it signed (by lower-case
    name); ``Unauthorised`` when the signature is not that system's, whatever the reason."""
    try:
        params = protocol.signed_params(signed_json)
    except protocol.BadSignature:
        raise Unauthorised("Sai mã hệ thống hoặc chữ ký yêu cầu.") from None
    system_id = params.get(protocol.SYSTEM_ID, "")
    system = db.session.execute(
        select(HubSystem).where(HubSystem.system_id == system_id)).scalar_one_or_none()
    secret = None
    if system is not None and system.secret_sealed and system.revoked_at is None:
        try:
            secret = unseal(system.secret_sealed)
        except SecretUnreadable:
            secret = None  # another passphrase than when it was sealed: rotate the secret
    # The HMAC is computed (under a throwaway key) even for an unknown system, and compared
    # in constant time, so the answer's timing says little about which system ids exist.
    expected = protocol.signature(secret or _UNKNOWN, signed_json or "")
    if not hmac.compare_digest(expected, (signature or "").lower()) or secret is None:
        raise Unauthorised("Sai mã hệ thống hoặc chữ ký yêu cầu.")
    assert system is not None
    return system, params


def agencies() -> list[Agency]:
    """Every organisation reachable through this hub, by organ id."""
    rows = db.session.execute(
        select(HubOrgan, HubSystem.system_id).join(HubSystem)
        .where(HubSystem.revoked_at.is_(None)).order_by(HubOrgan.organ_id))
    return [Agency(organ.organ_id, organ.name, system_id) for organ, system_id in rows]


def _served(system: HubSystem) -> set[str]:
    return set(db.session.execute(
        select(HubOrgan.organ_id).where(HubOrgan.system_pk == system.id)).scalars())


def store(system: HubSystem, *, key: str, kind: str, from_organ_id: str,
          to_organ_ids: Sequence[str], data: bytes) -> HubMessage:
    """Keep a message ``system`` sends, with one delivery per recipient; the message already
    kept under ``key`` when it is sent again (its content then is the first one's)."""
    if not key or len(key) > protocol.KEY_MAX:
        raise InvalidInput("Thiếu khóa gửi hoặc khóa quá dài.")
    if kind not in protocol.KINDS_FROM_WIRE:
        raise InvalidInput("Loại gói tin phải là edoc hoặc status.")
    existing = _by_key(system, key)
    if existing is not None:
        return existing
    if from_organ_id not in _served(system):
        raise Forbidden(f"Hệ thống {system.system_id} không gửi thay cơ quan {from_organ_id}.")
    recipients = sorted(set(to_organ_ids))
    if not recipients or not data:
        raise InvalidInput("Gói tin phải có nơi nhận và nội dung.")
    known = set(db.session.execute(
        select(HubOrgan.organ_id).join(HubSystem)
        .where(HubOrgan.organ_id.in_(recipients), HubSystem.revoked_at.is_(None))).scalars())
    unknown = [organ_id for organ_id in recipients if organ_id not in known]
    if unknown:
        raise UnknownRecipient("Trục không phục vụ cơ quan nhận: " + ", ".join(unknown) + ".")
    message = HubMessage(message_id=uuid.uuid4().hex, sender_pk=system.id, sender_key=key,
                         kind=kind, from_organ_id=from_organ_id,
                         sha256=hashlib.sha256(data).hexdigest(), size=len(data), data=data)
    try:
        # A savepoint: a second process storing the same key at the same moment loses the
        # race on the unique constraint, and then answers with the winner's message.
        with db.session.begin_nested():
            db.session.add(message)
            db.session.flush()
            for organ_id in recipients:
                db.session.add(HubDelivery(delivery_id=uuid.uuid4().hex, message_pk=message.id,
                                           to_organ_id=organ_id))
            db.session.flush()
    except IntegrityError:
        winner = _by_key(system, key)
        if winner is None:
            raise
        return winner
    record(None, "hub_message_stored", "hub_message", message.message_id,
           system=system.system_id, key=key, kind=kind, from_organ=from_organ_id,
           to=recipients, size=message.size, sha256=message.sha256)
    return message


def _by_key(system: HubSystem, key: str) -> HubMessage | None:
    return db.session.execute(select(HubMessage).where(
        HubMessage.sender_pk == system.id, HubMessage.sender_key == key)).scalar_one_or_none()


def waiting(system: HubSystem, organ_id: str | None, limit: int = 100) -> list[HubDelivery]:
    """Deliveries not yet acknowledged for the organisations ``system`` serves (or only
    ``organ_id``, which it must serve), oldest first."""
    served = _served(system)
    if organ_id is not None:
        if organ_id not in served:
            raise Forbidden(f"Hệ thống {system.system_id} không nhận thay cơ quan {organ_id}.")
        served = {organ_id}
    return list(db.session.execute(
        select(HubDelivery).where(HubDelivery.to_organ_id.in_(served),
                                  HubDelivery.status == protocol.PENDING)
        .order_by(HubDelivery.id).limit(limit)).scalars())


def delivery(system: HubSystem, delivery_id: str) -> HubDelivery:
    """A delivery addressed to an organisation ``system`` serves (else 404, like a missing
    one: a system learns nothing of other systems' mail)."""
    found = db.session.execute(
        select(HubDelivery).where(HubDelivery.delivery_id == delivery_id)).scalar_one_or_none()
    if found is None or found.to_organ_id not in _served(system):
        raise NotFound("Không có gói tin này.")
    return found


def fetched(system: HubSystem, delivery_id: str) -> HubDelivery:
    """The delivery ``system`` downloads now (the first download time is kept)."""
    found = delivery(system, delivery_id)
    if found.fetched_at is None:
        found.fetched_at = utcnow()
    return found


def set_status(system: HubSystem, delivery_id: str, status: str,
               description: str = "") -> HubDelivery:
    """Acknowledge a delivery: ``done`` (taken) or ``fail`` (refused, ``description`` says
    why, for the sender). Acknowledging again changes nothing."""
    if status not in (protocol.DONE, protocol.FAIL):
        raise InvalidInput("Trạng thái phải là done hoặc fail.")
    found = delivery(system, delivery_id)
    if found.status != protocol.PENDING:
        return found
    found.status = status
    found.description = description[:2000]
    found.acknowledged_at = utcnow()
    record(None, "hub_delivery_acknowledged", "hub_message", found.message.message_id,
           system=system.system_id, to_organ=found.to_organ_id, status=status,
           description=found.description)
    return found


def sent(system: HubSystem, *, key: str = "", message_id: str = "") -> list[HubDelivery]:
    """Where the message ``system`` sent (named by its ``key``, or by the hub's id for it, as
    the SDK names it) stands, per recipient."""
    if message_id:
        message = db.session.execute(select(HubMessage).where(
            HubMessage.sender_pk == system.id,
            HubMessage.message_id == message_id)).scalar_one_or_none()
    else:
        message = _by_key(system, key) if key else None
    if message is None:
        raise NotFound("Không có gói tin đã gửi này.")
    return list(db.session.execute(select(HubDelivery).where(
        HubDelivery.message_pk == message.id).order_by(HubDelivery.to_organ_id)).scalars())
