"""Documents and tasks as reports name them: by number and subject or title, never by id.

A report reader (a manager) may see a figure without being able to open every document behind
it; the name then comes without the subject (the number only) and without the page, and the
report opens its own page about the event. Secret documents are never named by their subject.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from eoffice.documents.access import can_view as can_view_document
from eoffice.documents.models import Direction, Document, DocumentVersion
from eoffice.extensions import db
from eoffice.reports.links import ObjectName
from eoffice.tasks.models import Task
from eoffice.tasks.service import can_view as can_view_task
from eoffice.web.dates import show_moment


def _url(endpoint: str, **values: Any) -> str | None:
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request and no link context (a job): the name alone
        return None


def document_label(document: Document, *, with_subject: bool = True) -> str:
    """"Văn bản đến số 7 (15/BKHĐT-VP) — Về việc …" or "Quyết định 15/QĐ-UBND — Về việc …"."""
    if document.direction == Direction.INCOMING:
        label = "Văn bản đến"
        if document.arrival_number:
            label += f" số {document.arrival_number}"
        if document.code_number is not None:
            label += f" ({document.code_number}/{document.code_notation})"
    else:
        label = document.type_name or "Văn bản đi"
        label += f" {document.number_and_notation}" if document.number_and_notation else \
            " (dự thảo)"
    if document.secrecy:
        return f"{label} — văn bản mật"
    return f"{label} — {document.subject}" if with_subject else label


def name_document(object_id: str, viewer: Any) -> ObjectName | None:
    document = db.session.get(Document, int(object_id)) if object_id.isdigit() else None
    if document is None:
        return None
    if viewer is None or viewer.organisation_id != document.organisation_id:
        return ObjectName("Văn bản")
    # The subject only for those who may see the document (the same rule as its page);
    # a manager who oversees the handler but is not part of it reads the number.
    if not can_view_document(viewer, document):
        return ObjectName(document_label(document, with_subject=False))
    endpoint = ("documents.outgoing_view" if document.direction == Direction.OUTGOING
                else "documents.incoming_view")
    return ObjectName(document_label(document), _url(endpoint, document_id=document.id))


def name_task(object_id: str, viewer: Any) -> ObjectName | None:
    task = db.session.get(Task, int(object_id)) if object_id.isdigit() else None
    if task is None:
        return None
    if viewer is None or viewer.organisation_id != task.organisation_id:
        return ObjectName("Công việc")
    if not can_view_task(viewer, task):
        return ObjectName(f"Công việc hạn {show_moment(task.deadline)}")
    return ObjectName(f"Công việc: {task.title}", _url("tasks.detail", task_id=task.id))


def file_titles(file_ids: list[int]) -> dict[int, str]:
    """Files that are versions of a document, named by that document (number and subject)
    instead of their upload name ("du-thao-v3.pdf"): pickers show what people recognise."""
    if not file_ids:
        return {}
    rows = db.session.execute(
        select(DocumentVersion.file_id, Document).join(
            Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.file_id.in_(file_ids))
    ).all()
    return {file_id: document_label(document) for file_id, document in rows}
