"""Nhận văn bản ngay: a clerk asks the installation to fetch now what waits on the axis.

The job worker polls every minute (``register_periodic`` in ``eoffice.exchange.axis``); a clerk
told on the phone that a document was just sent, or checking the exchange after an outage,
should not have to wait for the clock. ``POST /api/v1/exchange/poll`` submits the same poll
job the minute does, on behalf of the person asking, and answers 202 with the job, which they
follow at ``/api/v1/jobs/<id>`` (and on the jobs page): its result counts what was taken in.

Asked again while one of theirs still waits in the queue, they get that one (a double click is
one poll); once it runs, a new request is a new poll, since the running one may already have
listed the hub's mail. Polls running together are safe: taking in a message is idempotent on
its id (``eoffice.exchange.axis.poll``).
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.roles import Role
from eoffice.api.openapi import documented, ref
from eoffice.errors import Conflict, Forbidden
from eoffice.exchange.ports import remote_transport
from eoffice.extensions import db
from eoffice.jobs.models import Job
from eoffice.jobs.queue import submit
from eoffice.jobs.views import job_json
from eoffice.timestamps import utcnow

#: The inbox job: every minute, and on request.
POLL_JOB = "exchange.axis.poll"

#: Who may ask: the clerks who take documents in, and the administrators who run the exchange.
MAY_POLL = frozenset({Role.CLERK, Role.ADMIN, Role.SUPER_ADMIN})

bp = Blueprint("exchange_poll", __name__, url_prefix="/api/v1/exchange")
#: The same request from the incoming documents' page (a form post, then back to the list).
pages = Blueprint("exchange_poll_page", __name__)


def may_poll_now(user: User) -> bool:
    """Whether ``user`` is offered "Nhận văn bản ngay": a clerk or administrator, with an axis."""
    return bool(user.roles & MAY_POLL) and remote_transport() is not None


def request_poll(user: User) -> Job:
    """The poll job for ``user`` (in the caller's transaction): theirs still queued, else a
    new one."""
    waiting = db.session.execute(
        select(Job).where(Job.kind == POLL_JOB, Job.requested_by_id == user.id,
                          Job.state == "queued").order_by(Job.id.desc())).scalars().first()
    if waiting is not None:
        return waiting
    return submit(POLL_JOB, f"{POLL_JOB}:now:{user.id}:{utcnow().isoformat()}",
                  requested_by=user)


@bp.post("/poll")
@documented("Nhận văn bản ngay: lấy ngay những gì đang chờ trên trục liên thông (không đợi lần "
            "nhận tự động mỗi phút); trả về việc nền, theo dõi ở /api/v1/jobs/{id}",
            ref("Job"), status=202, errors=(401, 403, 409))
@login_required
def poll_now() -> ResponseReturnValue:
    job = _requested(current_user)
    return jsonify(job_json(job)), 202


@pages.post("/exchange/poll")
@login_required
def poll_now_page() -> ResponseReturnValue:
    job = _requested(current_user)
    flash(f"Đang nhận văn bản từ trục liên thông; văn bản mới sẽ hiện trong danh sách khi xong "
          f"(theo dõi tại mục Việc nền, số {job.id}).", "success")
    back = request.referrer or ""
    return redirect(back if back.startswith(request.host_url) else
                    url_for("documents.incoming_list"))


def _requested(user: User) -> Job:
    """The poll job asked for by ``user`` (committed), after the one check both routes share."""
    if not user.roles & MAY_POLL:
        raise Forbidden("Chỉ văn thư hoặc quản trị mới yêu cầu nhận văn bản liên thông.")
    if remote_transport() is None:
        raise Conflict("Chưa cấu hình trục liên thông (EOFFICE_AXIS_URL).")
    job = request_poll(user)
    db.session.commit()
    return job
