"""The kept job queue: asked twice is one job, nothing is queued before its row commits,
transient faults are retried, refusals are final, a worker that died is replaced, and a real
consumer (Huey over SQLite, as ``make run`` has it) runs what the web queued."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from eoffice.extensions import db
from eoffice.jobs import Job, JobFailed, queue, register_handler, submit
from eoffice.timestamps import utcnow

EFFECTS: list[str] = []


@pytest.fixture()
def japp(app: Flask) -> Flask:
    """The app with test job kinds whose effects are visible in ``EFFECTS``."""
    EFFECTS.clear()
    failures = {"flaky": 1}

    def record(job: Job) -> dict[str, Any]:
        EFFECTS.append(job.params["text"])
        return {"recorded": job.params["text"]}

    def flaky(job: Job) -> dict[str, Any]:
        if failures["flaky"] > 0:
            failures["flaky"] -= 1
            raise ConnectionError("server busy")
        EFFECTS.append("flaky done")
        return {}

    def refuse(job: Job) -> dict[str, Any]:
        raise JobFailed("Văn bản không còn ở trạng thái chờ chuyển PDF.")

    register_handler(app, "record", record)
    register_handler(app, "flaky", flaky)
    register_handler(app, "refuse", refuse)
    return app


def _job(app: Flask, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.refresh(job)
        db.session.expunge(job)
        return job


def test_asked_twice_is_one_job_and_nothing_is_queued_before_commit(japp: Flask) -> None:
    huey = queue.huey_for(japp)
    huey.flush()
    with japp.app_context():
        first = submit("record", "record:1", params={"text": "một lần"})
        first_id = first.id
        assert huey.pending_count() == 0  # not before the row is committed
        db.session.commit()
        assert huey.pending_count() == 1
        again = submit("record", "record:1", params={"text": "một lần"})
        db.session.commit()
        assert again.id == first_id and huey.pending_count() == 1
        submit("record", "record:rolled-back", params={"text": "không"})
        db.session.rollback()
        assert huey.pending_count() == 1
        assert db.session.execute(select(Job).where(
            Job.idempotency_key == "record:rolled-back")).first() is None
        assert queue.drain() == 1
        assert queue.drain() == 0
    assert EFFECTS == ["một lần"]
    done = _job(japp, first_id)
    assert (done.state, done.attempts, done.result) == ("done", 1, {"recorded": "một lần"})


def test_transient_faults_are_retried_and_refusals_are_final(japp: Flask) -> None:
    with japp.app_context():
        flaky = submit("flaky", "flaky:1").id
        refused = submit("refuse", "refuse:1").id
        db.session.commit()
        queue.drain()
        assert _job(japp, flaky).state == "queued"  # rescheduled after its fault
        assert "thử lại" in _job(japp, flaky).message
        queue.drain()
    assert (_job(japp, flaky).state, _job(japp, flaky).attempts) == ("done", 2)
    failed = _job(japp, refused)
    assert failed.state == "failed" and failed.attempts == 1
    assert failed.message == "Văn bản không còn ở trạng thái chờ chuyển PDF."
    assert EFFECTS == ["flaky done"]


def test_a_job_whose_worker_died_runs_again_once(japp: Flask) -> None:
    """A worker killed mid-job leaves the row running with a heartbeat that stops; the reaper
    queues it again and the next worker runs it; a second delivery of the same id does
    nothing more."""
    with japp.app_context():
        job_id = submit("record", "record:orphan", params={"text": "làm lại"}).id
        db.session.commit()
        # A live worker has it: its heartbeat is fresh, nobody else may take it.
        db.session.execute(update(Job).where(Job.id == job_id).values(
            state="running", attempts=1, started_at=utcnow(), heartbeat_at=utcnow()))
        db.session.commit()
        queue.execute(job_id)
        assert queue.reap() == 0 and EFFECTS == []
        # The worker was killed: its heartbeat stops; the reaper queues the job again.
        stale = utcnow() - queue.STALE_AFTER - timedelta(seconds=1)
        db.session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=stale))
        db.session.commit()
        assert queue.reap() == 1
        queue.execute(job_id)
        queue.execute(job_id)  # the broker delivered it twice: runs once
    assert EFFECTS == ["làm lại"]
    assert _job(japp, job_id).state == "done"


def test_a_real_consumer_runs_what_the_web_queued(japp: Flask) -> None:
    consumer = queue.start_in_process(japp, workers=1)
    try:
        with japp.app_context():
            job_id = submit("record", "record:consumer", params={"text": "qua hàng đợi"}).id
            db.session.commit()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _job(japp, job_id).state != "done":
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    assert _job(japp, job_id).state == "done"
    assert EFFECTS == ["qua hàng đợi"]


def test_the_sweeps_run_as_periodic_jobs_once_per_minute(app: Flask, demo: None) -> None:
    """The overdue sweep and task reminders are scheduled on the queue (cron is optional);
    two schedulers firing in the same minute make one job."""
    queue.create_consumer(app, workers=1)
    registry = queue.huey_for(app)._registry
    periodic = {task.name for task in registry.periodic_tasks}
    assert {"eoffice.periodic.documents_overdue", "eoffice.periodic.tasks_remind",
            "eoffice.reap_jobs"} <= periodic
    [overdue] = [t for t in registry.periodic_tasks
                 if t.name == "eoffice.periodic.documents_overdue"]
    overdue.execute()
    overdue.execute()  # a second scheduler, the same minute
    with app.app_context():
        jobs = db.session.execute(select(Job).where(Job.kind == "documents_overdue")).all()
        assert len(jobs) == 1
        assert queue.drain() == 1
        [job] = db.session.execute(select(Job).where(Job.kind == "documents_overdue")).scalars()
        assert job.state == "done" and job.result == {"overdue": 0}
