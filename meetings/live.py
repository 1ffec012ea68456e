"""The live session as a versioned state machine: pure functions over a JSON-able dict.

Why a dict and patches: the state is stored as one JSON value (``meeting_live_states``), shipped
whole as a snapshot to a client that joins or reconnects, and changed by small patches that each
carry the next version number. A client applies patch ``v`` only on top of ``v - 1``; anything
older is a duplicate and is dropped, a gap makes it ask for a snapshot. So a client never misses
nor double-applies a change, whichever server process sent it.

Nothing here touches the database or sockets: ``apply`` checks the actor's right and the
command's preconditions, mutates the state, and returns the patch plus the *effects* the service
must record as rows (attendance, speeches, conclusions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eoffice.errors import DomainError

State = dict[str, Any]

CHAIR = "chair"
SECRETARY = "secretary"
MEMBER = "member"
GUEST = "guest"
ORGANISERS = (CHAIR, SECRETARY)

QUEUES = ("speak", "question")
ATTENDANCE = ("present", "absent", "excused")
MAX_PAGE = 100_000
MAX_SPEAK_SECONDS = 3600


#: The HTTP status of a refused command, by code, where the code's prefix does not say it
#: (``unknown_…``: 404, ``bad_…``: 400, anything else: 409, a conflict with the session's state).
_STATUS = {"forbidden": 403, "not_eligible": 403, "unauthorized": 403, "not_found": 404,
           "unknown_command": 400, "unknown_event": 400, "bad_state": 409,
           "busy": 423, "rate_limited": 423}


def status_of(code: str) -> int:
    """The status of ``eoffice.errors`` a refusal with ``code`` answers with over HTTP."""
    if code in _STATUS:
        return _STATUS[code]
    if code.startswith("unknown_"):
        return 404
    if code.startswith("bad_"):
        return 400
    return 409


class LiveError(DomainError):
    """A refused command. ``code`` is for programs, ``message`` is Vietnamese for people.

    Over Socket.IO the namespace replies with both; as an ``eoffice.errors.DomainError`` it
    carries the HTTP status its code calls for, should it reach a page or the API.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status_of(code)


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str  # chair, secretary, member, guest


@dataclass
class Change:
    """The result of one accepted command."""

    version: int
    patch: dict[str, Any]
    effects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def new_state(
    meeting_id: int,
    *,
    agenda: list[dict[str, Any]],
    people: dict[int, dict[str, Any]],
    documents: dict[int, dict[str, Any]],
    quorum_percent: int,
) -> State:
    """The state of a session before it opens.

    ``agenda``: ``[{id, title, duration_s}]`` in order; ``people``: ``{user_id: {name, role,
    votes}}``; ``documents``: ``{document_id: {item_id, title, file_id}}``.
    """
    voters = sum(1 for person in people.values() if person["votes"])
    return {
        "meeting_id": meeting_id,
        "version": 0,
        "status": "scheduled",
        "agenda": agenda,
        "item": None,
        "presenter": None,
        "people": {str(uid): person for uid, person in people.items()},
        "documents": {str(did): doc for did, doc in documents.items()},
        "attendance": {
            str(uid): {"status": "absent", "at": None, "reason": ""} for uid in people
        },
        "quorum_needed": quorum_needed(voters, quorum_percent),
        "queues": {"speak": [], "question": []},
        "requested_at": {},
        "speaker": None,
        "polls": {},
        "conclusions": {},
        "actions": [],
    }


