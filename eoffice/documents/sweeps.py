"""The periodic sweep of the documents domain: incoming documents past their deadline."""

from __future__ import annotations

from flask import current_app

from eoffice.documents.notifications import send
from eoffice.documents.queries import sweep_overdue
from eoffice.extensions import db
from eoffice.jobs import Job
from eoffice.links import link_context


def overdue_job(_job: Job) -> dict[str, int]:
    """Flag what passed its deadline (once each) and tell its people; a periodic job."""
    notices = sweep_overdue()
    db.session.commit()
    with link_context(current_app._get_current_object()):  # type: ignore[attr-defined]
        send(notices)
    return {"overdue": len(notices)}
