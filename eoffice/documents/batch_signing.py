"""Batch signing in the background: the request checks the PIN and answers 202 at once; the
documents are signed one by one while progress is pushed to the leader's page.

The PIN and the unlocked key never leave this process's memory: not the broker, not the
database, not a log. So the batch runs beside the web server (a thread, a greenlet under
gevent) rather than on the job queue; its job row shows its state like any other job. Each
document commits on its own: if the process dies mid-batch, what was signed stays signed, the
rest stays approved, and the job is recorded as interrupted (the reaper's handler) so the
leader signs the remainder again.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import asdict

from flask import Flask, current_app

import signing
from eoffice.accounts.models import User
from eoffice.documents.notifications import push
from eoffice.documents.signing_service import BatchOutcome, sign_batch
from eoffice.extensions import db
from eoffice.jobs import Job, JobFailed, submit, touch
from eoffice.signing_keys import open_leader_signer
from eoffice.signing_keys.images import require_signature_image
from eoffice.timestamps import utcnow


def start(actor: User, document_ids: Sequence[int], pin: str) -> Job:
    """Check the PIN now (a wrong one is refused here, nothing starts), then sign in the
    background; return the job people follow."""
    require_signature_image(actor)  # refused at once, not once per document in the background
    signer = open_leader_signer(actor, pin, signatures=len(document_ids))
    job = submit("sign_batch", f"sign_batch:{uuid.uuid4()}", requested_by=actor,
                 params={"document_ids": list(document_ids)}, enqueue=False)
    job.state, job.attempts, job.started_at, job.heartbeat_at = "running", 1, utcnow(), utcnow()
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=_run, args=(app, job.id, actor.id, list(document_ids), signer),
                     name=f"sign-batch-{job.id}", daemon=True).start()
    return job


def _run(app: Flask, job_id: int, actor_id: int, document_ids: list[int],
         signer: signing.DocumentSigner) -> None:
    with app.app_context():
        actor = db.session.get(User, actor_id)
        job = db.session.get(Job, job_id)
        assert actor is not None and job is not None

        def progress(done: int, total: int, outcome: BatchOutcome) -> None:
            push([actor_id], "batch_progress", {
                "job_id": job_id, "done": done, "total": total,
                "document_id": outcome.document_id, "ok": outcome.ok,
                "message": outcome.message})
            touch(job)

        try:
            outcomes = sign_batch(actor, document_ids, "", progress, signer=signer)
        except Exception:  # the job must end in a state people can read
            db.session.rollback()
            current_app.logger.exception("batch signing job %s failed", job_id)
            _finish(job_id, "failed", "Lỗi hệ thống khi ký hàng loạt.", {})
            return
        result = {"results": [asdict(o) for o in outcomes],
                  "signed": sum(o.ok for o in outcomes),
                  "failed": sum(not o.ok for o in outcomes)}
        _finish(job_id, "done", f"Đã ký {result['signed']}, lỗi {result['failed']}.", result)
        push([actor_id], "batch_done", {"job_id": job_id, **result})


def _finish(job_id: int, state: str, message: str, result: dict[str, object]) -> None:
    job = db.session.get(Job, job_id)
    assert job is not None
    job.state, job.message, job.result, job.finished_at = state, message, result, utcnow()
    db.session.commit()


def interrupted(_job: Job) -> None:
    """What the reaper's retry finds: a batch whose process died. The PIN is gone with it."""
    raise JobFailed("Tiến trình ký bị gián đoạn; các văn bản đã ký vẫn giữ chữ ký, hãy ký lại "
                    "các văn bản còn lại.")
