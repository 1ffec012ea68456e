"""Socket.IO events between server processes (eoffice/realtime/socket_queue.py), on Redis."""

from __future__ import annotations

import json
import pickle
import time
from typing import Any

import pytest
import redis
import socketio

from eoffice.realtime.socket_queue import PublishFirstRedisManager, client_manager
from tests.services.redis import redis_url  # noqa: F401


class Recording(PublishFirstRedisManager):
    """The manager under test, noting when it publishes and when it serves its own clients."""

    def __init__(self, url: str, log: list[str]) -> None:
        super().__init__(url, channel="flask-socketio")
        self.log = log

    def _publish(self, data: Any) -> Any:
        self.log.append(f"published {data['event']}")
        return super()._publish(data)


def test_other_processes_hear_of_an_event_before_this_one_serves_its_clients(
    redis_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    log: list[str] = []
    stock_emit = socketio.Manager.emit

    def served_here(self: socketio.Manager, event: str, *args: Any, **kwargs: Any) -> Any:
        log.append(f"served here {event}")
        return stock_emit(self, event, *args, **kwargs)

    monkeypatch.setattr(socketio.Manager, "emit", served_here)
    subscriber = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe("flask-socketio")
    manager = Recording(redis_url, log)
    socketio.Server(client_manager=manager, async_mode="threading")

    manager.emit("change", {"version": 7}, namespace="/meeting", room="meeting:1")

    assert log == ["published change", "served here change"]  # in that order, each once
    deadline = time.monotonic() + 5
    received = None
    while received is None and time.monotonic() < deadline:
        received = subscriber.get_message(timeout=0.5)
    assert received is not None, "the other processes were not told"
    payload = received["data"]
    message = pickle.loads(payload) if payload[:1] == b"\x80" else json.loads(payload)
    assert (message["event"], message["data"], message["room"]) == (
        "change", [{"version": 7}], "meeting:1")
    assert message["host_id"] == manager.host_id  # its own listener will skip it


def test_an_app_without_redis_keeps_events_in_its_process() -> None:
    assert type(client_manager(None)) is socketio.Manager
    assert isinstance(client_manager("redis://127.0.0.1:1/0"), PublishFirstRedisManager)
