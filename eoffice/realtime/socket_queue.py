"""How Socket.IO events travel between server processes: through Redis, published first.

python-socketio's Redis manager serves the emitting process's own clients and only then
publishes the event for the other processes, so they start their fan-out when this one has
finished: with a page change to 500 participants over two processes the second half waited
≈3 ms (≈5 ms at 1,000) before its first send (measured with ``bench/meeting_fanout.py``).
Publishing first lets every process fan out at the same time. The listener in each process
still ignores its own host's messages, so nothing is sent twice.
"""

from __future__ import annotations

import threading
from typing import Any

import socketio

from eoffice.version_guard import WrittenFor

#: Relies on ``PubSubManager.emit`` calling ``_handle_emit`` before ``_publish`` in this release.
WRITTEN_FOR = WrittenFor("python-socketio", "5.18.1")


class PublishFirstRedisManager(socketio.RedisManager):
    """``RedisManager`` that tells the other processes before serving its own clients."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per thread (per greenlet under gevent): only the emitting caller's own local
        # delivery is held back, never the listener's deliveries of other hosts' events.
        self._held = threading.local()

    def emit(self, event: str, data: Any, namespace: str | None = None, room: Any = None,
             skip_sid: Any = None, callback: Any = None, to: Any = None,
             **kwargs: Any) -> Any:
        if kwargs.get("ignore_queue"):
            return super().emit(event, data, namespace=namespace, room=room,
                                skip_sid=skip_sid, callback=callback, to=to, **kwargs)
        held: list[dict[str, Any]] = []
        self._held.messages = held
        try:
            # The base class hands the message to _handle_emit (held below), then publishes.
            super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                         callback=callback, to=to, **kwargs)
        finally:
            self._held.messages = None
            for message in held:
                super()._handle_emit(message)
        return None

    def _handle_emit(self, message: dict[str, Any]) -> None:
        held = getattr(self._held, "messages", None)
        if held is not None:
            held.append(message)
            return
        super()._handle_emit(message)


def client_manager(redis_url: str | None) -> socketio.Manager:
    """The manager for one app: through Redis when configured, in memory otherwise.

    Always given explicitly: Flask-SocketIO keeps options between ``init_app`` calls on its
    one extension object, and an app without Redis must not inherit another app's queue.
    """
    if redis_url:
        manager = PublishFirstRedisManager if WRITTEN_FOR.matches() else socketio.RedisManager
        return manager(redis_url, channel="flask-socketio")
    return socketio.Manager()
