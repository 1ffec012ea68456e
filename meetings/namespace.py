"""The ``/meeting`` Socket.IO namespace: authenticate, validate, call the service, reply.

One room per meeting (``meeting:<id>``). Every event is checked here for shape and types
(``EVENTS``) and then authorised by the service against the caller's role in that meeting, so a
handler is only parsing. Every refusal answers the sender — as the acknowledgement when the
client asked for one, and always as a ``command_error`` event — and changes nothing.

Server → client events:
``change`` ``{meeting_id, version, patch, server_time}`` (versioned; see ``live.py``),
``poll_progress`` ``{meeting_id, poll_id, voted, eligible}`` (absolute counts, at most
``PROGRESS_PER_SECOND`` per poll and process), ``command_error`` ``{event, error, message}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from eoffice.extensions import db, socketio
from eoffice.web.dates import parse_moment
from meetings import service
from meetings.live import LiveError
from meetings.models import Meeting

NAMESPACE = "/meeting"
PROGRESS_PER_SECOND = 4
RATE_PER_SECOND = 20.0  # sustained events per connection
RATE_BURST = 40.0


def room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


# --------------------------------------------------------------------------- payload shapes
@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = True
    max_length: int = 0  # for strings and lists


def _valid(value: Any, spec: Field) -> bool:
    if spec.kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53
    if spec.kind is list:
        return (isinstance(value, list) and len(value) <= (spec.max_length or 50)
                and all(isinstance(v, str) and len(v) <= 200 for v in value))
    if not isinstance(value, spec.kind):
        return False
    return not (isinstance(value, str) and spec.max_length and len(value) > spec.max_length)


ID = Field(int)
EVENTS: dict[str, dict[str, Field]] = {
    "join": {"meeting_id": ID},
    "snapshot": {},
    "open": {},
    "pause": {},
    "close": {},
    "goto_item": {"item_id": ID},
    "present": {"document_id": ID, "page": ID},
    "check_in": {"user_id": Field(int, False), "status": Field(str, False, 16),
                 "reason": Field(str, False, 500)},
    "request_speak": {"queue": Field(str, True, 16)},
    "withdraw_speak": {"queue": Field(str, True, 16)},
    "grant_speak": {"user_id": ID, "queue": Field(str, True, 16),
                    "limit_s": Field(int, False)},
    "end_speak": {},
    "conclude": {"item_id": ID, "text": Field(str, True, 10_000)},
    "create_poll": {"question": Field(str, True, 500), "options": Field(list, False, 10),
                    "secret": Field(bool), "item_id": Field(int, False),
                    "majority_base": Field(str, False, 10), "threshold": Field(str, False, 16)},
    "open_poll": {"poll_id": ID},
    "close_poll": {"poll_id": ID},
    "vote": {"poll_id": ID, "choice": ID},
    "add_action": {"title": Field(str, True, 500), "assignee_id": ID,
                   "deadline": Field(str, True, 40), "item_id": Field(int, False)},
    "save_note": {"document_id": ID, "page": ID, "body": Field(str, True, 20_000)},
}
LIVE_COMMANDS = {"open", "pause", "close", "goto_item", "present", "check_in",
                 "request_speak", "withdraw_speak", "grant_speak", "end_speak", "conclude"}


def validate(event: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """The payload as a clean dict, or ``LiveError`` naming what is wrong."""
    spec = EVENTS.get(event)
    if spec is None:
        raise LiveError("unknown_event", "Thao tác không được hỗ trợ.")
    if len(args) > 1:
        raise LiveError("bad_payload", "Dữ liệu gửi lên không hợp lệ.")
    payload = args[0] if args else {}
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise LiveError("bad_payload", "Dữ liệu gửi lên không hợp lệ.")
    clean: dict[str, Any] = {}
    for name, field_spec in spec.items():
        if name not in payload or payload[name] is None:
            if field_spec.required:
                raise LiveError("bad_payload", f"Thiếu trường dữ liệu “{name}”.")
            continue
        if not _valid(payload[name], field_spec):
            raise LiveError("bad_payload", f"Trường dữ liệu “{name}” không hợp lệ.")
        clean[name] = payload[name]
    return clean


# --------------------------------------------------------------------------- flood control
class Bucket:
    """A token bucket per connection: bursts are fine, a sustained flood is refused."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: float = RATE_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# --------------------------------------------------------------------------- publishing
def publish(meeting_id: int, change: service.Change) -> None:
    socketio.emit("change", {"meeting_id": meeting_id, "version": change.version,
                             "patch": change.patch, "server_time": time.time()},
                  to=room(meeting_id), namespace=NAMESPACE)


