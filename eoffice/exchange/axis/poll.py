"""Inbox polling: fetch what waits on the axis for each organisation of this installation,
hand each message to the exchange core, then acknowledge it.

The order is what keeps a message from being lost or registered twice: the core's ``accept``
commits first and is idempotent on the message id, and only then is the message acknowledged.
A crash between the two leaves it listed on the hub; the next poll hands it over again and
``accept`` finds it already taken. A message the core refuses (a ``DomainError``) is
acknowledged as refused, with the reason, which the sender reads on the hub.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from eoffice.audit import record
from eoffice.errors import DomainError
from eoffice.exchange.ports import (
    ReceivedMessage,
    RemoteTransport,
    TransportRefused,
    TransportUnavailable,
)
from eoffice.extensions import db
from eoffice.organisation.models import Organisation

log = logging.getLogger(__name__)

Accept = Callable[[ReceivedMessage], None]


@dataclass
class PollReport:
    """What one poll did: message ids taken, refused, and failed (left for the next poll)."""

    accepted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: Dispatches of ours marked failed because their recipient refused them.
    sender_failures: list[int] = field(default_factory=list)
    #: Why the poll stopped early (the hub unreachable), or "".
    interrupted: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"accepted": len(self.accepted), "refused": len(self.refused),
                "failed": len(self.failed), "sender_failures": len(self.sender_failures),
                "interrupted": self.interrupted}


def local_organ_ids() -> list[str]:
    """The organisations of this installation, whose mail waits on the axis."""
    return list(db.session.execute(
        select(Organisation.organ_id).order_by(Organisation.id)).scalars())


def poll_inbox(transport: RemoteTransport, accept: Accept,
               organ_ids: list[str] | None = None) -> PollReport:
    """Take every waiting message for ``organ_ids`` (default: all local organisations)."""
    report = PollReport()
    for organ_id in organ_ids if organ_ids is not None else local_organ_ids():
        db.session.rollback()  # a fresh transaction per organisation
        try:
            for message in transport.fetch_received(organ_id):
                _take(transport, accept, message, report)
        except TransportUnavailable as error:
            report.interrupted = str(error)
            log.warning("exchange poll stopped: %s", error)
            break
        except TransportRefused as error:
            # This installation is not registered for that organisation on the hub: an
            # operator's matter; the other organisations are still polled.
            log.warning("exchange poll for %s refused: %s", organ_id, error)
    return report


def _take(transport: RemoteTransport, accept: Accept, message: ReceivedMessage,
          report: PollReport) -> None:
    try:
        accept(message)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _refuse(transport, message, error.message)
        record(None, "exchange_received_refused", "exchange_message", message.message_id,
               from_organ=message.from_organ_id, to_organ=message.to_organ_id,
               kind=message.kind.value, reason=error.message)
        db.session.commit()
        report.refused.append(message.message_id)
        return
    except Exception:
        # A bug or a database hiccup: not acknowledged, so the next poll tries again.
        db.session.rollback()
        log.exception("exchange: message %s could not be taken", message.message_id)
        report.failed.append(message.message_id)
        return
    try:
        transport.acknowledge(message.message_id, message.to_organ_id)
    except TransportRefused as error:
        # Already acknowledged by a concurrent poll (the hub no longer lists it): taken.
        log.info("exchange: acknowledging %s: %s", message.message_id, error)
    report.accepted.append(message.message_id)


def _refuse(transport: RemoteTransport, message: ReceivedMessage, reason: str) -> None:
    refuse = getattr(transport, "refuse", None)
    if refuse is not None:
        refuse(message.message_id, message.to_organ_id, reason)
    else:  # a transport without refusals: at least never hand the message over again
        transport.acknowledge(message.message_id, message.to_organ_id)
