"""The outbox towards another installation: a transport that cannot be reached is retried
with the job queue's growing delay, and a retry never delivers twice; a refusal is final and
shown with its reason.

The transport here is a small in-memory stand-in written against the port
(``eoffice.exchange.ports.RemoteTransport``), not the national-axis client: what is tested is
the outbox's side of the contract. The axis client itself is tested against a live hub in
``test_axis*`` and ``test_three_installations*``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from eoffice.exchange import recipients
from eoffice.exchange.models import ExchangeDispatch
from eoffice.exchange.outbox import GIVE_UP_AFTER
from eoffice.exchange.ports import (
    OutgoingMessage,
    ReceivedMessage,
    TransportRefused,
    TransportUnavailable,
    install_remote_transport,
)
from eoffice.extensions import db
from eoffice.jobs import queue
from eoffice.jobs.models import Job
from eoffice.timestamps import utcnow
from formats import edxml
from tests.documents.conftest import user
from tests.exchange.conftest import issue, ready_to_issue

MINISTRY = "000.00.00.G12"


class Axis:
    """Keeps what it accepted by key, as a hub does (a key sent twice is one message);
    unreachable for the first ``down`` attempts, or refusing everything."""

    def __init__(self, down: int = 0, refuse: str = "") -> None:
        self.down, self.refuse = down, refuse
        self.attempts = 0
        self.accepted: dict[str, bytes] = {}

    def send(self, message: OutgoingMessage) -> str:
        self.attempts += 1
        if self.attempts <= self.down:
            raise TransportUnavailable("hết thời gian chờ")
        if self.refuse:
            raise TransportRefused(self.refuse)
        self.accepted.setdefault(message.key, message.data)
        return f"axis-{len(self.accepted)}"

    def fetch_received(self, organ_id: str) -> Iterable[ReceivedMessage]:
        return ()

    def acknowledge(self, message_id: str, organ_id: str) -> None:
        return None


def _send_to_ministry(app: Flask, axis: Axis) -> ExchangeDispatch:
    install_remote_transport(app, lambda: axis)
    document = ready_to_issue()
    recipients.add_recipient(user("vanthu"), document, MINISTRY, "Bộ Tài chính")
    db.session.commit()
    issue(document)
    queue.drain()
    return db.session.execute(select(ExchangeDispatch)).scalar_one()


def _retry_now() -> None:
    """What the broker does after the delay: run the queued job again."""
    db.session.expire_all()
    queue.drain()


def test_unreachable_axis_is_retried_and_the_package_sent_once(xctx: Flask) -> None:
    axis = Axis(down=2)
    dispatch = _send_to_ministry(xctx, axis)
    assert (dispatch.state, dispatch.attempts) == ("queued", 1)
    assert "chưa phản hồi" in dispatch.reason and "thử lại" in dispatch.reason
    job = db.session.execute(select(Job).where(Job.kind == "exchange_dispatch")).scalar_one()
    assert job.state == "queued"  # rescheduled with a delay by the queue
    _retry_now()
    _retry_now()
    db.session.expire_all()
    dispatch = db.session.get(ExchangeDispatch, dispatch.id)
    assert (dispatch.state, dispatch.route, dispatch.transport_id) == ("sent", "remote", "axis-1")
    assert list(axis.accepted) == [dispatch.key]
    package = edxml.parse_package(axis.accepted[dispatch.key])
    assert package.message.to_orgs[0].organ_id == MINISTRY
    # Run again (a duplicate broker message, the reaper): nothing is sent twice.
    job = db.session.execute(select(Job).where(Job.kind == "exchange_dispatch")).scalar_one()
    job.state = "queued"
    db.session.commit()
    _retry_now()
    assert axis.attempts == 3 and len(axis.accepted) == 1


def test_a_refusal_is_final_with_its_reason(xctx: Flask) -> None:
    dispatch = _send_to_ministry(xctx, Axis(refuse="Cơ quan nhận không có trên trục"))
    assert dispatch.state == "failed"
    assert dispatch.reason == "Cơ quan nhận không có trên trục"


def test_the_outbox_outlives_an_outage_then_gives_up_after_a_day(xctx: Flask) -> None:
    axis = Axis(down=1000)
    dispatch = _send_to_ministry(xctx, axis)
    for _ in range(queue.MAX_ATTEMPTS + 2):  # more tries than the queue gives a plain job
        _retry_now()
    db.session.expire_all()
    dispatch = db.session.get(ExchangeDispatch, dispatch.id)
    assert dispatch.state == "queued" and dispatch.attempts == queue.MAX_ATTEMPTS + 3
    assert "sẽ thử lại" in dispatch.reason
    # Still unreachable a day after it was queued: recorded as failed, with the reason.
    dispatch.created_at = utcnow() - GIVE_UP_AFTER - timedelta(minutes=1)
    db.session.commit()
    _retry_now()
    db.session.expire_all()
    dispatch = db.session.get(ExchangeDispatch, dispatch.id)
    assert dispatch.state == "failed" and "chưa phản hồi" in dispatch.reason
    assert axis.accepted == {}


def test_the_axis_back_after_an_outage_gets_the_package_once(xctx: Flask) -> None:
    axis = Axis(down=queue.MAX_ATTEMPTS + 1)
    dispatch = _send_to_ministry(xctx, axis)
    for _ in range(queue.MAX_ATTEMPTS + 3):
        _retry_now()
    db.session.expire_all()
    assert db.session.get(ExchangeDispatch, dispatch.id).state == "sent"
    assert len(axis.accepted) == 1
