"""The /meeting namespace through the Flask-SocketIO test client: auth, rules, bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.extensions import db, socketio
from meetings.models import LiveStateRow, Participant, Poll, PollTally, PollVoter
from meetings.namespace import NAMESPACE
from tests.meetings.conftest import Person, Prepared


def version_of(app: Flask, meeting_id: int) -> int:
    with app.app_context():
        row = db.session.get(LiveStateRow, meeting_id)
        return row.version if row else 0


def test_anonymous_connection_is_refused(mapp: Flask) -> None:
    client = socketio.test_client(mapp, namespace=NAMESPACE)
    assert not client.is_connected(NAMESPACE)


def test_a_page_on_another_site_cannot_connect_with_the_users_cookie(mapp: Flask) -> None:
    from tests.conftest import login

    http = mapp.test_client()
    login(http, "phochutich")
    evil = socketio.test_client(mapp, namespace=NAMESPACE, flask_test_client=http,
                                headers={"Origin": "https://evil.example"})
    assert not evil.is_connected(NAMESPACE)
    same = socketio.test_client(mapp, namespace=NAMESPACE, flask_test_client=http,
                                headers={"Origin": "http://localhost"})
    assert same.is_connected(NAMESPACE)
    same.disconnect(NAMESPACE)


def test_only_invited_people_join(prepared: Prepared, person: Callable[[str], Person]) -> None:
    outsider = person("chanhvanphong")
    reply = outsider.emit("join", {"meeting_id": prepared.meeting_id})
    assert reply == {"ok": False, "error": "forbidden",
                     "message": "Bạn không có trong danh sách dự họp."}
    # Without joining, commands have no meeting to act on.
    assert outsider.emit("open")["error"] == "not_joined"
    member = person("truongphong")
    snapshot = member.join(prepared.meeting_id)
    assert snapshot["me"]["role"] == "member" and snapshot["status"] == "scheduled"
    assert [i["id"] for i in snapshot["agenda"]] == prepared.item_ids


def test_check_in_and_presenter_follow_reach_everyone_in_order(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    chair, member, guest = person("chutich"), person("phochutich"), person("vanthu")
    for p in (chair, member, guest):
        p.join(prepared.meeting_id)
        p.received()
    assert chair.emit("open")["ok"]
    assert member.emit("check_in")["ok"]
    assert chair.emit("present", {"document_id": prepared.document_id, "page": 3})["ok"]
    changes = guest.received("change")
    assert [c["version"] for c in changes] == [1, 2, 3]
    assert changes[2]["patch"] == {"presenter": {"document_id": prepared.document_id, "page": 3}}
    assert changes[1]["patch"][f"attendance.{prepared.users['phochutich']}"]["status"] == "present"
    with mapp.app_context():
        row = db.session.execute(select(Participant).where(
            Participant.user_id == prepared.users["phochutich"])).scalar_one()
        assert row.attendance == "present" and row.checked_in_at is not None
        assert db.session.execute(select(Event).where(Event.action == "checked_in")).scalar()


@pytest.mark.parametrize(
    ("event", "payload", "error"),
    [
        ("drop_everything", {}, "unknown_event"),
        ("present", {"document_id": "1", "page": 3}, "bad_payload"),
        ("present", {"document_id": True, "page": 3}, "bad_payload"),
        ("present", [1, 3], "bad_payload"),
        ("present", {"page": 3}, "bad_payload"),
        ("goto_item", {"item_id": 10**20}, "bad_payload"),
        ("request_speak", {"queue": "x" * 100}, "bad_payload"),
        ("open", None, "forbidden"),  # a member sending a chair command
        ("close_poll", {"poll_id": 999}, "forbidden"),
    ],
)
def test_bad_input_gets_an_error_and_changes_nothing(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person], event: str,
    payload: object, error: str,
) -> None:
    member = person("truongphong")
    member.join(prepared.meeting_id)
    member.received()
    before = version_of(mapp, prepared.meeting_id)
    reply = member.emit(event, payload)
    assert reply["ok"] is False and reply["error"] == error and reply["message"]
    assert [e["error"] for e in member.received("command_error")] == [error]
    assert version_of(mapp, prepared.meeting_id) == before


def test_a_flood_is_refused_after_the_burst(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    member = person("truongphong")
    member.join(prepared.meeting_id)
    before = version_of(mapp, prepared.meeting_id)
    replies = [member.emit("no_such_event", {}) for _ in range(200)]
    errors = [r["error"] for r in replies]
    assert errors[:30] == ["unknown_event"] * 30  # each one answered and refused on its merits
    assert errors.count("rate_limited") >= 100  # then the flood is cut off before any work
    assert version_of(mapp, prepared.meeting_id) == before


def test_secret_vote_once_each_and_no_record_of_who_chose_what(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    chair, a, b, guest = (person("chutich"), person("phochutich"), person("truongphong"),
                          person("vanthu"))
    for p in (chair, a, b, guest):
        p.join(prepared.meeting_id)
        assert p.emit("check_in")["ok"]
    assert chair.emit("open")["ok"]
    created = chair.emit("create_poll", {"question": "Thông qua kế hoạch?", "secret": True})
    assert created["ok"], created
    poll_id = int(next(iter(chair.emit("snapshot")["snapshot"]["polls"])))
    assert a.emit("vote", {"poll_id": poll_id, "choice": 0})["error"] == "poll_closed"
    assert a.emit("open_poll", {"poll_id": poll_id})["error"] == "forbidden"
    assert chair.emit("open_poll", {"poll_id": poll_id})["ok"]
    first = a.emit("vote", {"poll_id": poll_id, "choice": 0})
    assert first == {"ok": True, "poll_id": poll_id, "duplicate": False, "voted": 1,
                     "eligible": 3}
    retry = a.emit("vote", {"poll_id": poll_id, "choice": 1})  # a retry, even if different
    assert retry["ok"] and retry["duplicate"] and retry["voted"] == 1
    assert guest.emit("vote", {"poll_id": poll_id, "choice": 0})["error"] == "not_eligible"
    assert b.emit("vote", {"poll_id": poll_id, "choice": 7})["error"] == "bad_choice"
    assert b.emit("vote", {"poll_id": poll_id, "choice": 1})["ok"]
    assert chair.emit("vote", {"poll_id": poll_id, "choice": 0})["ok"]
    progress = [e for e in guest.received("poll_progress")]
    assert progress and progress[0]["voted"] == 1 and progress[0]["eligible"] == 3
    assert chair.emit("close_poll", {"poll_id": poll_id})["ok"]
    closed = guest.received("change")[-1]["patch"][f"polls.{poll_id}"]
    assert closed["state"] == "closed" and closed["result"] == [2, 1, 0]
    assert b.emit("vote", {"poll_id": poll_id, "choice": 0})["ok"]  # b already voted: retry
    late = person("chuyenvien")
    late.join(prepared.meeting_id)
    late.emit("check_in")
    assert late.emit("vote", {"poll_id": poll_id, "choice": 0})["error"] == "poll_closed"
    with mapp.app_context():
        voters = db.session.execute(select(PollVoter)).scalars().all()
        assert len(voters) == 3 and all(v.choice is None for v in voters)
        tallies = db.session.execute(select(PollTally.option_index, PollTally.count)
                                     .order_by(PollTally.option_index)).all()
        assert [tuple(t) for t in tallies] == [(0, 2), (1, 1), (2, 0)]
        poll = db.session.get(Poll, poll_id)
        assert poll.result == [2, 1, 0] and poll.voted_count == 3
        voted = db.session.execute(select(Event).where(Event.action == "voted")).scalars().all()
        assert len(voted) == 3 and all(set(e.details) == {"poll_id"} for e in voted)


def test_open_vote_keeps_each_choice(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    chair, a = person("chutich"), person("phochutich")
    for p in (chair, a):
        p.join(prepared.meeting_id)
        p.emit("check_in")
    chair.emit("open")
    chair.emit("create_poll", {"question": "Chọn phương án", "secret": False,
                               "options": ["Phương án A", "Phương án B"]})
    poll_id = int(next(iter(chair.emit("snapshot")["snapshot"]["polls"])))
    chair.emit("open_poll", {"poll_id": poll_id})
    assert a.emit("vote", {"poll_id": poll_id, "choice": 1})["ok"]
    assert a.emit("snapshot")["snapshot"]["me"]["ballots"] == {str(poll_id): 1}
    with mapp.app_context():
        voter = db.session.execute(select(PollVoter)).scalar_one()
        assert voter.choice == 1 and voter.user_id == prepared.users["phochutich"]


def test_reconnect_receives_a_snapshot_with_everything_missed(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    chair, member = person("chutich"), person("phochutich")
    chair.join(prepared.meeting_id)
    seen = member.join(prepared.meeting_id)
    member.emit("check_in")
    chair.emit("open")
    member.sio.disconnect(NAMESPACE)
    chair.emit("present", {"document_id": prepared.document_id, "page": 4})
    chair.emit("goto_item", {"item_id": prepared.item_ids[1]})
    chair.emit("present", {"document_id": prepared.document_id, "page": 2})
    member.sio.connect(namespace=NAMESPACE)
    again = member.join(prepared.meeting_id)
    assert again["version"] == seen["version"] + 5
    assert again["presenter"] == {"document_id": prepared.document_id, "page": 2}
    assert again["item"]["id"] == prepared.item_ids[1]
    assert again["attendance"][str(prepared.users["phochutich"])]["status"] == "present"


def test_speaking_is_recorded(
    mapp: Flask, prepared: Prepared, person: Callable[[str], Person]
) -> None:
    chair, member = person("chutich"), person("phochutich")
    for p in (chair, member):
        p.join(prepared.meeting_id)
        p.emit("check_in")
    chair.emit("open")
    assert member.emit("request_speak", {"queue": "question"})["ok"]
    assert member.emit("request_speak", {"queue": "question"})["error"] == "already_queued"
    assert chair.emit("grant_speak", {"queue": "question",
                                      "user_id": prepared.users["phochutich"]})["ok"]
    assert chair.emit("end_speak")["ok"]
    with mapp.app_context():
        spoke = db.session.execute(select(Event).where(Event.action == "spoke")).scalar_one()
        assert spoke.details["user_ids"] == [prepared.users["phochutich"]]
