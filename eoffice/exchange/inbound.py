"""The one way in: every message for one of our organisations — delivered inside the
installation or fetched from the national axis — is taken in here.

:func:`accept` is idempotent twice over: on the transport's message id, and on the package's
own identity (its DocumentId and business type, plus its bytes for an update), so a package is
never registered twice whatever id a transport gave it. A message it refuses raises a
``DomainError`` whose message says why (that is what a transport reports back).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eoffice.documents.revocation import purge_unreferenced
from eoffice.errors import DomainError, InvalidInput
from eoffice.exchange import live
from eoffice.exchange.arrival import Arrival, take_package
from eoffice.exchange.models import BUSINESS_NEW, BUSINESS_REPLACE, BUSINESS_UPDATE, ExchangeInbound
from eoffice.exchange.ports import MessageKind, ReceivedMessage
from eoffice.exchange.routing import local_organisation
from eoffice.exchange.sender_check import sender_verdict
from eoffice.exchange.statuses import apply_status, queue_status
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from formats import edxml

MAX_STATUS_BYTES = 1024 * 1024


class MessageRefused(InvalidInput):
    """A message this installation will not take in; the message says why (in Vietnamese)."""


@dataclass
class Intake:
    """What taking one message in did, for the work to do after the commit."""

    duplicate: bool = False
    arrival: Arrival | None = None
    status_document_ids: list[int] = field(default_factory=list)


def _already(organisation: Organisation, message_id: str, identity: str | None) -> bool:
    clause = ExchangeInbound.message_id == message_id
    if identity is not None:
        clause = clause | (ExchangeInbound.identity == identity)
    return db.session.execute(select(ExchangeInbound.id).where(
        ExchangeInbound.organisation_id == organisation.id, clause).limit(1)).first() is not None


def _package_identity(package: edxml.EdxmlPackage, data: bytes) -> str:
    business = package.message.business.doc_type
    identity = f"package:{business}:{package.document_id}"
    if business == BUSINESS_UPDATE:  # several updates of one document are several packages
        identity += ":" + hashlib.sha256(data).hexdigest()
    return identity


def _parse_package(message: ReceivedMessage, organisation: Organisation) -> edxml.EdxmlPackage:
    try:
        package = edxml.parse_package(message.data)
    except edxml.EdxmlError as error:
        raise MessageRefused(str(error)) from None
    sender = package.message.from_org.organ_id
    if message.from_organ_id and sender != message.from_organ_id:
        raise MessageRefused(f"Gói edXML ghi cơ quan gửi {sender}, khác nơi gửi "
                             f"{message.from_organ_id}.")
    addressed = {org.organ_id for org in package.message.to_orgs}
    if addressed and organisation.organ_id not in addressed:
        raise MessageRefused(f"Gói edXML không gửi tới {organisation.name} "
                             f"({organisation.organ_id}).")
    return package


def take_in(message: ReceivedMessage) -> Intake:
    """Take ``message`` in inside the caller's transaction (nothing is committed here)."""
    organisation = local_organisation(message.to_organ_id)
    if organisation is None:
        raise MessageRefused(f"Cơ quan nhận {message.to_organ_id} không thuộc hệ thống này.")
    if _already(organisation, message.message_id, None):
        return Intake(duplicate=True)
    if message.kind == MessageKind.PACKAGE:
        if len(message.data) > edxml.MAX_PACKAGE_BYTES:
            raise MessageRefused("Gói edXML vượt quá dung lượng cho phép.")
        package = _parse_package(message, organisation)
        identity = _package_identity(package, message.data)
        if _already(organisation, message.message_id, identity):
            return Intake(duplicate=True)
        arrival = take_package(organisation, package, message.data)
        business = package.message.business.doc_type
        db.session.add(ExchangeInbound(
            organisation_id=organisation.id, message_id=message.message_id[:200],
            identity=identity[:400], kind=MessageKind.PACKAGE.value, business_type=business,
            from_organ_id=package.message.from_org.organ_id[:13],
            document_key=package.document_id[:300],
            document_id=arrival.document.id if arrival.document else None,
            note=arrival.note[:1000]))
        db.session.flush()
        if arrival.created and arrival.document is not None and business in (
                BUSINESS_NEW, BUSINESS_REPLACE):
            queue_status(None, arrival.document, edxml.StatusCode.ARRIVED, "arrived")
        return Intake(arrival=arrival)
    if len(message.data) > MAX_STATUS_BYTES:
        raise MessageRefused("Thông điệp trạng thái vượt quá dung lượng cho phép.")
    try:
        status = edxml.parse_status(message.data)
    except edxml.EdxmlError as error:
        raise MessageRefused(str(error)) from None
    key = status.response_for.document_id
    # Two statuses of one code can share a second (presented, then directed: both 04); the
    # bytes tell them apart, and a retry re-sends the same bytes (the outbox keeps them).
    identity = (f"status:{status.from_org.organ_id}:{key}:{status.code.value}:"
                f"{hashlib.sha256(message.data).hexdigest()}")
    if _already(organisation, message.message_id, identity):
        return Intake(duplicate=True)
    # Signed by the organisation reporting, as packages are (a forged 06 would close the
    # sender's tracking): refused otherwise, with the reason.
    verdict = sender_verdict(status.from_org.organ_id, message.data)
    document = apply_status(organisation, status, message.data)
    db.session.add(ExchangeInbound(
        organisation_id=organisation.id, message_id=message.message_id[:200],
        identity=identity[:400], kind=MessageKind.STATUS.value,
        from_organ_id=status.from_org.organ_id[:13], document_key=key[:300],
        document_id=document.id, note=verdict[:1000]))
    db.session.flush()
    return Intake(status_document_ids=[document.id])


def after_commit(intake: Intake) -> None:
    """Once committed: delete withdrawn content, tell the clerks and the sender's pages."""
    arrival = intake.arrival
    if arrival is not None:
        if arrival.purge_keys:
            purge_unreferenced(arrival.purge_keys)
        if arrival.created and arrival.document is not None:
            live.arrived(arrival.document, arrival.clerk_ids)
    live.status_changed(intake.status_document_ids)


def accept(message: ReceivedMessage) -> None:
    """Take ``message`` in for the organisation it is addressed to, and commit.

    Handling the same message id (or the same package under another id) again is a no-op.
    Raises a ``DomainError`` (nothing kept) when the message is refused.
    """
    for attempt in (1, 2):
        try:
            intake = take_in(message)
            db.session.commit()
        except DomainError:
            db.session.rollback()
            raise
        except IntegrityError:
            # Taken in at the same moment by another worker: the unique keys kept one copy;
            # a second look finds it (and answers "already here").
            db.session.rollback()
            if attempt == 2:
                raise
            continue
        after_commit(intake)
        return
