"""A DOCX draft is rendered to PDF by the job queue when it is submitted (and again when it
is revised), so the leader's signing finds the PDF ready; a late job for an older version
changes nothing."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import select

from eoffice.documents import service
from eoffice.documents.models import Document, DocumentVersion
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.jobs import Job, queue
from formats.drafting import build_draft_docx
from tests.documents.conftest import user
from tests.formats.samples import LETTER


def _kinds(document_id: int) -> list[tuple[int, str, str]]:
    return [(v.number, v.kind, v.file.content_type) for v in db.session.execute(
        select(DocumentVersion).where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.number)).scalars()]


def test_a_docx_draft_is_rendered_by_the_queue_before_anyone_signs(ctx: Flask) -> None:
    drafter = user("chuyenvien")
    docx = build_draft_docx(LETTER)
    stored = service.store_file(drafter, io.BytesIO(docx), "du-thao.docx")
    document = service.create_outgoing(drafter, service.OutgoingDraft(
        subject="Về việc kiểm tra hồ sơ", type_code="", reviewer_id=user("truongphong").id,
        checker_id=user("vanthu").id, signer_id=user("chutich").id), stored).document
    db.session.commit()
    document_id = document.id
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert _kinds(document_id) == [(1, "draft", docx_type)]  # nothing converted in the click

    assert queue.drain() == 1
    assert _kinds(document_id) == [(1, "draft", docx_type), (2, "converted", "application/pdf")]

    revised = service.store_file(drafter, io.BytesIO(docx), "sua.docx")
    document = db.session.get(Document, document_id)
    transition(user("truongphong"), document, "return")
    service.revise_draft(drafter, document, revised, "Sửa theo ý kiến")
    db.session.commit()
    queue.drain()
    kinds = _kinds(document_id)
    assert kinds[-2:] == [(3, "draft", docx_type), (4, "converted", "application/pdf")]
    jobs = db.session.execute(select(Job).order_by(Job.id)).scalars().all()
    assert [(j.kind, j.state) for j in jobs] == [("convert_draft", "done")] * 2

    # A late delivery of the first job finds the draft moved on: nothing more is written.
    queue.execute(jobs[0].id)
    assert _kinds(document_id) == kinds