class ProgressThrottle:
    """Live "n of m voted": at most ``PROGRESS_PER_SECOND`` updates per poll from this process.

    The counts sent are absolute, so a client keeps the largest and order does not matter.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}
        self._pending: set[int] = set()

    def bump(self, app: Flask, meeting_id: int, ballot: service.Ballot) -> None:
        interval = 1.0 / PROGRESS_PER_SECOND
        with self._lock:
            if ballot.poll_id in self._pending:
                return
            wait = self._last.get(ballot.poll_id, 0.0) + interval - time.monotonic()
            if wait > 0:
                self._pending.add(ballot.poll_id)
            else:
                self._last[ballot.poll_id] = time.monotonic()
        if wait > 0:
            socketio.start_background_task(self._later, app, meeting_id, ballot.poll_id, wait)
        else:
            _emit_progress(meeting_id, ballot.poll_id, ballot.voted, ballot.eligible)

    def _later(self, app: Flask, meeting_id: int, poll_id: int, wait: float) -> None:
        socketio.sleep(wait)
        with self._lock:
            self._pending.discard(poll_id)
            self._last[poll_id] = time.monotonic()
        with app.app_context():
            counts = service.poll_progress(poll_id)
            db.session.remove()
        if counts is not None:
            _emit_progress(meeting_id, poll_id, *counts)


def _emit_progress(meeting_id: int, poll_id: int, voted: int, eligible: int) -> None:
    socketio.emit("poll_progress", {"meeting_id": meeting_id, "poll_id": poll_id,
                                    "voted": voted, "eligible": eligible},
                  to=room(meeting_id), namespace=NAMESPACE)


progress = ProgressThrottle()


# --------------------------------------------------------------------------- the namespace
def _parse_deadline(value: str) -> datetime:
    """dd/mm/yyyy [hh:mm] as typed in the room (or ISO), Vietnam time; a day alone is its end."""
    try:
        parsed = parse_moment(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise LiveError("bad_payload", "Thời hạn không hợp lệ (dd/mm/yyyy).")
    return parsed


class MeetingNamespace(Namespace):
    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self._buckets: dict[str, Bucket] = {}
        self._joined: dict[str, int] = {}

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return super().trigger_event(event, *args)
        return self.socketio._handle_event(self._dispatch, event, self.namespace, *args)

    def on_connect(self, auth: Any = None) -> None:
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("unauthorized")
        # A page on another site must not drive a session with our user's cookie (the app
        # leaves Engine.IO's origin check off, so it is done here for this namespace).
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.host:
            raise ConnectionRefusedError("bad_origin")
        self._buckets[request.sid] = Bucket()  # type: ignore[attr-defined]

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        self._buckets.pop(sid, None)
        self._joined.pop(sid, None)

    def _dispatch(self, *args: Any) -> dict[str, Any]:
        sid: str = request.sid  # type: ignore[attr-defined]
        event: str = request.event["message"]  # type: ignore[attr-defined]
        try:
            bucket = self._buckets.get(sid)
            if bucket is None or not current_user.is_authenticated:
                raise LiveError("unauthorized", "Phiên đăng nhập đã hết hạn.")
            if not bucket.take():
                raise LiveError("rate_limited", "Thao tác quá nhanh; vui lòng chờ giây lát.")
            payload = validate(event, args)
            return {"ok": True, **self._handle(sid, event, payload)}
        except LiveError as error:
            reply = {"ok": False, "error": error.code, "message": error.message}
            self.socketio.emit("command_error", {"event": event, **reply}, to=sid,
                               namespace=self.namespace)
            return reply
        except Exception:
            current_app.logger.exception("meeting event %s failed", event)
            db.session.rollback()
            reply = {"ok": False, "error": "server_error",
                     "message": "Đã có lỗi trong hệ thống; sự cố đã được ghi nhận."}
            self.socketio.emit("command_error", {"event": event, **reply}, to=sid,
                               namespace=self.namespace)
            return reply

    def _meeting_id(self, sid: str) -> int:
        meeting_id = self._joined.get(sid)
        if meeting_id is None:
            raise LiveError("not_joined", "Chưa vào phòng họp.")
        return meeting_id

    def _handle(self, sid: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        user = current_user._get_current_object()
        if event == "join":
            meeting_id = payload["meeting_id"]
            meeting = db.session.get(Meeting, meeting_id)
            if meeting is None or service.live_role(user, meeting) is None:
                raise LiveError("forbidden", "Bạn không có trong danh sách dự họp.")
            previous = self._joined.get(sid)
            if previous is not None and previous != meeting_id:
                leave_room(room(previous))
            # Join first, then read: a change published in between reaches the client both
            # ways, and the version numbers drop the duplicate.
            join_room(room(meeting_id))
            self._joined[sid] = meeting_id
            return {"snapshot": service.snapshot(user, meeting_id)}
        meeting_id = self._meeting_id(sid)
        if event == "snapshot":
            return {"snapshot": service.snapshot(user, meeting_id)}
        handlers: dict[str, Callable[[], Any]] = {
            "create_poll": lambda: service.create_poll(
                user, meeting_id, question=payload["question"], options=payload.get("options"),
                secret=payload["secret"], item_id=payload.get("item_id"),
                majority_base=payload.get("majority_base") or "present",
                threshold=payload.get("threshold") or "half"),
            "open_poll": lambda: service.open_poll(user, meeting_id, payload["poll_id"]),
            "close_poll": lambda: service.close_poll(user, meeting_id, payload["poll_id"]),
            "add_action": lambda: service.add_action_item(
                user, meeting_id, title=payload["title"], assignee_id=payload["assignee_id"],
                deadline=_parse_deadline(payload["deadline"]), item_id=payload.get("item_id")),
        }
        if event in LIVE_COMMANDS:
            change = service.command(user, meeting_id, event, payload)
            return {"version": change.version}
        if event in handlers:
            return {"version": handlers[event]().version}
        if event == "vote":
            ballot = service.cast_vote(user, meeting_id, payload["poll_id"], payload["choice"])
            if not ballot.duplicate:
                progress.bump(current_app._get_current_object(), meeting_id, ballot)
            return {"poll_id": ballot.poll_id, "duplicate": ballot.duplicate,
                    "voted": ballot.voted, "eligible": ballot.eligible}
        if event == "save_note":
            service.save_note(user, meeting_id, payload["document_id"], payload["page"],
                              payload["body"])
            return {}
        raise LiveError("unknown_event", "Thao tác không được hỗ trợ.")  # pragma: no cover


def init_socketio(app: Flask) -> None:
    """Register the namespace on the app's Socket.IO server and the service's publisher."""
    service.set_publisher(publish)
    namespace = MeetingNamespace()
    namespace._set_socketio(socketio)
    socketio.server.register_namespace(namespace)
