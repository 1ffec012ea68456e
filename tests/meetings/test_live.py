"""The live-session rules as pure functions: no database, no sockets."""

from __future__ import annotations

import copy

import pytest

from meetings import live
from meetings.live import Actor, LiveError

CHAIR, SECRETARY, MEMBER, GUEST = (Actor(1, "chair"), Actor(2, "secretary"), Actor(3, "member"),
                                   Actor(4, "guest"))


def fresh() -> live.State:
    people = {1: {"name": "Chủ trì", "role": "chair", "votes": True},
              2: {"name": "Thư ký", "role": "secretary", "votes": False},
              3: {"name": "Thành viên", "role": "member", "votes": True},
              4: {"name": "Khách", "role": "guest", "votes": False},
              5: {"name": "Thành viên 2", "role": "member", "votes": True}}
    return live.new_state(
        7, agenda=[{"id": 10, "title": "Mục 1", "duration_s": 600},
                   {"id": 11, "title": "Mục 2", "duration_s": 300}],
        people=people, documents={20: {"item_id": 10, "title": "Báo cáo", "file_id": 1}},
        quorum_percent=50)


def test_only_the_chair_opens_pauses_and_closes() -> None:
    state = fresh()
    for actor in (SECRETARY, MEMBER, GUEST):
        with pytest.raises(LiveError) as refused:
            live.apply(state, actor, "open", {}, 100.0)
        assert refused.value.code == "forbidden"
    assert state["version"] == 0
    change = live.apply(state, CHAIR, "open", {}, 100.0)
    assert change.version == 1 and state["status"] == "open" and state["item"]["id"] == 10
    assert ("opened", {}) in change.effects
    live.apply(state, CHAIR, "pause", {}, 160.0)
    assert live.time_left(state, 500.0) == 540.0  # the clock stops while paused
    live.apply(state, CHAIR, "open", {}, 200.0)
    assert live.time_left(state, 260.0) == 480.0
    live.apply(state, CHAIR, "close", {}, 300.0)
    with pytest.raises(LiveError):
        live.apply(state, CHAIR, "open", {}, 400.0)


def test_check_in_counts_and_quorum() -> None:
    state = fresh()
    assert state["quorum_needed"] == 2  # half of three voters, rounded up
    live.apply(state, MEMBER, "check_in", {}, 1.0)
    assert live.counts(state) == {"present": 1, "absent": 4, "excused": 0,
                                  "present_voters": 1, "quorum": 0}
    with pytest.raises(LiveError):  # a member cannot mark somebody else
        live.apply(state, MEMBER, "check_in", {"user_id": 5}, 2.0)
    live.apply(state, SECRETARY, "check_in", {"user_id": 5, "status": "excused",
                                              "reason": "Đi công tác"}, 2.0)
    live.apply(state, CHAIR, "check_in", {}, 3.0)
    counts = live.counts(state)
    assert (counts["present"], counts["excused"], counts["quorum"]) == (2, 1, 1)
    with pytest.raises(LiveError) as again:
        live.apply(state, CHAIR, "check_in", {}, 4.0)
    assert again.value.code == "unchanged"


def test_speaker_queue_request_withdraw_grant_end() -> None:
    state = fresh()
    live.apply(state, CHAIR, "open", {}, 0.0)
    with pytest.raises(LiveError) as refused:
        live.apply(state, MEMBER, "request_speak", {"queue": "speak"}, 1.0)
    assert refused.value.code == "not_checked_in"
    live.apply(state, MEMBER, "check_in", {}, 1.0)
    live.apply(state, GUEST, "check_in", {}, 1.0)
    live.apply(state, MEMBER, "request_speak", {"queue": "speak"}, 2.0)
    live.apply(state, GUEST, "request_speak", {"queue": "question"}, 2.0)
    assert state["queues"] == {"speak": [3], "question": [4]}
    with pytest.raises(LiveError):
        live.apply(state, MEMBER, "grant_speak", {"queue": "speak", "user_id": 3}, 3.0)
    live.apply(state, GUEST, "withdraw_speak", {"queue": "question"}, 3.0)
    change = live.apply(state, CHAIR, "grant_speak",
                        {"queue": "speak", "user_id": 3, "limit_s": 120}, 4.0)
    assert change.patch["speaker"]["user_id"] == 3 and state["queues"]["speak"] == []
    change = live.apply(state, MEMBER, "end_speak", {}, 64.0)  # the speaker may stop
    kind, data = change.effects[0]
    assert kind == "speech_ended" and data["ended_at"] - data["started_at"] == 60.0


def test_presenter_follow_needs_a_known_document_and_page() -> None:
    state = fresh()
    live.apply(state, CHAIR, "open", {}, 0.0)
    with pytest.raises(LiveError):
        live.apply(state, CHAIR, "present", {"document_id": 99, "page": 1}, 1.0)
    with pytest.raises(LiveError):
        live.apply(state, CHAIR, "present", {"document_id": 20, "page": 0}, 1.0)
    with pytest.raises(LiveError):
        live.apply(state, MEMBER, "present", {"document_id": 20, "page": 2}, 1.0)
    change = live.apply(state, CHAIR, "present", {"document_id": 20, "page": 3}, 1.0)
    assert change.patch == {"presenter": {"document_id": 20, "page": 3}}


def test_patches_rebuild_the_state_and_duplicates_or_gaps_are_detected() -> None:
    server = fresh()
    client = copy.deepcopy(server)
    changes = [
        live.apply(server, CHAIR, "open", {}, 0.0),
        live.apply(server, MEMBER, "check_in", {}, 1.0),
        live.apply(server, CHAIR, "present", {"document_id": 20, "page": 2}, 2.0),
        live.apply(server, CHAIR, "goto_item", {"item_id": 11}, 3.0),
    ]
    assert live.apply_patch(client, changes[0].version, changes[0].patch)
    assert live.apply_patch(client, changes[0].version, changes[0].patch)  # duplicate: ignored
    assert not live.apply_patch(client, changes[2].version, changes[2].patch)  # gap
    for change in changes[1:]:
        assert live.apply_patch(client, change.version, change.patch)
    assert client == server


def test_unknown_and_internal_commands_are_refused_from_outside() -> None:
    state = fresh()
    for name in ("drop_tables", "poll_set", "roster"):
        with pytest.raises(LiveError) as refused:
            live.apply(state, CHAIR, name, {}, 0.0)
        assert refused.value.code == "unknown_command"
