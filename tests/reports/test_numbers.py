"""Report figures are written the Vietnamese way on the pages."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from eoffice.reports.numbers import vn_number
from tests.reports.test_views import MAY, seeded  # noqa: F401  (fixture)


def test_vn_number() -> None:
    assert [vn_number(v) for v in (0, 7, 1234, 1234567, 247.0, 261.4, 261.456, -3.5, None)] == [
        "0", "7", "1.234", "1.234.567", "247", "261,4", "261,46", "-3,5", "—"]


def test_the_dashboard_writes_decimals_with_a_comma(
    client: FlaskClient, login_as: Callable[[str], str], seeded: dict[str, int]  # noqa: F811
) -> None:
    login_as("chutich")
    html = client.get("/reports/", query_string={**MAY, "unit": seeded["kt"]}).get_data(
        as_text=True)
    row = html[html.index('data-figure="processing_p90_h"'):]
    row = row[:row.index("</tr>")]
    assert ">261,4</a>" in row and "261.4" not in row
