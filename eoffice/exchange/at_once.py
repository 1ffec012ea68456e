"""Exchange jobs run right after the commit that queued them, in this process.

A worker polls its broker with a growing pause when idle (up to seconds), but a clerk expects
an issued document at the other organisation of the installation within a second, and the
sender expects the status back as fast. So the jobs a transaction queued for the exchange are
also started, once it committed, on a thread of the process that committed (a greenlet under
gevent). Nothing is lost or doubled by this: the job row and its broker message exist as for
any job, a worker that gets there first wins the compare-and-set claim and this run finds it
taken, and a process that dies mid-job leaves it to the reaper. ``EOFFICE`` apps may turn it
off with ``app.config["EXCHANGE_AT_ONCE"] = False`` (tests that run the queue by hand).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event

from eoffice.extensions import db
from eoffice.jobs.queue import RetryLater, execute

_PENDING = "eoffice_exchange_at_once"


def note(job_id: int) -> None:
    """Run job ``job_id`` as soon as the current transaction commits."""
    db.session.info.setdefault(_PENDING, set()).add(job_id)


def _run(app: Flask, job_ids: list[int]) -> None:
    with app.app_context():
        try:
            for job_id in job_ids:
                with contextlib.suppress(RetryLater):  # recorded; the queue retries it later
                    execute(job_id)
        except Exception:  # the queue's worker or reaper takes it from here
            app.logger.exception("exchange jobs %s not run at once", job_ids)
        finally:
            db.session.remove()


def _after_commit(session: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("EXCHANGE_AT_ONCE", True):
        return
    threading.Thread(target=_run, args=(app, sorted(pending)), name="exchange-at-once",
                     daemon=True).start()


def _after_rollback(session: Any) -> None:
    session.info.pop(_PENDING, None)


def listen() -> None:
    """One pair of listeners for the process (however many apps the tests build)."""
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
