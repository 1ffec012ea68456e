"""The exchange client: this installation's way to the national axis or a province's hub
(``eoffice.exchange.ports.RemoteTransport``), over HTTPS on the axis's own wire
(``protocol``): each call's parameters in headers signed with an HMAC under the secret, which
itself never travels.

It never retries by itself: a hub that is down or slow raises ``TransportUnavailable`` at
once (after the timeout) and the outbox, which owns the schedule, tries again later with the
same idempotency key. What the hub refuses for good (an unknown recipient, a malformed
message) raises ``TransportRefused`` with the hub's reason.
"""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError

from eoffice.exchange.axis import protocol
from eoffice.exchange.ports import (
    MessageKind,
    OutgoingMessage,
    ReceivedMessage,
    TransportRefused,
    TransportUnavailable,
)

#: Seconds to open a connection, and to wait for an answer (a large package takes a while).
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
#: Statuses worth trying again later; any other refusal is for good.
TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


class AxisAuthenticationFailed(TransportUnavailable):
    """The hub refuses this system id and the signature under its secret (401). Retried:
    messages wait in the outbox while an operator corrects EOFFICE_AXIS_SYSTEM_ID /
    EOFFICE_AXIS_SECRET."""


@dataclass(frozen=True)
class SentStatus:
    """Where one recipient of a message this installation sent stands on the hub."""

    to_organ_id: str
    status: str  # "pending", "done" or "fail"
    description: str


class AxisClient:
    """A ``RemoteTransport`` speaking the axis operations to ``endpoint``."""

    def __init__(self, endpoint: str, system_id: str, secret: str, *,
                 cafile: str | None = None, connect_timeout: float = CONNECT_TIMEOUT,
                 read_timeout: float = READ_TIMEOUT) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.system_id = system_id
        self._secret = secret
        context = ssl.create_default_context(cafile=cafile)  # verifies certificate and host
        self._pool = urllib3.PoolManager(
            ssl_context=context, retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout))

    def __repr__(self) -> str:  # never the secret
        return f"AxisClient({self.endpoint!r}, system_id={self.system_id!r})"

    # -- RemoteTransport -------------------------------------------------------------------

    def send(self, message: OutgoingMessage) -> str:
        """Hand ``message`` to the hub; return the hub's id for it (the same id every time
        the same key is sent)."""
        answer = self._call(protocol.SEND, file=message.data, params={
            protocol.FROM: message.from_organ_id,
            protocol.TO: json.dumps(list(message.to_organ_ids)),
            protocol.SERVICE_TYPE: protocol.SERVICE_TYPE_EDOC,
            protocol.MESSAGE_TYPE: protocol.WIRE_KINDS[message.kind.value],
            protocol.FILE_HASH: protocol.file_hash(message.data),
            protocol.KEY: message.key,
        })
        return str(answer["DocId"])

    def fetch_received(self, organ_id: str) -> Iterator[ReceivedMessage]:
        """Messages waiting for ``organ_id``, downloaded one at a time as they are read."""
        listed = self._call(protocol.LIST_RECEIVED, params={
            protocol.SERVICE_TYPE: protocol.SERVICE_TYPE_EDOC, protocol.TO: organ_id})["data"]
        for item in listed:
            if item.get("to", organ_id) != organ_id:
                continue  # a hub that lists every organisation of this system at once
            try:
                answer = self._call(protocol.GET, params={protocol.DOC_ID: item["docId"]})
            except TransportRefused:
                continue  # taken meanwhile by another poller: nothing to do here
            yield ReceivedMessage(
                message_id=str(item["docId"]),
                kind=MessageKind(protocol.KINDS_FROM_WIRE[item["messageType"]]),
                from_organ_id=item["from"], to_organ_id=item.get("to", organ_id),
                data=base64.b64decode(answer["data"]))

    def acknowledge(self, message_id: str, organ_id: str) -> None:
        """``organ_id`` has taken ``message_id``: the hub stops listing it."""
        self._call(protocol.UPDATE_STATUS, params={protocol.DOC_ID: message_id,
                                                   protocol.STATUS: protocol.DONE})

    # -- beyond the port -------------------------------------------------------------------

    def refuse(self, message_id: str, organ_id: str, reason: str) -> None:
        """``organ_id`` refuses ``message_id`` for good; the sender reads ``reason``."""
        self._call(protocol.UPDATE_STATUS, params={
            protocol.DOC_ID: message_id, protocol.STATUS: protocol.FAIL,
            protocol.DESCRIPTION: protocol.encode_text(reason)})

    def agencies(self) -> list[dict[str, str]]:
        """Organisations reachable through the hub: ``code`` (organ id), ``name``."""
        return list(self._call(protocol.GET_AGENCIES)["data"])

    def sent_status(self, key: str) -> list[SentStatus]:
        """Per recipient, where the message sent under ``key`` stands."""
        return [SentStatus(item["toCode"], item["receiveStatus"], item["receiveStatusDesc"])
                for item in self._call(protocol.LIST_SENT, params={protocol.KEY: key})["data"]]

    # -- the wire --------------------------------------------------------------------------

    def _call(self, operation: str, *, params: dict[str, str] | None = None,
              file: bytes | None = None) -> dict[str, Any]:
        response = self._request(operation, params=params or {}, file=file)
        try:
            answer = json.loads(response.data)
        except ValueError:
            raise TransportUnavailable(f"{operation}: the hub's answer is not JSON") from None
        if not isinstance(answer, dict) or answer.get("status") != "OK":
            raise TransportRefused(_description(answer) or f"{operation} refused")
        return answer

    def _request(self, operation: str, *, params: dict[str, str],
                 file: bytes | None) -> urllib3.BaseHTTPResponse:
        signed = {protocol.SYSTEM_ID: self.system_id,
                  protocol.TIMESTAMP: protocol.timestamp(datetime.now()), **params}
        url = f"{self.endpoint}/{operation}"
        try:
            if file is None:
                response = self._pool.request(
                    "POST", url, headers=protocol.signed_headers(self._secret, signed))
            else:
                # As the SDK sends it: the file, then the CRLF that ends its multipart part.
                response = self._pool.request(
                    "POST", url, body=file + b"\r\n", headers=protocol.signed_headers(
                        self._secret, signed, "application/octet-stream"))
        except HTTPError as error:
            # Connection refused, DNS, TLS or a timeout: the hub is unreachable for now.
            raise TransportUnavailable(f"{operation}: {type(error).__name__}") from None
        if response.status == 200:
            return response
        reason = _description(_json_or_none(response.data)) or f"HTTP {response.status}"
        if response.status == 401:
            raise AxisAuthenticationFailed(f"{operation}: {reason}")
        if response.status in TRANSIENT:
            raise TransportUnavailable(f"{operation}: {reason}")
        raise TransportRefused(reason)


def _json_or_none(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def _description(answer: Any) -> str:
    return str(answer.get("ErrorDesc") or "") if isinstance(answer, dict) else ""
