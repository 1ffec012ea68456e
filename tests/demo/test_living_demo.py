"""The living demo: after ``flask seed-demo`` every role's "Việc của tôi" lists work, the
manager's report counts real acts, an issued document's signatures validate, and a second
seed adds nothing. Seeded once per backend (the seed takes some seconds)."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

import meetings
from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.demo import DEMO_ORGAN_ID
from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.organisation.models import Organisation
from eoffice.reports import service as reports
from eoffice.reports.figures import Period
from eoffice.tasks.models import Task
from eoffice.timestamps import to_local, utcnow
from eoffice.web.my_work import sections_for
from meetings.models import Meeting
from tests.conftest import _wipe, login, make_app
from tests.services.require import require_executable

ROLES = ["vanthu", "chutich", "phochutich", "truongphong", "chuyenvien", "thuky",
         "chanhvanphong", "vanthu.stc", "giamdoc.stc", "truongphong.stc", "chuyenvien.stc",
         "vanthu.lacson",
         "chutich.lacson", "truongphong.lacson", "chuyenvien.lacson"]


FIGURE = re.compile(r'data-figure="([a-z_]+)">\s*<td>[^<]*</td>\s*<td class="value">'
                    r'(?:<a[^>]*>)?([^<]*)<')


def _counts() -> tuple[int, int, int]:
    return (db.session.execute(select(func.count(Document.id))).scalar_one(),
            db.session.execute(select(func.count(Task.id))).scalar_one(),
            db.session.execute(select(func.count(Event.id))).scalar_one())


@pytest.fixture(scope="module")
def seeded(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app (meetings plugged in, as ``wsgi`` does) after ``flask seed-demo``."""
    instance = tmp_path_factory.mktemp("demo")
    application = make_app(instance, database_url, pki_dir=str(instance / "pki"))
    meetings.init_app(application)
    result = application.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Văn bản dùng thử:" in result.output
    try:
        yield application
    finally:
        _wipe(application)


def test_every_role_finds_work_on_the_home_page(seeded: Flask) -> None:
    client = seeded.test_client()
    for username in ROLES:
        with seeded.test_request_context():
            user = db.session.execute(select(User).where(User.username == username)).scalar_one()
            items = [item for section in sections_for(user) for item in section.items]
            db.session.remove()
        assert items, f"{username}: nothing in Việc của tôi"
        login(client, username)
        page = client.get("/my-work").get_data(as_text=True)
        assert html.escape(items[0].title, quote=False) in page or items[0].title in page, \
            username
        client = seeded.test_client()  # a fresh browser for the next login


def test_manager_report_shows_real_figures(seeded: Flask) -> None:
    with seeded.app_context():
        organisation = db.session.execute(select(Organisation).where(
            Organisation.organ_id == DEMO_ORGAN_ID)).scalar_one()
        today = to_local(utcnow()).date()  # type: ignore[union-attr]
        report = reports.organisation_report(organisation, Period(date(today.year, 1, 1),
                                                                  today)).as_json()
        values = {f["key"]: f["value"] for f in report["figures"]}
        assert sum(1 for value in values.values() if value) >= 4, values
        db.session.remove()
    client = seeded.test_client()
    login(client, "chanhvanphong")
    page = client.get("/reports/")
    assert page.status_code == 200
    shown = dict(FIGURE.findall(page.get_data(as_text=True)))
    for key in ("docs_received", "docs_handled", "docs_late", "docs_overdue_open",
                "drafts_returned", "meetings_attended"):
        assert shown.get(key, "0") not in ("0", "—"), (key, shown)


def test_an_issued_demo_document_validates_with_pdfsig(seeded: Flask, tmp_path: Path) -> None:
    exe = require_executable("pdfsig", "apt-get install poppler-utils")
    with seeded.app_context():
        document = db.session.execute(select(Document).where(
            Document.state == "ISSUED", Document.direction == "outgoing",
            Document.subject.like("%Hội nghị tổng kết năm 2026%"))).scalar_one()
        pdf = object_store().read_bytes(document.current_version.file.sha256)
        db.session.remove()
    path = tmp_path / "issued.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, timeout=60).stdout
    blocks = [b for b in out.split("Signature #")[1:] if "ETSI.RFC3161" not in b]
    assert len(blocks) == 2, out  # the leader's and the organisation's
    assert all("Signature Validation: Signature is Valid." in b for b in blocks), out


def test_the_documents_spread_over_past_weeks_and_travel_between_organisations(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        states = set(db.session.execute(select(Document.state)).scalars())
        assert {"REGISTERED", "PRESENTED", "DIRECTED", "IN_PROGRESS", "COMPLETED", "FILED",
                "RETURNED", "RECEIVED", "DRAFT", "REVISION", "APPROVED", "SIGNED", "ISSUED",
                "REVOKED"} <= states
        oldest = db.session.execute(select(func.min(Document.created_at))).scalar_one()
        assert (utcnow() - oldest).days >= 20
        arrived = db.session.execute(select(func.count(Document.id)).where(
            Document.subject.like("%Hội nghị tổng kết năm 2026%"),
            Document.direction == "incoming")).scalar_one()
        assert arrived == 2  # at the department and at the district
        db.session.remove()


def test_past_meetings_have_signed_minutes_and_upcoming_ones_wait_for_answers(
    seeded: Flask,
) -> None:
    with seeded.app_context():
        rows = db.session.execute(select(Meeting)).scalars().all()
        upcoming = [m for m in rows if m.status == "invited" and m.starts_at > utcnow()]
        assert len(upcoming) >= 3
        held = {m.title: m.minutes_status for m in rows if m.status == "closed"}
        assert all(m.closed_at and m.closed_at < utcnow() - timedelta(days=3)
                   for m in rows if m.status == "closed")
        db.session.remove()
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")  # the minutes
    assert sorted(held.values()) == ["secretary_signed", "signed"], held


def test_a_second_seed_adds_nothing(seeded: Flask) -> None:
    with seeded.app_context():
        before = _counts()
        db.session.remove()
    result = seeded.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with seeded.app_context():
        assert _counts() == before
        db.session.remove()
