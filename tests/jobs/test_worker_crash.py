"""A worker killed (SIGKILL) in the middle of a job: nothing half-written, and the next worker
runs the job again, once. The job renders a DOCX draft to PDF (the first conversion of a
worker starts LibreOffice, which gives the test its moment to kill it)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import write_burst

QUEUE_A_RENDERING = """
import io
from sqlalchemy import select
from eoffice import create_app
from eoffice.accounts.models import User
from eoffice.documents import service
from eoffice.extensions import db
from formats.drafting import build_draft_docx
from tests.formats.samples import LETTER

app = create_app()
with app.app_context():
    def user(name):
        return db.session.execute(select(User).where(User.username == name)).scalar_one()
    drafter = user("chuyenvien")
    stored = service.store_file(drafter, io.BytesIO(build_draft_docx(LETTER)), "du-thao.docx")
    document = service.create_outgoing(drafter, service.OutgoingDraft(
        subject="Về việc thử dừng tiến trình", type_code="", reviewer_id=user("truongphong").id,
        checker_id=user("vanthu").id, signer_id=user("chutich").id), stored).document
    db.session.commit()
    print(document.id)
"""


def _rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker",
                             "--workers", "1"], cwd=write_burst.ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.timeout(400)
def test_a_killed_worker_leaves_nothing_half_done_and_the_job_runs_once(tmp_path: Path) -> None:
    database = tmp_path / "eoffice.sqlite3"
    env = write_burst.instance_env(tmp_path, f"sqlite:///{database}")
    write_burst.install(env)
    queued = subprocess.run([sys.executable, "-c", QUEUE_A_RENDERING], cwd=write_burst.ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert queued.returncode == 0, queued.stderr[-2000:]
    document_id = int(queued.stdout.split()[-1])
    converted = (f"SELECT COUNT(*) FROM document_versions WHERE document_id = {document_id} "
                 "AND kind = 'converted'")
    state = "SELECT state, attempts FROM jobs WHERE kind = 'convert_draft'"

    log = tmp_path / "worker.log"
    first = _worker(env, log)
    try:
        assert _wait(lambda: _rows(database, state) == [("running", 1)], 120), log.read_text()
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its LibreOffice, mid-job
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert _rows(database, state) == [("running", 1)]
    assert _rows(database, converted) == [(0,)]  # nothing half-written

    second = _worker(env, log)
    try:
        assert _wait(lambda: _rows(database, state) == [("done", 2)], 180), log.read_text()
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)
    assert _rows(database, converted) == [(1,)]  # run again, once
    assert "Requeued 1 job(s)" in log.read_text()
