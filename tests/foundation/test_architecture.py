"""The arrows of the architecture: checked on the import statements themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_top_levels(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("eoffice", {"meetings"}),
        ("signing", {"flask", "flask_sqlalchemy", "eoffice", "meetings", "storage"}),
        ("storage", {"flask", "flask_sqlalchemy", "eoffice", "meetings", "signing"}),
        ("formats", {"flask", "flask_sqlalchemy", "eoffice", "meetings", "signing", "storage"}),
    ],
)
def test_arrows_point_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {
        path: sorted(names & forbidden)
        for path, names in imported_top_levels(package).items()
        if names & forbidden
    }
    assert offenders == {}


#: A module holds one idea: past this many lines it holds several and must be split.
MODULE_LINE_LIMIT = 500


def test_no_module_outgrows_one_idea() -> None:
    oversized = {
        str(path.relative_to(ROOT)): lines
        for package in ("eoffice", "meetings", "signing", "storage", "formats")
        for path in (ROOT / package).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MODULE_LINE_LIMIT
    }
    assert oversized == {}, "split these modules by idea"
