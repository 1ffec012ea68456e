"""``flask files verify``: every stored object read back and checked against its hash.

Objects are named by their SHA-256, so an object is intact exactly when its bytes hash to its
key; a file row also records the size it was uploaded with. Both are checked: a row whose object
is missing or of another size, and an object (named by a row or not) whose bytes changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from eoffice.extensions import db
from eoffice.files.models import StoredFile
from storage import CorruptObject, ObjectNotFound


@dataclass
class IntegrityReport:
    """What one pass over the store found."""

    checked: int = 0
    bad: dict[str, str] = field(default_factory=dict)  # key -> what is wrong

    @property
    def ok(self) -> bool:
        return not self.bad


def verify_objects() -> IntegrityReport:
    """Read every object named by a file row or listed by the store, and check it."""
    store = current_app.extensions["eoffice.object_store"]
    report = IntegrityReport()
    recorded = dict(db.session.execute(select(StoredFile.sha256, StoredFile.size)).tuples().all())
    db.session.rollback()
    keys = set(recorded) | {item.key for item in store.list_objects()}
    for key in sorted(keys):
        report.checked += 1
        try:
            stored = store.verify(key)
        except ObjectNotFound:
            report.bad[key] = "thiếu trong kho (có bản ghi tệp nhưng không có đối tượng)"
            continue
        except CorruptObject:
            report.bad[key] = "nội dung không khớp mã băm SHA-256"
            continue
        if key in recorded and stored.size != recorded[key]:
            report.bad[key] = f"kích thước {stored.size} byte, bản ghi tệp ghi {recorded[key]}"
    return report


def add_command(group: AppGroup) -> None:
    """Add ``verify`` to the ``files`` command group."""

    @group.command("verify")
    def verify_command() -> None:
        """Check every stored object against its hash; exit 1 naming the bad ones."""
        report = verify_objects()
        for key, problem in sorted(report.bad.items()):
            click.echo(f"HỎNG {key}: {problem}", err=True)
        if not report.ok:
            click.echo(f"{len(report.bad)}/{report.checked} đối tượng hỏng.", err=True)
            raise SystemExit(1)
        click.echo(f"OK: {report.checked} đối tượng nguyên vẹn.")
