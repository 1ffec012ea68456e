"""A vote's verdict: passed or not, against the majority base and threshold chosen when the
vote was created; every participant's state carries it."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.extensions import db
from meetings.polls import verdict
from tests.meetings.conftest import Person, Prepared


def test_verdict_counts_against_the_chosen_base_and_threshold() -> None:
    # 3 approve of 5 present, 8 voting members, 4 ballots cast.
    counts = {"eligible": 5, "voted": 4, "members": 8}
    assert verdict([3, 1, 0], "present", "half", **counts)["passed"] is True
    assert verdict([3, 1, 0], "members", "half", **counts)["passed"] is False
    assert verdict([3, 1, 0], "cast", "two_thirds", **counts)["passed"] is True
    assert verdict([3, 1, 0], "cast", "three_quarters", **counts)["passed"] is True
    assert verdict([3, 1, 0], "present", "two_thirds", **counts)["passed"] is False
    # "More than half" is strict: 2 of 4 is not a majority; "two thirds" is reached at 2/3.
    assert verdict([2, 2], "cast", "half", eligible=4, voted=4, members=4)["passed"] is False
    assert verdict([2, 1], "cast", "two_thirds", eligible=3, voted=3, members=3)["passed"]
    assert verdict([0, 0], "cast", "half", eligible=3, voted=0, members=3)["passed"] is False
    assert verdict(None, "cast", "half", eligible=3, voted=0, members=3) is None
    text = verdict([3, 1, 0], "members", "half", **counts)["text"]
    assert text == "Không thông qua: 3/8 tổng số thành viên tán thành (cần quá 1/2)"


def test_every_participant_sees_the_verdict(mapp: Flask, prepared: Prepared,
                                            person: Callable[[str], Person]) -> None:
    chair, secretary, a, b = (person("chutich"), person("thuky"), person("phochutich"),
                              person("truongphong"))
    for p in (chair, secretary, a, b):
        p.join(prepared.meeting_id)
    assert chair.emit("open")["ok"]
    for p in (chair, a, b):
        assert p.emit("check_in")["ok"]
    refused = chair.emit("create_poll", {"question": "Thông qua?", "secret": False,
                                         "majority_base": "everyone", "threshold": "half"})
    assert not refused["ok"] and refused["error"] == "bad_rule"
    # Of all four voting members (chair and three members), at least two thirds.
    assert chair.emit("create_poll", {"question": "Thông qua kế hoạch năm 2027?",
                                      "secret": True, "majority_base": "members",
                                      "threshold": "two_thirds"})["ok"]
    poll_id = int(next(iter(chair.emit("snapshot")["snapshot"]["polls"])))
    assert chair.emit("open_poll", {"poll_id": poll_id})["ok"]
    for p, choice in ((chair, 0), (a, 0), (b, 1)):
        assert p.emit("vote", {"poll_id": poll_id, "choice": choice})["ok"]
    assert chair.emit("close_poll", {"poll_id": poll_id})["ok"]
    for p in (secretary, a, b):
        closed = [c["patch"][f"polls.{poll_id}"] for c in p.received("change")
                  if f"polls.{poll_id}" in c["patch"]][-1]
        assert closed["state"] == "closed"
        assert closed["verdict"] == {
            "passed": False, "approving": 2, "base_count": 4,
            "text": "Không thông qua: 2/4 tổng số thành viên tán thành (cần từ 2/3 trở lên)"}
    with mapp.app_context():
        closed_event = db.session.execute(select(Event).where(
            Event.action == "poll_closed")).scalar_one()
        assert closed_event.details["passed"] is False  # the record says what the room saw
