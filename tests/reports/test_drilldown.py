"""A report's drill-down names documents by number and subject and opens them for everyone
allowed to see the figure; exports are Vietnamese and never run a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from eoffice.audit.models import Event
from eoffice.documents import service
from eoffice.extensions import db
from tests.conftest import login
from tests.documents.conftest import create_incoming, user

SUBJECT = "Về việc rà soát hồ sơ đất đai năm 2026"


def _directed_to_specialist(app: Flask) -> int:
    with app.app_context():
        document = create_incoming(subject=SUBJECT)
        leader, specialist = user("chutich"), user("chuyenvien")
        service.present(user("vanthu"), document, leader.id)
        service.direct(leader, document, [service.Handling(
            "lead", user_id=specialist.id, deadline=datetime.now(UTC) + timedelta(days=5))],
            "Giao đồng chí Trang xử lý")
        db.session.commit()
        specialist_id = specialist.id
        db.session.remove()
    return specialist_id


def test_unit_head_drills_down_to_the_document_without_404(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    specialist_id = _directed_to_specialist(app)
    login_as("truongphong")
    html = client.get("/reports/evidence", query_string={
        "figure": "docs_received", "person": specialist_id}).get_data(as_text=True)
    assert SUBJECT in html and "document #" not in html and "directed" not in html
    links = re.findall(r'<a href="([^"]+)">[^<]*' + re.escape(SUBJECT), html)
    assert links
    opened = client.get(links[0])
    assert opened.status_code == 200 and SUBJECT in opened.get_data(as_text=True)


def test_the_event_page_is_only_for_those_who_see_the_figure(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    specialist_id = _directed_to_specialist(app)
    login_as("thuky")  # sees only her own figures
    evidence = client.get("/reports/evidence", query_string={
        "figure": "docs_received", "person": specialist_id})
    assert evidence.status_code == 404
    with app.app_context():
        event_id = db.session.query(Event.id).filter(Event.action == "directed").scalar()
    assert client.get(f"/reports/event/{event_id}").status_code == 404
    chair = app.test_client()
    login(chair, "chutich")  # oversees the whole organisation
    page = chair.get(f"/reports/event/{event_id}").get_data(as_text=True)
    assert SUBJECT in page and "Trần Văn Hùng chỉ đạo" in page


def test_exports_escape_formulas_and_speak_vietnamese(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    _directed_to_specialist(app)
    with app.app_context():
        person = user("chuyenvien")
        person.full_name = "=HYPERLINK(\"http://evil\",\"x\")"
        db.session.commit()
        db.session.remove()
    login_as("chutich")
    with app.app_context():
        unit_id = user("truongphong").memberships[0].unit_id
    query = {"unit": unit_id}
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx", query_string=query).data))
    names = [row[0] for row in book["Theo cán bộ"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in names
    summary = [row for row in book["Tổng hợp"].iter_rows(values_only=True)]
    assert summary[2][1].startswith("Toàn vẹn")  # the chain, not "OK: 12 events"
    assert all(not re.fullmatch(r"[a-z_0-9]+", str(row[0])) for row in summary if row[0])
    rows = list(csv.reader(io.StringIO(client.get(
        "/reports/export.csv", query_string=query).data.decode("utf-8-sig"))))
    assert [r[0] for r in rows if r and "evil" in r[0]] == ["'=HYPERLINK(\"http://evil\",\"x\")"]


def test_a_manager_outside_the_document_reads_its_number_not_its_subject(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    """The office chief oversees the specialist's figures but is not part of the document:
    the row names it by its arrival number, opens the report's page about the event (not a
    404), and the subject stays with those the document's own rule lets see it."""
    specialist_id = _directed_to_specialist(app)
    with app.app_context():
        arrival = db.session.query(Event).filter(Event.action == "registered").one()
        number = arrival.details["number"]
    login_as("chanhvanphong")
    html = client.get("/reports/evidence", query_string={
        "figure": "docs_received", "person": specialist_id}).get_data(as_text=True)
    assert f"Văn bản đến số {number}" in html and SUBJECT not in html
    link = re.search(r'<a href="(/reports/event/\d+)">Văn bản đến số', html)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Văn bản đến số {number}" in text and SUBJECT not in text
    assert "Trần Văn Hùng chỉ đạo" in text
