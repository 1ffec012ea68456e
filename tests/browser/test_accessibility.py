"""Accessibility (issue #12): axe-core, the npm package pinned in package.json, runs in
Chromium on the main pages of each role; no serious or critical violation is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from eoffice.documents import incoming
from eoffice.extensions import db
from tests.documents.conftest import create_incoming, create_outgoing, user
from tests.meetings.conftest import Prepared, mapp, prepared  # noqa: F401  (fixtures)
from tests.services.browser import browser  # noqa: F401  (fixture)
from tests.services.live_server import serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")


def _violations(page: Any) -> list[str]:
    """axe's serious and critical findings on the page, one readable line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {
        resultTypes: ['violations'],
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                        'best-practice']}
    })).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")
    return [f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in found
            if v["impact"] in SEVERE]


def _session(browser: Any, base_url: str, username: str | None) -> Any:  # noqa: F811
    # The CSP (rightly) refuses inline scripts; only axe's injection is let through here.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}/login")
    if username:
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill("matkhau123")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{base_url}/my-work")
    return page


def test_main_pages_have_no_serious_accessibility_violation(
        mapp: Flask, prepared: Prepared, browser: Any) -> None:  # noqa: F811
    assert AXE.exists(), "axe-core missing: run `npm ci` (make static)"
    with mapp.app_context():
        document = create_incoming(subject="Về việc cải cách hành chính năm 2027")
        incoming.present(user("vanthu"), document, user("chutich").id)
        db.session.commit()
        draft = create_outgoing(subject="Về việc tổ chức tập huấn")
        incoming_id, draft_id = document.id, draft.id
        db.session.remove()
    pages = {
        None: ["/login"],
        "chutich": ["/my-work", "/documents/incoming", f"/documents/incoming/{incoming_id}",
                    f"/meetings/{prepared.meeting_id}", f"/meetings/{prepared.meeting_id}/live",
                    "/reports/", "/notifications/"],
        "chuyenvien": ["/documents/outgoing/new"],
        "truongphong": [f"/documents/outgoing/{draft_id}", "/tasks/new"],
    }
    report: dict[str, list[str]] = {}
    with serve(mapp) as base_url:
        for username, paths in pages.items():
            page = _session(browser, base_url, username)
            for path in paths:
                response = page.goto(f"{base_url}{path}")
                assert response is not None and response.status == 200, path
                page.wait_for_load_state("networkidle")
                found = _violations(page)
                if found:
                    report[f"{username or 'anonymous'} {path}"] = found
            page.context.close()
    assert not report, "\n".join(f"{where}:\n  " + "\n  ".join(lines)
                                 for where, lines in report.items())