def quorum_needed(voters: int, percent: int) -> int:
    """Smallest head count strictly meeting ``percent`` of the voting members (at least 1)."""
    return max(1, -(-voters * percent // 100))


def counts(state: State) -> dict[str, int]:
    """Present / absent / excused head counts and whether the quorum is met (voters only)."""
    tally = {"present": 0, "absent": 0, "excused": 0}
    present_voters = 0
    for uid, mark in state["attendance"].items():
        tally[mark["status"]] += 1
        if mark["status"] == "present" and state["people"][uid]["votes"]:
            present_voters += 1
    return {**tally, "present_voters": present_voters,
            "quorum": int(present_voters >= state["quorum_needed"])}


def time_left(state: State, now: float) -> float | None:
    """Seconds left on the current agenda item (negative when over time)."""
    item = state["item"]
    if item is None:
        return None
    elapsed = item["elapsed_s"] + (now - item["started_at"] if item["started_at"] else 0.0)
    return item["duration_s"] - elapsed


# --------------------------------------------------------------------------- commands
# Public: the service's own commands (polls, action items) check rights the same way.
def require(condition: bool, code: str, message: str) -> None:
    """Refuse the command with ``code`` and ``message`` unless ``condition`` holds."""
    if not condition:
        raise LiveError(code, message)


def require_chair(actor: Actor) -> None:
    """Only the chair may do this."""
    require(actor.role == CHAIR, "forbidden", "Chỉ người chủ trì được thực hiện thao tác này.")


def require_organiser(actor: Actor) -> None:
    """Only the chair or the secretary may do this."""
    require(actor.role in ORGANISERS, "forbidden",
            "Chỉ người chủ trì hoặc thư ký được thực hiện thao tác này.")


def _running(state: State) -> None:
    require(state["status"] in ("open", "paused"), "not_running",
            "Phiên họp chưa mở hoặc đã kết thúc.")


def _present(state: State, user_id: int) -> None:
    mark = state["attendance"].get(str(user_id))
    require(mark is not None and mark["status"] == "present", "not_checked_in",
            "Bạn cần điểm danh trước khi thực hiện thao tác này.")


def _stop_item_clock(state: State, now: float) -> None:
    item = state["item"]
    if item and item["started_at"]:
        item["elapsed_s"] += now - item["started_at"]
        item["started_at"] = None


def _end_speaker(state: State, now: float, effects: list[tuple[str, dict[str, Any]]]) -> None:
    speaker = state["speaker"]
    if speaker is not None:
        effects.append(("speech_ended", {**speaker, "ended_at": now}))
        state["speaker"] = None


def _cmd_open(state: State, actor: Actor, payload: dict[str, Any], now: float,
              effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_chair(actor)
    require(state["status"] in ("scheduled", "paused"), "bad_state",
            "Phiên họp đang diễn ra hoặc đã kết thúc.")
    if state["status"] == "scheduled":
        effects.append(("opened", {}))
        if state["item"] is None and state["agenda"]:
            first = state["agenda"][0]
            state["item"] = {"id": first["id"], "duration_s": first["duration_s"],
                             "started_at": None, "elapsed_s": 0.0}
    state["status"] = "open"
    if state["item"]:
        state["item"]["started_at"] = now
    return {"status": state["status"], "item": state["item"]}


def _cmd_pause(state: State, actor: Actor, payload: dict[str, Any], now: float,
               effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_chair(actor)
    require(state["status"] == "open", "bad_state", "Phiên họp không ở trạng thái đang họp.")
    state["status"] = "paused"
    _stop_item_clock(state, now)
    return {"status": "paused", "item": state["item"]}


def _cmd_close(state: State, actor: Actor, payload: dict[str, Any], now: float,
               effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_chair(actor)
    _running(state)
    open_polls = [p for p in state["polls"].values() if p["state"] == "open"]
    require(not open_polls, "poll_open", "Hãy kết thúc biểu quyết đang mở trước khi bế mạc.")
    _stop_item_clock(state, now)
    _end_speaker(state, now, effects)
    state["status"] = "closed"
    state["queues"] = {"speak": [], "question": []}
    effects.append(("closed", {}))
    return {"status": "closed", "item": state["item"], "speaker": None,
            "queues": state["queues"]}


def _cmd_goto_item(state: State, actor: Actor, payload: dict[str, Any], now: float,
                   effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_chair(actor)
    _running(state)
    target = next((i for i in state["agenda"] if i["id"] == payload["item_id"]), None)
    require(target is not None, "unknown_item", "Không có nội dung này trong chương trình họp.")
    assert target is not None
    state["item"] = {"id": target["id"], "duration_s": target["duration_s"],
                     "started_at": now if state["status"] == "open" else None, "elapsed_s": 0.0}
    state["presenter"] = None
    return {"item": state["item"], "presenter": None}


def _cmd_present(state: State, actor: Actor, payload: dict[str, Any], now: float,
                 effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_chair(actor)
    _running(state)
    document_id, page = payload["document_id"], payload["page"]
    require(str(document_id) in state["documents"], "unknown_document",
            "Tài liệu không thuộc cuộc họp này.")
    require(1 <= page <= MAX_PAGE, "bad_page", "Số trang không hợp lệ.")
    state["presenter"] = {"document_id": document_id, "page": page}
    return {"presenter": state["presenter"]}


def _cmd_check_in(state: State, actor: Actor, payload: dict[str, Any], now: float,
                  effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require(state["status"] != "closed", "bad_state", "Phiên họp đã kết thúc.")
    target = payload.get("user_id") or actor.user_id
    status = payload.get("status") or "present"
    reason = (payload.get("reason") or "").strip()[:500]
    if target != actor.user_id or status != "present":
        require_organiser(actor)
    require(str(target) in state["attendance"], "unknown_person",
            "Người này không có trong danh sách mời họp.")
    require(status in ATTENDANCE, "bad_status", "Trạng thái điểm danh không hợp lệ.")
    mark = state["attendance"][str(target)]
    if mark["status"] == status and mark["reason"] == reason:
        raise LiveError("unchanged", "Đã ghi nhận trước đó.")
    mark.update(status=status, at=now if status == "present" else None, reason=reason)
    effects.append(("attendance", {"user_id": target, **mark}))
    return {f"attendance.{target}": mark}


def _cmd_request_speak(state: State, actor: Actor, payload: dict[str, Any], now: float,
                       effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    _running(state)
    _present(state, actor.user_id)
    queue = payload["queue"]
    require(queue in QUEUES, "bad_queue", "Hàng chờ không hợp lệ.")
    waiting = state["queues"][queue]
    require(actor.user_id not in waiting, "already_queued", "Bạn đã đăng ký phát biểu.")
    speaker = state["speaker"]
    require(speaker is None or speaker["user_id"] != actor.user_id, "already_speaking",
            "Bạn đang phát biểu.")
    waiting.append(actor.user_id)
    state.setdefault("requested_at", {})[f"{queue}:{actor.user_id}"] = now
    return {f"queues.{queue}": waiting}


def _cmd_withdraw_speak(state: State, actor: Actor, payload: dict[str, Any], now: float,
                        effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    queue = payload["queue"]
    require(queue in QUEUES, "bad_queue", "Hàng chờ không hợp lệ.")
    waiting = state["queues"][queue]
    require(actor.user_id in waiting, "not_queued", "Bạn chưa đăng ký phát biểu.")
    waiting.remove(actor.user_id)
    state.get("requested_at", {}).pop(f"{queue}:{actor.user_id}", None)
    return {f"queues.{queue}": waiting}


def _cmd_grant_speak(state: State, actor: Actor, payload: dict[str, Any], now: float,
                     effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_chair(actor)
    require(state["status"] == "open", "bad_state", "Phiên họp không ở trạng thái đang họp.")
    queue, user_id = payload["queue"], payload["user_id"]
    require(queue in QUEUES, "bad_queue", "Hàng chờ không hợp lệ.")
    waiting = state["queues"][queue]
    require(user_id in waiting, "not_queued", "Người này không có trong hàng chờ.")
    limit = payload.get("limit_s") or 180
    require(10 <= limit <= MAX_SPEAK_SECONDS, "bad_limit", "Thời gian phát biểu không hợp lệ.")
    _end_speaker(state, now, effects)
    waiting.remove(user_id)
    requested = state.get("requested_at", {}).pop(f"{queue}:{user_id}", None)
    state["speaker"] = {"user_id": user_id, "queue": queue, "started_at": now,
                        "limit_s": limit, "requested_at": requested,
                        "item_id": state["item"]["id"] if state["item"] else None}
    return {"speaker": state["speaker"], f"queues.{queue}": waiting}


def _cmd_end_speak(state: State, actor: Actor, payload: dict[str, Any], now: float,
                   effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    speaker = state["speaker"]
    require(speaker is not None, "no_speaker", "Không có ai đang phát biểu.")
    assert speaker is not None
    if speaker["user_id"] != actor.user_id:
        require_chair(actor)
    _end_speaker(state, now, effects)
    return {"speaker": None}


def _cmd_conclude(state: State, actor: Actor, payload: dict[str, Any], now: float,
                  effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    require_organiser(actor)
    item_id = payload["item_id"]
    require(any(i["id"] == item_id for i in state["agenda"]), "unknown_item",
            "Không có nội dung này trong chương trình họp.")
    text = payload["text"].strip()
    require(0 < len(text) <= 10_000, "bad_text", "Nội dung kết luận không hợp lệ.")
    state["conclusions"][str(item_id)] = text
    effects.append(("conclusion", {"item_id": item_id, "text": text}))
    return {f"conclusions.{item_id}": text}


# Internal commands, issued by the service after it wrote the rows they describe.
def _cmd_poll_set(state: State, actor: Actor, payload: dict[str, Any], now: float,
                  effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    poll = payload["poll"]
    state["polls"][str(poll["id"])] = poll
    return {f"polls.{poll['id']}": poll}


def _cmd_roster(state: State, actor: Actor, payload: dict[str, Any], now: float,
                effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Agenda, people or documents changed in preparation; attendance marks are kept."""
    state["agenda"] = payload["agenda"]
    state["people"] = {str(uid): p for uid, p in payload["people"].items()}
    state["documents"] = {str(did): d for did, d in payload["documents"].items()}
    for uid in state["people"]:
        state["attendance"].setdefault(uid, {"status": "absent", "at": None, "reason": ""})
    for uid in list(state["attendance"]):
        if uid not in state["people"]:
            del state["attendance"][uid]
    state["quorum_needed"] = payload["quorum_needed"]
    return {key: state[key] for key in
            ("agenda", "people", "documents", "attendance", "quorum_needed")}


def _cmd_action_added(state: State, actor: Actor, payload: dict[str, Any], now: float,
                      effects: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    state["actions"].append(payload["action"])
    return {"actions": state["actions"]}


COMMANDS = {
    "open": _cmd_open,
    "pause": _cmd_pause,
    "close": _cmd_close,
    "goto_item": _cmd_goto_item,
    "present": _cmd_present,
    "check_in": _cmd_check_in,
    "request_speak": _cmd_request_speak,
    "withdraw_speak": _cmd_withdraw_speak,
    "grant_speak": _cmd_grant_speak,
    "end_speak": _cmd_end_speak,
    "conclude": _cmd_conclude,
}
INTERNAL = {"poll_set": _cmd_poll_set, "action_added": _cmd_action_added,
            "roster": _cmd_roster}


def apply(state: State, actor: Actor, command: str, payload: dict[str, Any], now: float,
          *, internal: bool = False) -> Change:
    """Apply one command in place; return the patch that brings version ``v-1`` to ``v``.

    Raises ``LiveError`` (and leaves ``state`` unchanged) when the command is refused.
    """
    table = {**COMMANDS, **INTERNAL} if internal else COMMANDS
    handler = table.get(command)
    if handler is None:
        raise LiveError("unknown_command", "Thao tác không được hỗ trợ.")
    effects: list[tuple[str, dict[str, Any]]] = []
    patch = handler(state, actor, payload, now, effects)
    state["version"] += 1
    return Change(version=state["version"], patch=patch, effects=effects)


def apply_patch(state: State, version: int, patch: dict[str, Any]) -> bool:
    """What a client does with a change: True if applied, False if it needs a snapshot.

    Used by the tests (and mirrored by ``static/meetings/live.js``).
    """
    if version <= state["version"]:
        return True  # a duplicate: already have it
    if version != state["version"] + 1:
        return False
    for path, value in patch.items():
        target = state
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    state["version"] = version
    return True
