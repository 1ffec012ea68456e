"""Every action the reports read is in the event contract (docs/events.md), so a rename on
either side fails here instead of silently zeroing a figure."""

from __future__ import annotations

import re
from pathlib import Path

from eoffice.reports import facts
from eoffice.reports.figures import FIGURES
from eoffice.reports.service import SUBJECT_ACTIONS

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def contract_actions() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for line in CONTRACT.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[a-z_]+", cells[0]) and cells[0] != "object_kind":
            table.setdefault(cells[0], set()).update(a.strip() for a in cells[1].split(","))
    return table


def test_actions_read_by_the_reports_are_in_the_contract() -> None:
    contract = contract_actions()
    read = {
        "document": set(facts.DOCUMENT_STARTS) | set(facts.SIGNATURE_STARTS)
        | {"opened", "completed", "signed", "draft_returned", "draft_created"},
        "meeting": {"invited", "checked_in", "declined", "delegated", "closed"},
        "task": {"task_assigned", "task_completed", "task_returned", "extension_granted",
                 "extension_requested", "task_rated"},
    }
    for kind, actions in read.items():
        assert actions <= contract[kind], (kind, sorted(actions - contract[kind]))
    assert set(SUBJECT_ACTIONS) <= contract["document"] | contract["task"]
    assert len({f.key for f in FIGURES}) == len(FIGURES)
