"""The Chairman's dashboard opens on the whole organisation; a unit head's on the unit they
head; nobody else reads the whole organisation."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.reports.scenario import user
from tests.reports.test_views import MAY, seeded  # noqa: F401  (fixture)


def test_the_chairman_sees_the_whole_organisation_by_default(
    client: FlaskClient, login_as: Callable[[str], str], seeded: dict[str, int]  # noqa: F811
) -> None:
    login_as("chutich")
    html = client.get("/reports/", query_string=MAY).get_data(as_text=True)
    assert '<option value="all" selected>Toàn cơ quan</option>' in html
    assert "Số liệu toàn cơ quan" in html
    whole = client.get("/api/v1/reports/evidence", query_string={
        **MAY, "unit": "all", "figure": "docs_handled"}).get_json()
    unit = client.get("/api/v1/reports/evidence", query_string={
        **MAY, "unit": seeded["kt"], "figure": "docs_handled"}).get_json()
    assert whole["value"] >= unit["value"] == 3
    assert client.get("/reports/export.csv", query_string={**MAY, "unit": "all"}
                      ).status_code == 200


def test_a_unit_head_opens_on_the_unit_they_head_and_not_the_organisation(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str],
    seeded: dict[str, int],  # noqa: F811
) -> None:
    login_as("chanhvanphong")  # a manager who heads the Văn phòng (KT sits below it)
    html = client.get("/reports/", query_string=MAY).get_data(as_text=True)
    with app.app_context():
        vp = user("chanhvanphong").memberships[0].unit_id
    assert re.search(rf'<option value="{vp}" selected>', html)
    assert "Toàn cơ quan" not in html
    assert client.get("/reports/", query_string={**MAY, "unit": "all"}).status_code == 404
    assert client.get("/reports/export.csv", query_string={**MAY, "unit": "all"}
                      ).status_code == 404
