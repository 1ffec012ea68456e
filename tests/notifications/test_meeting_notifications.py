"""Invitations reach the bell naming the meeting (its title and time), never "#12"."""

from __future__ import annotations

from flask import Flask

from eoffice.extensions import db
from eoffice.notifications.models import Notification
from tests.meetings.conftest import mapp, prepare_meeting  # noqa: F401  (mapp: fixture)


def test_an_invitation_names_the_meeting(mapp: Flask) -> None:  # noqa: F811
    prepared = prepare_meeting(mapp)
    with mapp.app_context():
        notes = db.session.query(Notification).filter(
            Notification.user_id == prepared.users["phochutich"]).all()
        assert len(notes) == 1
        assert "mời bạn họp — Cuộc họp: Họp giao ban tháng 11 (" in notes[0].title
        assert notes[0].url == f"/meetings/{prepared.meeting_id}"
        # The secretary sent the invitations: nothing for her own act.
        assert db.session.query(Notification).filter(
            Notification.user_id == prepared.users["thuky"]).count() == 0
