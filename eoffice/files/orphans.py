"""Objects a request stored but no row kept: removed when the request ends.

An upload's bytes go into the object store before the rows that name them (a failing store
must never leave a row pointing at nothing). When the rest of the request is then refused —
a wrong type code, a signer who is not a leader, a draft no longer editable, the second PDF of
an edXML package broken — its transaction is rolled back and the bytes would stay behind with
nothing naming them. So every object put during a request is noted, and when the request ends
(committed, rolled back, refused, crashed) each one that no committed row refers to is deleted.

One mechanism for every upload path, instead of one clean-up per route. What a request
cannot clean (a process killed mid-request) is left to ``flask files sweep``.

A race remains, and is accepted: another request that stores the very same bytes and commits
its row *after* this check would find them gone. Both must upload identical content within
milliseconds, one of them refused; the content-address check on every read then reports the
missing object clearly instead of serving anything wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import click
from flask import Flask, current_app, g, has_request_context
from flask.cli import AppGroup
from sqlalchemy import select

from eoffice import audit
from eoffice.extension_points import register, registered
from eoffice.extensions import db
from eoffice.files import integrity
from eoffice.files.models import StoredFile
from eoffice.timestamps import utcnow

ObjectReference = Callable[[str], bool]
_NOTED = "_eoffice_objects_put"


def register_object_reference(app: Flask, is_referenced: ObjectReference) -> None:
    """A module whose rows name objects directly (not through ``StoredFile``) says so here:
    ``is_referenced(key)`` True keeps the object."""
    register(app, "object_references", is_referenced)


def note_object_put(key: str) -> None:
    """Remember that this request put ``key`` into the object store."""
    if has_request_context():
        g.setdefault(_NOTED, set()).add(key)


def is_referenced(key: str) -> bool:
    """True when a committed row names the object ``key``."""
    if db.session.execute(select(StoredFile.id).where(StoredFile.sha256 == key)
                          .limit(1)).first():
        return True
    return any(check(key) for check in registered("object_references"))


def remove_unreferenced(keys: set[str]) -> list[str]:
    """Delete the objects among ``keys`` no committed row names; return their keys."""
    store = current_app.extensions["eoffice.object_store"]
    db.session.rollback()  # whatever the request left open: look at committed rows only
    removed = []
    for key in sorted(keys):
        try:
            if not is_referenced(key):
                store.delete(key)
                removed.append(key)
        except Exception:  # the request's own answer matters more than this clean-up
            current_app.logger.exception("could not remove unreferenced object %s", key)
    db.session.rollback()
    return removed


@dataclass
class SweepReport:
    """What one sweep saw and did."""

    listed: int = 0  # objects in the store
    too_recent: int = 0  # younger than the grace period: a request may still be writing rows
    removed: list[str] = field(default_factory=list)  # keys deleted (or, dry run, to delete)
    bytes_removed: int = 0


def sweep(grace: timedelta, *, dry_run: bool = False) -> SweepReport:
    """Remove objects no committed row names and that are older than ``grace``.

    The grace period covers requests still between storing bytes and committing the row that
    names them (a slow upload, a long signing); a day is generous. A removal is recorded in
    the audit trail with the keys, so "where did this file go" has an answer.
    """
    store = current_app.extensions["eoffice.object_store"]
    cutoff = utcnow() - grace
    report = SweepReport()
    for item in store.list_objects():
        report.listed += 1
        if item.modified_at > cutoff:
            report.too_recent += 1
            continue
        if is_referenced(item.key):
            continue
        if not dry_run:
            store.delete(item.key)
        report.removed.append(item.key)
        report.bytes_removed += item.size
    if report.removed and not dry_run:
        audit.record(None, "objects_swept", "store", "objects", count=len(report.removed),
                     bytes=report.bytes_removed, keys=report.removed[:1000],
                     grace_hours=grace.total_seconds() / 3600)
        db.session.commit()
    db.session.rollback()
    return report


def _register_cli(app: Flask) -> None:
    group = AppGroup("files", help="Uploaded files and the object store.")

    @group.command("sweep")
    @click.option("--grace-hours", type=click.FloatRange(min=1), default=24.0, show_default=True,
                  help="Keep objects younger than this (a request may still be naming them).")
    @click.option("--dry-run", is_flag=True, help="Report what would be removed; remove nothing.")
    def sweep_command(grace_hours: float, dry_run: bool) -> None:
        """Remove objects that no row names (left by a process killed mid-request)."""
        report = sweep(timedelta(hours=grace_hours), dry_run=dry_run)
        verb = "Sẽ xóa" if dry_run else "Đã xóa"
        click.echo(f"Kho có {report.listed} đối tượng; {report.too_recent} còn trong thời gian "
                   f"chờ ({grace_hours:g} giờ).")
        click.echo(f"{verb} {len(report.removed)} đối tượng không còn bản ghi nào tham chiếu "
                   f"({report.bytes_removed} byte).")
        for key in report.removed:
            click.echo(f"  {key}")

    integrity.add_command(group)
    app.cli.add_command(group)


def init_app(app: Flask) -> None:
    _register_cli(app)

    @app.teardown_request
    def _remove_objects_nobody_kept(_error: BaseException | None) -> None:
        keys = g.pop(_NOTED, None)
        if keys:
            removed = remove_unreferenced(keys)
            if removed:
                current_app.logger.info("removed %d object(s) a refused request left: %s",
                                        len(removed), ", ".join(k[:12] for k in removed))
