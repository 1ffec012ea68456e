"""Dashboard, person page, evidence, exports and API show the same numbers, to the right people."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from eoffice.reports.exports import full_labels
from tests.reports.scenario import seed_may_2026, use_clock, user

MAY = {"start": "2026-05-01", "end": "2026-05-31"}


@pytest.fixture()
def seeded(app: Flask, demo: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    with app.app_context():
        seed_may_2026(use_clock(monkeypatch))
        monkeypatch.undo()
        head = user("truongphong")
        return {"kt": head.memberships[0].unit_id, "staff": user("chuyenvien").id,
                "head": head.id, "chair": user("chutich").id}


def test_manager_dashboard_drills_down_and_exports_the_same_figures(
    client: FlaskClient, login_as: Callable[[str], str], seeded: dict[str, int]
) -> None:
    login_as("chutich")
    page = client.get("/reports/", query_string={**MAY, "unit": seeded["kt"]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Phòng Kinh tế" in html
    assert "Chuỗi nhật ký toàn vẹn" in html
    assert 'data-figure="docs_late"' in html

    evidence = client.get("/reports/evidence", query_string={
        **MAY, "unit": seeded["kt"], "figure": "docs_late"}).get_data(as_text=True)
    assert "#102" not in evidence and "05/05/2026 10:00" in evidence
    assert "04/05/2026 23:59" in evidence  # the working-day deadline

    api = client.get(f"/api/v1/reports/units/{seeded['kt']}", query_string=MAY).get_json()
    values = {f["key"]: f["value"] for f in api["figures"]}
    assert values["docs_late"] == 1 and values["processing_median_h"] == 247.0
    assert api["chain"]["ok"] is True

    book = load_workbook(io.BytesIO(client.get(
        "/reports/export.xlsx", query_string={**MAY, "unit": seeded["kt"]}).data))
    sheet = book["Tổng hợp"]
    labels = full_labels()
    xlsx = {row[0]: row[1] for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert xlsx == {labels[key]: value for key, value in values.items()}
    assert book["Theo cán bộ"].max_row == 3  # header + two people of KT

    text = client.get("/reports/export.csv", query_string={
        **MAY, "unit": seeded["kt"]}).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    from_csv = {r[0]: r[1] for r in rows[5:5 + len(values)]}
    assert from_csv == {labels[k]: "" if v is None else str(v) for k, v in values.items()}

    evidence_api = client.get("/api/v1/reports/evidence", query_string={
        **MAY, "unit": seeded["kt"], "figure": "docs_handled"}).get_json()
    assert evidence_api["value"] == len(evidence_api["events"]) == 3


def test_staff_see_only_their_own_figures(
    client: FlaskClient, login_as: Callable[[str], str], seeded: dict[str, int]
) -> None:
    login_as("chuyenvien")
    response = client.get("/reports/")
    assert response.status_code == 302 and f"/reports/person/{seeded['staff']}" in (
        response.headers["Location"])
    own = client.get(f"/reports/person/{seeded['staff']}", query_string=MAY)
    assert own.status_code == 200 and "Đặng Thu Trang" in own.get_data(as_text=True)
    assert "hoàn thành" in own.get_data(as_text=True)  # the timeline
    assert client.get(f"/reports/person/{seeded['head']}").status_code == 404
    assert client.get(f"/api/v1/reports/people/{seeded['head']}").status_code == 404
    assert client.get(f"/api/v1/reports/units/{seeded['kt']}").status_code == 404
    assert client.get("/reports/export.csv", query_string={"unit": seeded["kt"]}).status_code \
        == 404
    assert client.get(f"/api/v1/reports/people/{seeded['staff']}", query_string=MAY
                      ).get_json()["figures"][0]["value"] == 1


def test_unit_head_sees_own_unit_only(
    client: FlaskClient, login_as: Callable[[str], str], seeded: dict[str, int], app: Flask
) -> None:
    login_as("truongphong")
    assert client.get("/reports/", query_string={"unit": seeded["kt"]}).status_code == 200
    with app.app_context():
        vp = user("vanthu").memberships[0].unit_id
    assert client.get("/reports/", query_string={"unit": vp}).status_code == 404
    assert client.get(f"/reports/person/{seeded['staff']}").status_code == 200
    assert client.get(f"/reports/person/{seeded['chair']}").status_code == 404


def test_super_admin_manages_holidays(client: FlaskClient, login_as: Callable[[str], str],
                                      app: Flask) -> None:
    token = login_as("quantri")
    response = client.post("/reports/holidays", data={
        "csrf_token": token, "day": "2026-11-24", "name": "Ngày Văn hóa Việt Nam"})
    assert response.status_code == 302
    assert "Ngày Văn hóa Việt Nam" in client.get("/reports/holidays").get_data(as_text=True)
