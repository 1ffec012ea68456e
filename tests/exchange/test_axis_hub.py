"""The axis client against a live hub (real HTTP on a loopback port, the hub's real database):
credentials, idempotent sends, acknowledgement and refusal seen by the sender, isolation
between systems, and an unreachable or silent hub."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from eoffice.exchange.axis import hub, protocol
from eoffice.exchange.axis.client import AxisAuthenticationFailed, AxisClient
from eoffice.exchange.axis.models import HubDelivery, HubMessage, HubSystem
from eoffice.exchange.ports import (
    MessageKind,
    OutgoingMessage,
    TransportRefused,
    TransportUnavailable,
)
from eoffice.extensions import db
from eoffice.signing_keys.sealed_secrets import unseal
from tests.conftest import _wipe, make_app
from tests.services.live_server import serve

X, Y, Z = "000.00.01.H41", "000.00.02.H41", "000.00.03.H41"
PACKAGE = b'<?xml version="1.0" encoding="UTF-8"?><edXML>' + "văn bản".encode() + b"</edXML>"


@pytest.fixture()
def hub_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, hub=True)
    try:
        yield application
    finally:
        _wipe(application)


@pytest.fixture()
def hub_url(hub_app: Flask) -> Iterator[str]:
    with serve(hub_app) as base:
        yield f"{base}/axis"


@pytest.fixture()
def secrets_(hub_app: Flask) -> dict[str, str]:
    """Two installations registered on the hub: one serving X, one serving Y and Z."""
    with hub_app.app_context():
        found = {"one": hub.register_system("one", "Tỉnh A", [(X, "UBND A")]),
                 "two": hub.register_system("two", "Tỉnh B", [(Y, "Sở B"), (Z, "Sở C")])}
        db.session.commit()
    return found


def client(url: str, system: str, secret: str, **timeouts: float) -> AxisClient:
    return AxisClient(url, system, secret, **timeouts)


def outgoing(key: str, to: tuple[str, ...] = (Y,), data: bytes = PACKAGE) -> OutgoingMessage:
    return OutgoingMessage(key=key, kind=MessageKind.PACKAGE, from_organ_id=X,
                           to_organ_ids=to, data=data)


def test_wrong_secret_unknown_and_revoked_systems_get_401(
        hub_app: Flask, hub_url: str, secrets_: dict[str, str]) -> None:
    raw = requests.post(f"{hub_url}/{protocol.GET_AGENCIES}", timeout=5,
                        headers=protocol.signed_headers("wrong", {protocol.SYSTEM_ID: "one"}))
    assert raw.status_code == 401
    assert raw.json()["status"] == "FAIL"
    assert requests.post(f"{hub_url}/{protocol.GET_AGENCIES}", timeout=5).status_code == 401
    for system, secret in (("one", "wrong"), ("nobody", secrets_["one"]), ("two", "")):
        with pytest.raises(AxisAuthenticationFailed):
            client(hub_url, system, secret).send(outgoing("k-401"))
    # The right secret works; once revoked, the same secret is refused.
    agencies = client(hub_url, "one", secrets_["one"]).agencies()
    assert {(a["code"], a["name"]) for a in agencies} == {(X, "UBND A"), (Y, "Sở B"),
                                                          (Z, "Sở C")}
    with hub_app.app_context():
        hub.revoke_system("one")
        db.session.commit()
    with pytest.raises(AxisAuthenticationFailed):
        client(hub_url, "one", secrets_["one"]).agencies()
    with hub_app.app_context():  # nothing was stored by the refused requests
        assert db.session.scalar(select(func.count()).select_from(HubMessage)) == 0


def test_the_secret_never_travels_and_is_kept_only_sealed(
        hub_app: Flask, hub_url: str, secrets_: dict[str, str]) -> None:
    with hub_app.app_context():
        stored = db.session.execute(select(HubSystem.secret_sealed)).scalars().all()
        assert len(stored) == 2
        assert not any(secret in row for secret in secrets_.values() for row in stored)
        assert sorted(unseal(row) for row in stored) == sorted(secrets_.values())
    headers = protocol.signed_headers(secrets_["one"], {
        protocol.SYSTEM_ID: "one", protocol.TIMESTAMP: "04122026T101500+0123"})
    assert secrets_["one"] not in "".join(headers.values())
    url = f"{hub_url}/{protocol.GET_AGENCIES}"
    assert requests.post(url, headers=headers, timeout=5).status_code == 200
    # A parameter changed after signing (here: the system claimed) breaks the signature.
    forged = dict(headers)
    forged[protocol.SIGNED_HEADER] = headers[protocol.SIGNED_HEADER].replace('"one"', '"two"')
    assert requests.post(url, headers=forged, timeout=5).status_code == 401


def test_a_message_that_does_not_match_its_signed_hash_is_refused(
        hub_url: str, secrets_: dict[str, str]) -> None:
    headers = protocol.signed_headers(secrets_["one"], {
        protocol.SYSTEM_ID: "one", protocol.FROM: X, protocol.TO: f'"{Y}"',
        protocol.MESSAGE_TYPE: "edoc", protocol.FILE_HASH: protocol.file_hash(PACKAGE)},
        "application/octet-stream")
    url = f"{hub_url}/{protocol.SEND}"
    answer = requests.post(url, headers=headers, timeout=5, data=PACKAGE + b" \r\n")
    assert answer.status_code == 400 and answer.json()["status"] == "FAIL"
    # As the SDK sends it (the file, then a CRLF), and as a multipart form's file_doc part.
    answer = requests.post(url, headers=headers, timeout=5, data=PACKAGE + b"\r\n")
    assert answer.status_code == 200 and answer.json()["DocId"]
    del headers["Content-Type"]
    again = requests.post(url, headers=headers, timeout=5,
                          files={protocol.FILE_PART: ("a.edxml", PACKAGE)})
    assert again.json()["DocId"] == answer.json()["DocId"]  # the same bytes: one message


def test_a_send_retried_with_the_same_key_is_kept_and_delivered_once(
        hub_app: Flask, hub_url: str, secrets_: dict[str, str]) -> None:
    sender = client(hub_url, "one", secrets_["one"])
    first = sender.send(outgoing("doc-1", to=(Y, Z)))
    assert sender.send(outgoing("doc-1", to=(Y, Z))) == first
    # Concurrent retries of one key (a timeout on the sender's side, two workers): one message.
    ids: list[str] = []
    threads = [threading.Thread(target=lambda: ids.append(sender.send(outgoing("doc-2"))))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1 and len(ids) == 6
    with hub_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HubMessage)) == 2
        assert db.session.scalar(select(func.count()).select_from(HubDelivery)) == 3
    receiver = client(hub_url, "two", secrets_["two"])
    for_y = list(receiver.fetch_received(Y))
    assert len(for_y) == 2 and {m.data for m in for_y} == {PACKAGE}
    assert {(m.from_organ_id, m.to_organ_id, m.kind) for m in for_y} == {
        (X, Y, MessageKind.PACKAGE)}
    assert [m.to_organ_id for m in receiver.fetch_received(Z)] == [Z]


def test_acknowledged_messages_are_not_listed_again_and_the_sender_sees_each_outcome(
        hub_url: str, secrets_: dict[str, str]) -> None:
    sender = client(hub_url, "one", secrets_["one"])
    receiver = client(hub_url, "two", secrets_["two"])
    sender.send(outgoing("doc-3", to=(Y, Z)))
    [for_y] = receiver.fetch_received(Y)
    [for_z] = receiver.fetch_received(Z)
    assert [s.status for s in sender.sent_status("doc-3")] == ["pending", "pending"]
    receiver.acknowledge(for_y.message_id, Y)
    receiver.acknowledge(for_y.message_id, Y)  # after a crash, acknowledged again: no change
    receiver.refuse(for_z.message_id, Z, "Sai nơi nhận: văn bản không gửi đơn vị này.")
    assert list(receiver.fetch_received(Y)) == [] and list(receiver.fetch_received(Z)) == []
    statuses = {s.to_organ_id: (s.status, s.description) for s in sender.sent_status("doc-3")}
    assert statuses == {Y: ("done", ""),
                        Z: ("fail", "Sai nơi nhận: văn bản không gửi đơn vị này.")}


def test_statuses_travel_back_as_messages_of_their_own(
        hub_url: str, secrets_: dict[str, str]) -> None:
    receiver = client(hub_url, "two", secrets_["two"])
    receiver.send(OutgoingMessage(key="status-03", kind=MessageKind.STATUS, from_organ_id=Y,
                                  to_organ_ids=(X,), data=b"<edXML>03</edXML>"))
    [status] = client(hub_url, "one", secrets_["one"]).fetch_received(X)
    assert (status.kind, status.from_organ_id, status.data) == (
        MessageKind.STATUS, Y, b"<edXML>03</edXML>")


def test_a_system_neither_sends_for_nor_reads_the_mail_of_organs_it_does_not_serve(
        hub_url: str, secrets_: dict[str, str]) -> None:
    sender = client(hub_url, "one", secrets_["one"])
    other = client(hub_url, "two", secrets_["two"])
    with pytest.raises(TransportRefused, match=re.escape(X)):
        other.send(OutgoingMessage(key="x", kind=MessageKind.PACKAGE, from_organ_id=X,
                                   to_organ_ids=(Y,), data=PACKAGE))
    with pytest.raises(TransportRefused, match=re.escape("999.99.99.H99")):
        sender.send(outgoing("to-nobody", to=("999.99.99.H99",)))
    sender.send(outgoing("doc-4"))
    with pytest.raises(TransportRefused):
        list(sender.fetch_received(Y))  # one does not serve Y
    [message] = other.fetch_received(Y)
    with pytest.raises(TransportRefused):
        sender.acknowledge(message.message_id, Y)  # 404 for a stranger: still waiting
    assert [m.message_id for m in other.fetch_received(Y)] == [message.message_id]


def test_a_hub_that_does_not_listen_or_does_not_answer_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(TransportUnavailable):
        client(f"http://127.0.0.1:{closed_port}/axis", "one", "s").send(outgoing("k"))
    assert time.monotonic() - started < 5
    # A hub that accepts the connection and then says nothing: the read timeout ends the wait.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        started = time.monotonic()
        with pytest.raises(TransportUnavailable):
            client(f"http://127.0.0.1:{silent.getsockname()[1]}/axis", "one", "s",
                   read_timeout=0.5).fetch_received(X).__next__()
        assert time.monotonic() - started < 5
    finally:
        silent.close()
