"""The append-only, hash-chained event trail. Every feature records its actions via ``record``."""

from flask import Flask

from eoffice.audit.service import ChainReport, record, verify_chain

__all__ = ["ChainReport", "init_app", "record", "verify_chain"]

#: How often the worker has the TSA timestamp the chain's head (a periodic job).
ANCHOR_SCHEDULE_MINUTE = "0"


def init_app(app: Flask) -> None:
    """The ``audit`` commands, and the periodic anchoring job (hourly, when there is news)."""
    from huey import crontab

    from eoffice.audit.anchors import anchor_now
    from eoffice.audit.cli import audit_group
    from eoffice.extensions import db
    from eoffice.jobs import Job, register_handler, register_periodic

    def anchor_job(_job: Job) -> dict[str, object]:
        anchor = anchor_now()
        db.session.commit()
        return {"event_id": anchor.event_id if anchor else None}

    register_handler(app, "audit_anchor", anchor_job)
    register_periodic(app, "audit_anchor", crontab(minute=ANCHOR_SCHEDULE_MINUTE))
    app.cli.add_command(audit_group)
