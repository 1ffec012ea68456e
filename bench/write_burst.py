"""Write burst on the server people run: N clerks number N signed documents at the same moment,
then register N incoming documents at the same moment, while a monitor polls the health check.

    python bench/write_burst.py [--burst 50] [--backend sqlite|postgres|both]

SQLite is served as ``make run`` serves it (``python wsgi.py``: gevent, one process);
PostgreSQL as production serves it (gunicorn with two gevent workers). Goals (issue #16):
every request succeeds, numbers are 1..N with no duplicate and no gap, the health check answers
within 1 s throughout. The reference measured in the same run is the health check's latency on
the idle server. Last line:
``RESULT burst=50 p99_ms=… health_worst_ms=… [pg_p99_ms=… pg_health_worst_ms=…] idle_health_ms=…``

``tests/foundation/test_write_burst.py`` runs the same burst and asserts the goals.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

PYTHON = sys.executable
CLERK = "vanthu"
PASSWORD = "matkhau123"


@dataclass
class BurstResult:
    """What one burst of simultaneous requests did."""

    statuses: list[int]
    latencies_ms: list[float]
    health_worst_ms: float
    health_samples: int
    bodies: list[Any] = field(default_factory=list)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def instance_env(workdir: Path, database_url: str) -> dict[str, str]:
    """The environment of every process of one installation under ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env.update({
        "EOFFICE_DATABASE_URL": database_url,
        "EOFFICE_STORAGE_URL": f"file://{workdir / 'objects'}",
        "EOFFICE_SECRET_KEY": "burst-" + secrets.token_hex(24),
        "EOFFICE_PKI_DIR": str(workdir / "pki"),
        "EOFFICE_JOBS_URL": f"sqlite:///{workdir / 'jobs.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def install(env: dict[str, str]) -> None:
    """Migrate and seed the demo office as ``make run`` does, without the living demo's past
    documents (a burst's numbers start at 1 in an empty register)."""
    flask(env, "db", "upgrade", "heads", "--directory", "migrations")
    flask(env, "seed-demo", "--without-history")


PREPARE = """
import io, sys
from pypdf import PdfWriter
from sqlalchemy import select
from eoffice import create_app
from eoffice.accounts.models import User
from eoffice.documents import service, signing_service
from eoffice.signing_keys import DEMO_PIN
from eoffice.documents.workflow import transition
from eoffice.extensions import db

count = int(sys.argv[1])
app = create_app()
with app.app_context():
    def user(name):
        return db.session.execute(select(User).where(User.username == name)).scalar_one()
    drafter, head, clerk, leader = (user(n) for n in
                                    ("chuyenvien", "truongphong", "vanthu", "chutich"))
    ids = []
    for i in range(count):
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        writer.add_metadata({"/Title": f"burst {i}"})
        pdf = io.BytesIO()
        writer.write(pdf)
        pdf.seek(0)
        stored = service.store_file(drafter, pdf, f"du-thao-{i}.pdf")
        draft = service.OutgoingDraft(subject=f"Văn bản thử tải số {i + 1}", type_code="",
                                      reviewer_id=head.id, checker_id=clerk.id,
                                      signer_id=leader.id)
        document = service.create_outgoing(drafter, draft, stored).document
        transition(head, document, "approve_content")
        transition(clerk, document, "approve_format")
        transition(leader, document, "approve")
        signing_service.sign_as_leader(leader, document, DEMO_PIN)
        db.session.commit()
        ids.append(document.id)
    print(" ".join(map(str, ids)))
"""


def prepare_signed_documents(env: dict[str, str], count: int) -> list[int]:
    """``count`` outgoing documents signed by the leader, waiting for the clerk's number."""
    done = subprocess.run([PYTHON, "-c", PREPARE, str(count)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"preparing documents failed: {done.stderr[-3000:]}")
    return [int(part) for part in done.stdout.split()]


def server_command(backend: str, port: int) -> list[str]:
    if backend == "sqlite":
        return [PYTHON, "wsgi.py"]  # exactly what `make run` starts
    return [PYTHON, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
            "--worker-class", "gevent",
            "--log-level", "warning", "wsgi:app"]


@contextmanager
def running_server(backend: str, env: dict[str, str]) -> Iterator[str]:
    """The server up and answering its health check; stopped when the block ends."""
    with serving(lambda port: server_command(backend, port), env) as base:
        yield base


@contextmanager
def serving(command_for: Callable[[int], list[str]], env: dict[str, str],
            startup_seconds: float = 60) -> Iterator[str]:
    """Run ``command_for(port)`` (with PORT in its environment) until its health check
    answers; yield its base URL; stop it when the block ends. A server that does not start
    raises with the end of its log."""
    port = free_port()
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command_for(port), cwd=ROOT, env={**env, "PORT": str(port)},
                                   stdout=log, stderr=subprocess.STDOUT, text=True)
        yield from _serve_until_done(process, log, f"http://127.0.0.1:{port}", startup_seconds)


def _serve_until_done(process: subprocess.Popen[str], log: Any, base: str,
                      startup_seconds: float) -> Iterator[str]:
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if requests.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read()[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def logged_in(base: str, username: str = CLERK) -> tuple[dict[str, str], str]:
    """Cookies and CSRF token of a fresh login."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "login page has no CSRF token"
    answer = session.post(f"{base}/login", data={
        "csrf_token": token.group(1), "username": username, "password": PASSWORD},
        timeout=10, allow_redirects=True)
    meta = re.search(r'name="csrf-token" content="([^"]+)"', answer.text)
    if answer.status_code != 200 or not meta:
        raise RuntimeError(f"login as {username} failed ({answer.status_code})")
    return session.cookies.get_dict(), meta.group(1)


def health_latency_ms(base: str) -> float:
    started = time.perf_counter()
    requests.get(f"{base}/api/v1/health", timeout=60).raise_for_status()
    return (time.perf_counter() - started) * 1000


MONITOR = """
import sys, time, requests
base = sys.argv[1]
while True:
    started = time.perf_counter()
    try:
        requests.get(base + "/api/v1/health", timeout=60).raise_for_status()
        print((time.perf_counter() - started) * 1000, flush=True)
    except requests.RequestException:
        print(60000.0, flush=True)
    time.sleep(0.05)
"""


class HealthMonitor:
    """Polls the health check every 50 ms from another process while the block runs;
    ``latencies`` holds what it measured (ms) once the block ended."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: list[float] = []

    def __enter__(self) -> HealthMonitor:
        self._process = subprocess.Popen([PYTHON, "-c", MONITOR, self.base],
                                         stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        self._first = self._process.stdout.readline()  # polling from now on
        return self

    def __exit__(self, *_exc: object) -> None:
        time.sleep(0.3)  # one more poll after the burst's last answer
        self._process.terminate()
        output, _ = self._process.communicate(timeout=60)
        self.latencies = [float(line) for line in (self._first + output).split() if line]


def burst(base: str, requests_to_send: list[Callable[[requests.Session], requests.Response]],
          cookies: dict[str, str]) -> BurstResult:
    """Send every request at the same moment (one thread each) while polling the health check."""
    count = len(requests_to_send)
    barrier = threading.Barrier(count + 1)
    statuses: list[int] = [0] * count
    latencies: list[float] = [0.0] * count
    bodies: list[Any] = [None] * count

    def send(index: int) -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        barrier.wait(timeout=60)
        started = time.perf_counter()
        try:
            answer = requests_to_send[index](session)
            statuses[index] = answer.status_code
            try:
                bodies[index] = answer.json()
            except ValueError:
                bodies[index] = answer.text[:500]
        except requests.RequestException as error:
            statuses[index], bodies[index] = -1, str(error)
        latencies[index] = (time.perf_counter() - started) * 1000

    # The health check is polled from a process of its own: an independent client, not a
    # thread competing for this process's GIL with the fifty senders. It is already polling
    # when they start.
    with HealthMonitor(base) as monitor:
        threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        barrier.wait(timeout=60)
        for thread in threads:
            thread.join(timeout=600)
    health = monitor.latencies
    return BurstResult(statuses, latencies, max(health, default=0.0), len(health), bodies)


def numbering_requests(base: str, token: str,
                       ids: list[int]) -> list[Callable[[requests.Session], requests.Response]]:
    def request_for(document_id: int) -> Callable[[requests.Session], requests.Response]:
        return lambda s: s.post(f"{base}/api/v1/documents/{document_id}/number", json={},
                                headers={"X-CSRFToken": token}, timeout=300)
    return [request_for(i) for i in ids]


def incoming_pdf(index: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": f"incoming {index}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def registration_requests(base: str, token: str,
                          count: int) -> list[Callable[[requests.Session], requests.Response]]:
    def request_for(index: int) -> Callable[[requests.Session], requests.Response]:
        data = {"subject": f"Công văn đến thử tải {index + 1}",
                "organ_name": "Sở Tài chính", "code_number": str(1000 + index),
                "code_notation": "STC-NS"}
        pdf = incoming_pdf(index)
        return lambda s: s.post(f"{base}/api/v1/documents/incoming", data=data,
                                files={"file": (f"den-{index}.pdf", pdf, "application/pdf")},
                                headers={"X-CSRFToken": token}, timeout=300)
    return [request_for(i) for i in range(count)]


@dataclass
class Installation:
    """One installation under test: its environment and the documents waiting for numbers."""

    backend: str
    env: dict[str, str]
    signed_ids: list[int]


def read_register(env: dict[str, str]) -> dict[str, list[int]]:
    """Numbers actually stored, per series: outgoing numbers and incoming arrival numbers."""
    script = """
from sqlalchemy import select
from eoffice import create_app
from eoffice.documents.models import Document
from eoffice.extensions import db
app = create_app()
with app.app_context():
    rows = db.session.execute(select(Document.direction, Document.register_number,
                                     Document.arrival_number)).all()
    print("out", *sorted(r[1] for r in rows if r[0] == "outgoing" and r[1] is not None))
    print("in", *sorted(r[2] for r in rows if r[0] == "incoming" and r[2] is not None))
"""
    done = subprocess.run([PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    series: dict[str, list[int]] = {}
    for line in done.stdout.splitlines():
        name, *numbers = line.split()
        series[name] = [int(n) for n in numbers]
    return series


def run_bursts(installation: Installation) -> tuple[BurstResult, BurstResult, float]:
    """Numbering burst, then registration burst; also the idle health latency (reference)."""
    with running_server(installation.backend, installation.env) as base:
        idle = statistics.median(health_latency_ms(base) for _ in range(20))
        cookies, token = logged_in(base)
        numbering = burst(base, numbering_requests(base, token, installation.signed_ids),
                          cookies)
        registering = burst(base, registration_requests(base, token,
                                                        len(installation.signed_ids)), cookies)
    return numbering, registering, idle


def prepare(backend: str, workdir: Path, database_url: str, count: int) -> Installation:
    env = instance_env(workdir, database_url)
    install(env)
    return Installation(backend, env, prepare_signed_documents(env, count))


def report(name: str, result: BurstResult) -> None:
    ok = sum(1 for s in result.statuses if 200 <= s < 300)
    print(f"{name}: {ok}/{len(result.statuses)} succeeded, p50 {result.p50_ms:.0f} ms, "
          f"p99 {result.p99_ms:.0f} ms, health worst {result.health_worst_ms:.0f} ms over "
          f"{result.health_samples} checks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    idle_values: list[float] = []
    with tempfile.TemporaryDirectory(prefix="burst-") as tmp:
        backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
        for backend in backends:
            workdir = Path(tmp) / backend
            workdir.mkdir()
            with database_for(backend, workdir) as url:
                installation = prepare(backend, workdir, url, args.burst)
                numbering, registering, idle = run_bursts(installation)
                idle_values.append(idle)
                report(f"{backend} numbering", numbering)
                report(f"{backend} registration", registering)
                series = read_register(installation.env)
                gapless = (series.get("out") == list(range(1, args.burst + 1))
                           and series.get("in") == list(range(1, args.burst + 1)))
                print(f"{backend}: numbers 1..{args.burst} with no duplicate or gap: {gapless}")
                prefix = "" if backend == "sqlite" else "pg_"
                latencies = numbering.latencies_ms + registering.latencies_ms
                ordered = sorted(latencies)
                figures[f"{prefix}p50_ms"] = statistics.median(ordered)
                figures[f"{prefix}p99_ms"] = ordered[round(0.99 * (len(ordered) - 1))]
                figures[f"{prefix}health_worst_ms"] = max(numbering.health_worst_ms,
                                                          registering.health_worst_ms)
                figures[f"{prefix}failed"] = sum(
                    1 for s in numbering.statuses + registering.statuses if not 200 <= s < 300)
    figures["idle_health_ms"] = max(idle_values)
    print(f"RESULT burst={args.burst} "
          + " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in figures.items()))


@contextmanager
def database_for(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'eoffice.sqlite3'}"
        return
    from bench.databases import fresh_postgres, postgres_url

    with postgres_url() as server_url:
        yield fresh_postgres(server_url, prefix="eoffice_burst")


if __name__ == "__main__":
    main()
