"""The seam between the exchange core (outbox, local delivery, inbound handling) and a transport
to other installations (the national-axis client in ``eoffice.exchange.axis``).

The core never imports a transport: the composition root installs one with
:func:`install_remote_transport` when the installation is configured to reach an axis. The
transport never decides what a message means: it hands what it fetched to the core's inbound
handler, which is idempotent on :attr:`ReceivedMessage.message_id`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app


class MessageKind(enum.StrEnum):
    """What an edXML message carries: a document package or a handling-status message."""

    PACKAGE = "package"
    STATUS = "status"


@dataclass(frozen=True)
class OutgoingMessage:
    """One message leaving this installation.

    ``key`` is the idempotency key: sending the same key twice must never make the other side
    receive it twice (a retry after a timeout re-sends the same key).
    """

    key: str
    kind: MessageKind
    from_organ_id: str
    to_organ_ids: tuple[str, ...]
    data: bytes


@dataclass(frozen=True)
class ReceivedMessage:
    """One message fetched from the transport, not yet acknowledged.

    ``message_id`` is the transport's identity for it; handling the same id twice is a no-op.
    """

    message_id: str
    kind: MessageKind
    from_organ_id: str
    to_organ_id: str
    data: bytes


class TransportUnavailable(Exception):
    """The transport could not be reached or timed out: the outbox retries later."""


class TransportRefused(Exception):
    """The transport refused the message for good; ``str(error)`` is the reason shown to users."""


class RemoteTransport(Protocol):
    """A way to reach organisations outside this installation."""

    def send(self, message: OutgoingMessage) -> str:
        """Deliver ``message``; return the transport's id for it. Idempotent on ``message.key``.

        Raises :class:`TransportUnavailable` (retry) or :class:`TransportRefused` (give up).
        """

    def fetch_received(self, organ_id: str) -> Iterable[ReceivedMessage]:
        """Messages waiting for ``organ_id`` (an organisation of this installation)."""

    def acknowledge(self, message_id: str, organ_id: str) -> None:
        """Tell the transport ``organ_id`` has taken ``message_id``: it is not listed again."""


TransportFactory = Callable[[], RemoteTransport]
_EXTENSION_KEY = "eoffice.exchange.remote_transport"


def install_remote_transport(app: Flask, factory: TransportFactory) -> None:
    """Make ``factory`` the way ``app`` reaches other installations (composition root only)."""
    app.extensions[_EXTENSION_KEY] = factory


def remote_transport() -> RemoteTransport | None:
    """The configured transport to other installations, or ``None`` when there is none."""
    factory: TransportFactory | None = current_app.extensions.get(_EXTENSION_KEY)
    return factory() if factory is not None else None
