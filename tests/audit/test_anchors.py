"""Anchors: the TSA timestamps the chain's head, so an administrator who rewrites the tail and
recomputes every hash (the chain then verifies) is still caught, and the first event after the
last anchor that holds is named. The export gives an inspector events, hashes and tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from eoffice import audit
from eoffice.audit.models import AuditAnchor, Event
from eoffice.audit.service import GENESIS, event_hash
from eoffice.extension_points import registered
from eoffice.extensions import db
from tests.conftest import _wipe, make_app
from tests.services.redis import free_port


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("anchor-pki")  # the demo TSA, made once for the module


@pytest.fixture()
def aapp(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(pki_dir))
    try:
        yield application
    finally:
        _wipe(application)


def record(app: Flask, count: int, start: int = 0) -> list[int]:
    with app.app_context():
        ids = [audit.record(None, "registered", "document", start + n, number=start + n).id
               for n in range(count)]
        db.session.commit()
        return ids


def cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def rewrite_from(app: Flask, first_id: int) -> None:
    """What a database administrator can do: change an event and recompute every later hash."""
    with app.app_context():
        rows = db.session.execute(select(Event).where(Event.id >= first_id - 1)
                                  .order_by(Event.id)).scalars().all()
        previous = rows[0].hash if rows[0].id < first_id else GENESIS
        for row in rows:
            if row.id < first_id:
                continue
            details = {**row.details, "number": 999} if row.id == first_id else row.details
            new_hash = event_hash(previous, row.occurred_at, row.actor_id, row.action,
                                  row.object_kind, row.object_id, details, row.actor_name,
                                  row.actor_title)
            db.session.execute(update(Event).where(Event.id == row.id).values(
                details=details, prev_hash=previous, hash=new_hash))
            previous = new_hash
        db.session.commit()
        assert audit.verify_chain().ok  # the chain alone no longer shows anything


def test_anchors_catch_a_tail_rewritten_with_recomputed_hashes(aapp: Flask) -> None:
    first = record(aapp, 4)
    code, output = cli(aapp, "audit", "anchor")
    assert code == 0 and f"sự kiện {first[-1]}" in output, output
    assert cli(aapp, "audit", "anchor")[1].startswith("Không có sự kiện mới")
    second = record(aapp, 3, start=10)
    assert cli(aapp, "audit", "anchor")[0] == 0
    record(aapp, 2, start=20)
    code, output = cli(aapp, "audit", "verify")
    assert code == 0 and "OK: 2 anchors match" in output, output

    rewrite_from(aapp, second[1])
    code, output = cli(aapp, "audit", "verify")
    assert code == 1, output
    assert f"event {second[-1]} no longer has the hash timestamped" in output
    assert (f"first event after the last good anchor (event {first[-1]}) is event {second[0]}"
            in output), output

    # Removing the anchors from the database too: the copies under anchors/ remain.
    with aapp.app_context():
        db.session.execute(delete(AuditAnchor))
        db.session.commit()
    code, output = cli(aapp, "audit", "verify")
    assert code == 1 and "its database row is gone" in output, output
    assert f"is event {second[0]}" in output, output


def test_a_forged_token_is_not_an_anchor(aapp: Flask) -> None:
    record(aapp, 2)
    assert cli(aapp, "audit", "anchor")[0] == 0
    with aapp.app_context():
        anchor = db.session.execute(select(AuditAnchor)).scalar_one()
        forged = bytearray(anchor.token)
        forged[-40] ^= 0xFF  # inside the TSA's signature
        anchor.token = bytes(forged)
        db.session.commit()
    code, output = cli(aapp, "audit", "verify")
    assert code == 1 and "token" in output, output


def test_the_periodic_job_anchors_and_export_carries_hashes_and_tokens(
    aapp: Flask, tmp_path: Path
) -> None:
    ids = record(aapp, 3)
    with aapp.app_context():
        assert "audit_anchor" in [kind for kind, _ in registered("periodic_jobs")]
        handler = dict(registered("job_handlers"))["audit_anchor"]
        assert handler(None) == {"event_id": ids[-1]}
        db.session.remove()
    out = tmp_path / "audit.jsonl"
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # days are local days
    code, output = cli(aapp, "audit", "export", "--from", (today - timedelta(days=1)).isoformat(),
                       "--to", today.isoformat(), str(out))
    assert code == 0, output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    events = [line for line in lines if line["type"] == "event"]
    assert [e["id"] for e in events] == ids
    previous = events[0]["prev_hash"]
    for event in events:  # an inspector recomputes every hash from the exported fields
        assert event["prev_hash"] == previous
        assert event["hash"] == event_hash(
            event["prev_hash"], datetime.fromisoformat(event["occurred_at"] + "+00:00"),
            event["actor_id"], event["action"], event["object_kind"], event["object_id"],
            event["details"], event["actor_name"], event["actor_title"])
        previous = event["hash"]
    anchors = [line for line in lines if line["type"] == "anchor"]
    assert [a["event_id"] for a in anchors] == [ids[-1]] and anchors[0]["token"]
    assert lines[-1] == {"type": "summary", "events": 3, "first_id": ids[0],
                         "last_id": ids[-1]}
    with aapp.app_context():
        assert db.session.execute(select(Event.action).order_by(Event.id.desc())
                                  .limit(1)).scalar() == "audit_exported"


def test_an_unreachable_timestamp_authority_is_said_plainly(
    database_url: str, tmp_path: Path
) -> None:
    application = make_app(tmp_path, database_url,
                           tsa_url=f"http://127.0.0.1:{free_port()}/tsa")
    try:
        record(application, 1)
        code, output = cli(application, "audit", "anchor")
        assert code == 1 and "không trả lời" in output, output
        with application.app_context():
            assert db.session.execute(select(AuditAnchor)).first() is None
    finally:
        _wipe(application)


def test_a_chain_that_does_not_verify_is_not_anchored(aapp: Flask) -> None:
    ids = record(aapp, 3)
    with aapp.app_context():
        db.session.execute(update(Event).where(Event.id == ids[1]).values(
            details={"number": 12345}))
        db.session.commit()
    code, output = cli(aapp, "audit", "anchor")
    assert code == 1 and "không còn nguyên vẹn" in output, output
    with aapp.app_context():
        assert db.session.execute(select(AuditAnchor)).first() is None
