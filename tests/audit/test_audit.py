"""The audit trail is append-only in effect: any edit of a past row is detected."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from eoffice import audit
from eoffice.audit.models import Event
from eoffice.extensions import db
from tests.documents.conftest import create_incoming, user


def _record_three(app: Flask) -> list[int]:
    with app.app_context():
        ids = [
            audit.record(None, "received", "document", 1, number=12).id,
            audit.record(None, "registered", "document", 1, note="Số đến 12").id,
            audit.record(None, "directed", "document", 1, deadline="2026-12-01").id,
        ]
        db.session.commit()
        return ids


def test_events_chain_and_verify(app: Flask) -> None:
    _record_three(app)
    with app.app_context():
        events = db.session.execute(select(Event).order_by(Event.id)).scalars().all()
        assert events[0].prev_hash == "0" * 64
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert events[0].occurred_at.tzinfo is not None
        report = audit.verify_chain()
        assert report.ok and report.checked == 3


def test_editing_a_row_is_detected_and_named(app: Flask) -> None:
    ids = _record_three(app)
    with app.app_context():
        db.session.execute(
            text("UPDATE events SET details = :d WHERE id = :id"),
            {"d": '{"note": "Số đến 13"}', "id": ids[1]},
        )
        db.session.commit()
        report = audit.verify_chain()
        assert not report.ok
        assert report.first_broken_id == ids[1]
        assert "content" in report.reason


def test_deleting_a_row_is_detected(app: Flask) -> None:
    ids = _record_three(app)
    with app.app_context():
        db.session.execute(text("DELETE FROM events WHERE id = :id"), {"id": ids[1]})
        db.session.commit()
        report = audit.verify_chain()
        assert not report.ok and report.first_broken_id == ids[2]


def test_cli_verify_reports_ok_then_fails_when_tampered(app: Flask) -> None:
    ids = _record_three(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 events" in result.output
    with app.app_context():
        db.session.execute(
            text("UPDATE events SET action = 'forged' WHERE id = :id"), {"id": ids[0]}
        )
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {ids[0]}" in result.output


def test_a_forked_chain_is_impossible(app: Flask) -> None:
    """Two events claiming the same predecessor: the database refuses the second."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    _record_three(app)
    with app.app_context():
        last = db.session.execute(select(Event).order_by(Event.id.desc())).scalars().first()
        assert last is not None
        clone = Event(
            occurred_at=last.occurred_at, actor_id=None, action="x", object_kind="y",
            object_id="1", details={}, prev_hash=last.prev_hash, hash="f" * 64,
        )
        db.session.add(clone)
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_concurrent_writers_all_append_to_one_chain(app: Flask) -> None:
    """Requests in parallel threads each record events; none is refused, the chain holds."""
    import threading

    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with app.app_context():
                for step in range(5):
                    audit.record(None, "opened", "document", number, step=step)
                    db.session.commit()
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        report = audit.verify_chain()
        assert report.ok and report.checked == 40


def test_history_keeps_who_acted_as_they_were_then(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    """A rename or a new title after the act does not rewrite the document's history."""
    with app.app_context():
        document = create_incoming(subject="Về việc kiểm tra công tác cải cách hành chính")
        document_id = document.id
        clerk = user("vanthu")
        old_name = clerk.full_name
        old_title = clerk.position.title if clerk.position else None
        clerk.full_name = "Tên Mới Sau Khi Đổi"
        db.session.commit()
        registered = db.session.execute(select(Event).where(
            Event.object_kind == "document", Event.object_id == str(document_id),
            Event.actor_id == clerk.id)).scalars().first()
        assert registered is not None
        assert (registered.actor_name, registered.actor_title) == (old_name, old_title)
        # The snapshot is covered by the chain: editing it is detected.
        assert audit.verify_chain().ok
        db.session.execute(text("UPDATE events SET actor_name = 'Người khác' WHERE id = :id"),
                           {"id": registered.id})
        db.session.commit()
        assert audit.verify_chain().first_broken_id == registered.id
        db.session.execute(text("UPDATE events SET actor_name = :n WHERE id = :id"),
                           {"n": old_name, "id": registered.id})
        db.session.commit()

    login_as("vanthu")
    page = client.get(f"/documents/incoming/{document_id}").get_data(as_text=True)
    history = page[page.index('<ol class="history"'):]
    history = history[:history.index("</ol>")]
    assert old_name in history
    assert "Tên Mới Sau Khi Đổi" not in history
