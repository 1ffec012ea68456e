"""Migration 0021: the manual edXML recipients of an existing database become rows of the one
list (``exchange_recipients``, channel ``manual``) with their status and download time; a
status file kept for one of them still names it; an agency that was on both lists keeps its
exchange row. Downgrading gives the old table back."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from eoffice.demo import seed_demo
from eoffice.extensions import db
from tests.conftest import make_app
from tests.documents.conftest import create_outgoing, user
from tests.services.postgres import create_database

BEFORE, AFTER = "0020_placed_boxes", "0021_one_external_recipients"


@pytest.fixture()
def fresh_url(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the same backend as ``database_url`` (that one is migrated)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return create_database(request.getfixturevalue("postgres_server_url"))


def test_manual_recipients_join_the_one_list(fresh_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path / "instance", fresh_url)
    with app.app_context():
        upgrade(revision=BEFORE)
        seed_demo()
        document = create_outgoing()
        document_id, organisation_id = document.id, document.organisation_id
        clerk = user("vanthu").id
        db.session.commit()
        run = db.session.execute
        run(text("INSERT INTO document_external_organs (organisation_id, organ_id, name, "
                 "organ_add, email, telephone, fax, website) VALUES "
                 "(:o, '000.00.00.G22', 'Bộ Kế hoạch và Đầu tư', '', 'vp@mpi.gov.vn', '', '', ''),"
                 "(:o, '000.01.00.H41', 'Sở Tài chính', '', '', '', '', '')"),
            {"o": organisation_id})
        organs = dict(run(text("SELECT organ_id, id FROM document_external_organs")).all())
        run(text("INSERT INTO document_external_recipients (document_id, external_organ_id, "
                 "status_code, status_description, status_at, exported_at) VALUES "
                 "(:d, :a, '04', 'Đã phân công', '2026-03-06 01:00:00.000000', "
                 "'2026-03-05 01:00:00.000000'), (:d, :b, '', '', NULL, NULL)"),
            {"d": document_id, "a": organs["000.00.00.G22"], "b": organs["000.01.00.H41"]})
        old = dict(run(text("SELECT external_organ_id, id FROM document_external_recipients"))
                   .all())
        run(text("INSERT INTO exchange_recipients (document_id, organ_id, organ_name, "
                 "added_by_id, added_at, status_code, status_description, status_by) VALUES "
                 "(:d, '000.01.00.H41', 'Sở Tài chính', :u, '2026-03-05 00:00:00.000000', "
                 "'01', 'Đã đến', '')"), {"d": document_id, "u": clerk})
        run(text("INSERT INTO document_edxml_records (document_id, kind, status_code, "
                 "external_recipient_id, object_key, size, revoked, created_at) VALUES "
                 "(:d, 'status_in', '04', :r, 'k', 1, false, '2026-03-06 00:00:00.000000')"),
            {"d": document_id, "r": old[organs["000.00.00.G22"]]})
        db.session.commit()
        db.session.remove()

        upgrade(revision=AFTER)
        rows = {r.organ_id: r for r in run(text(
            "SELECT id, organ_id, organ_name, channel, status_code, exported_at "
            "FROM exchange_recipients WHERE document_id = :d"), {"d": document_id})}
        assert set(rows) == {"000.00.00.G22", "000.01.00.H41"}
        manual = rows["000.00.00.G22"]
        assert (manual.channel, manual.organ_name, manual.status_code) == (
            "manual", "Bộ Kế hoạch và Đầu tư", "04")
        assert manual.exported_at is not None
        assert (rows["000.01.00.H41"].channel, rows["000.01.00.H41"].status_code) == (
            "exchange", "01")
        assert run(text("SELECT external_recipient_id FROM document_edxml_records")
                   ).scalar() == manual.id
        # The address book (contact details) stays.
        assert run(text("SELECT email FROM document_external_organs WHERE organ_id = "
                        "'000.00.00.G22'")).scalar() == "vp@mpi.gov.vn"
        db.session.remove()

        downgrade(revision=BEFORE)
        assert run(text("SELECT status_code FROM document_external_recipients")).all() == [
            ("04",)]
        assert run(text("SELECT organ_id FROM exchange_recipients")).all() == [
            ("000.01.00.H41",)]
        db.session.remove()
        upgrade(revision="heads")
        db.engine.dispose()
