"""The kept job queue: Huey over SQLite (the embedded default) or Redis (production).

The broker only carries job ids; the ``jobs`` table is the truth. That gives three promises:

- **Asked twice is one job.** ``submit`` takes an idempotency key (unique in the table): a
  double click, a retried request or a second sweep of the same minute finds the job that is
  already there.
- **Nothing is lost.** A job is enqueued only once its row is committed (never a message about
  a row that was rolled back), and a worker killed mid-job leaves a row in ``running`` whose
  heartbeat stops; the reaper (every minute) puts it back in the queue, as it does with a
  queued job the broker lost.
- **No effect twice.** A worker claims a job with a compare-and-set on its state, so two
  deliveries of one id run it once; handlers are written so that running one again after a
  crash finds what is already done (they check before they act).

A handler is registered per kind (``register_handler(app, kind, handler)``); it receives the
job, runs inside the app context, and returns a small JSON-able result or raises ``JobFailed``
with a Vietnamese message (no retry) — any other exception is retried with a growing delay,
then recorded as failed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from sqlalchemy import event, or_, select, update

from eoffice.extension_points import register, registered
from eoffice.extensions import db
from eoffice.jobs.models import Job
from eoffice.timestamps import utcnow

JobHandler = Callable[[Job], dict[str, Any] | None]

#: Attempts before a job is recorded as failed; the delay doubles from RETRY_DELAY seconds.
MAX_ATTEMPTS = 5
RETRY_DELAY = 2
#: A running job whose heartbeat is older than this was lost with its worker.
STALE_AFTER = timedelta(minutes=10)

_PENDING = "eoffice_jobs_to_enqueue"


def _identity() -> str:
    """This process as recorded on the jobs it runs ("host:pid"; read per call, so a forked
    worker records its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class RetryLater(Exception):
    """Raised by ``execute`` after a transient failure was recorded and the job rescheduled."""


class JobFailed(Exception):
    """The job cannot succeed (bad input, a refusal): recorded as failed, never retried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def register_handler(app: Flask, kind: str, handler: JobHandler) -> None:
    """Say which function does jobs of ``kind``."""
    register(app, "job_handlers", (kind, handler))


def register_periodic(app: Flask, kind: str, schedule: crontab) -> None:
    """Run a job of ``kind`` on ``schedule`` (one job per scheduled minute: the idempotency
    key is the minute, so two schedulers never double it)."""
    register(app, "periodic_jobs", (kind, schedule))


def huey_for(app: Flask) -> Huey:
    return app.extensions["eoffice.huey"]  # type: ignore[no-any-return]


def make_huey(url: str, instance_path: Path) -> Huey:
    """The broker from a URL: ``redis://…`` in production, a SQLite file otherwise."""
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("eoffice", url=url)
    path = url.removeprefix("sqlite:///") if url else str(instance_path / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("eoffice", filename=path)


def submit(kind: str, key: str, *, requested_by: Any = None,
           params: dict[str, Any] | None = None, enqueue: bool = True) -> Job:
    """The job for ``key`` (created and queued once the caller commits, or the one that
    already exists). ``enqueue=False`` keeps a job that runs in this process (it holds what
    must never reach the broker) visible and reapable like the others."""
    existing = db.session.execute(
        select(Job).where(Job.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    job = Job(kind=kind, idempotency_key=key[:200], params=params or {},
              requested_by_id=getattr(requested_by, "id", None))
    db.session.add(job)
    db.session.flush()
    if enqueue:
        db.session.info.setdefault(_PENDING, set()).add(job.id)
    return job


def touch(job: Job) -> None:
    """Tell the reaper a long job is still alive (commits only the heartbeat)."""
    db.session.execute(update(Job).where(Job.id == job.id).values(heartbeat_at=utcnow()))
    db.session.commit()


def execute(job_id: int) -> None:
    """Run one job if nobody else is running it; record how it went."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, or_(
            Job.state == "queued",
            (Job.state == "running") & (Job.heartbeat_at < now - STALE_AFTER)))
        .values(state="running", attempts=Job.attempts + 1, started_at=now, heartbeat_at=now,
                worker=_identity())
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed != 1:
        return  # done already, or another worker has it
    job = db.session.get(Job, job_id)
    assert job is not None
    handlers = dict(registered("job_handlers"))
    try:
        handler = handlers.get(job.kind)
        if handler is None:
            raise JobFailed(f"Không có bộ xử lý cho loại việc “{job.kind}”.")
        result = handler(job) or {}
    except JobFailed as failure:
        db.session.rollback()
        _finish(job_id, "failed", failure.message, {})
        return
    except Exception as error:  # retried: a transient fault (database, store, converter)
        db.session.rollback()
        current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
        attempts = db.session.get(Job, job_id).attempts  # type: ignore[union-attr]
        if attempts >= MAX_ATTEMPTS:
            _finish(job_id, "failed", "Lỗi hệ thống sau nhiều lần thử; sự cố đã được ghi nhận.",
                    {"error": type(error).__name__})
            return
        _finish(job_id, "queued", "Đang thử lại sau lỗi tạm thời.", {})
        current_app.extensions["eoffice.run_job"].schedule(
            (job_id,), delay=RETRY_DELAY * 2 ** (attempts - 1))
        raise RetryLater from error
    _finish(job_id, "done", "", result)


def _finish(job_id: int, state: str, message: str, result: dict[str, Any]) -> None:
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state=state, message=message[:1000], result=result,
        finished_at=utcnow() if state in ("done", "failed") else None))
    db.session.commit()


def drain(limit: int = 1000) -> int:
    """Run the queued jobs here and now, oldest first (``flask jobs run-pending``: for an
    operator without a worker, and for tests); return how many ran."""
    ran = 0
    for job_id in list(db.session.execute(select(Job.id).where(Job.state == "queued")
                                          .order_by(Job.id).limit(limit)).scalars()):
        db.session.rollback()
        with contextlib.suppress(RetryLater):  # recorded; it comes back after its delay
            execute(job_id)
        ran += 1
    return ran


def _dead_here(worker: str) -> bool:
    """Whether ``worker`` ("host:pid") is a process of this host that no longer exists."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def reap() -> int:
    """Queue again what was lost: running jobs whose worker died (at once when it ran on
    this host, else when its heartbeat is older than STALE_AFTER), and queued jobs older
    than that (their message was lost with the broker)."""
    cutoff = utcnow() - STALE_AFTER
    lost = set(db.session.execute(select(Job.id).where(or_(
        (Job.state == "running") & (Job.heartbeat_at < cutoff),
        (Job.state == "queued") & (Job.created_at < cutoff)))).scalars())
    for job_id, worker in db.session.execute(
            select(Job.id, Job.worker).where(Job.state == "running")).all():
        if _dead_here(worker):
            lost.add(job_id)
    if lost:  # a dead worker's job may be claimed again at once
        db.session.execute(update(Job).where(Job.id.in_(lost), Job.state == "running")
                           .values(state="queued", message="Đang chạy lại sau khi tiến trình "
                                                           "xử lý bị dừng đột ngột."))
    db.session.commit()
    for job_id in sorted(lost):
        current_app.extensions["eoffice.run_job"](job_id)
    return len(lost)


def init_app(app: Flask, url: str) -> None:
    """Give ``app`` its broker, the one task that runs jobs, the periodic ones and the reaper,
    and enqueue jobs when the transaction that created them commits."""
    huey = make_huey(url, app.config["EOFFICE_SETTINGS"].instance_path)
    app.extensions["eoffice.huey"] = huey

    @huey.task(name="eoffice.run_job")
    def run_job(job_id: int) -> None:
        # A transient failure was recorded and rescheduled: not an error for the broker.
        with app.app_context(), contextlib.suppress(RetryLater):
            execute(job_id)

    @huey.periodic_task(crontab(minute="*"), name="eoffice.reap_jobs")
    def reap_jobs() -> None:
        with app.app_context():
            reap()

    app.extensions["eoffice.run_job"] = run_job

    _listen_once()


def _enqueue_committed(session: Any) -> None:
    """After a commit: send the jobs it created to the current app's broker."""
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        run_job = current_app.extensions.get("eoffice.run_job")
        for job_id in sorted(pending):
            run_job(job_id)


def _forget_rolled_back(session: Any) -> None:
    session.info.pop(_PENDING, None)


def _listen_once() -> None:
    """One pair of listeners on the process's session, whatever the number of apps (tests
    build hundreds): each app's jobs reach its own broker through ``current_app``."""
    if not event.contains(db.session, "after_commit", _enqueue_committed):
        event.listen(db.session, "after_commit", _enqueue_committed)
        event.listen(db.session, "after_rollback", _forget_rolled_back)


def create_consumer(app: Flask, *, workers: int = 2, worker_type: str = "thread") -> Any:
    """A consumer for ``app``'s broker, with the periodic jobs the modules registered."""
    huey = huey_for(app)
    for kind, schedule in registered("periodic_jobs", app):
        _periodic(app, huey, kind, schedule)
    return huey.create_consumer(workers=workers, worker_type=worker_type, periodic=True,
                                check_worker_health=True)


def start_in_process(app: Flask, *, workers: int = 2, worker_type: str = "thread") -> Any:
    """Run a consumer inside this process (``make run``: one command, one process, stopped
    together). The process's own signal handlers stay in place: Ctrl+C still stops the web
    server, and the consumer with it."""
    consumer = create_consumer(app, workers=workers, worker_type=worker_type)
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    saved = {number: signal.getsignal(number) for number in signals}
    consumer.start()
    for number, handler in saved.items():
        signal.signal(number, handler)
    atexit.register(consumer.stop)
    return consumer


def _periodic(app: Flask, huey: Huey, kind: str, schedule: crontab) -> None:
    @huey.periodic_task(schedule, name=f"eoffice.periodic.{kind}")
    def submit_periodic() -> None:
        with app.app_context():
            minute = utcnow().strftime("%Y-%m-%dT%H:%M")
            submit(kind, f"periodic:{kind}:{minute}")
            db.session.commit()
