"""Sign what you see (issue #11): the leader approves and signs the PDF rendered at
submission, the one shown inline with its SHA-256; a PDF he did not view or that changed
after approval is never signed, and nothing is rendered at signing."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.demo import seed_demo
from eoffice.documents import service, signing_service
from eoffice.documents.common import add_version
from eoffice.documents.errors import InvalidInput
from eoffice.documents.generation import spec_for
from eoffice.documents.models import Document
from eoffice.documents.output_records import ApprovedPdf
from eoffice.documents.viewed_pdf import CHANGED_AFTER_APPROVAL, NOT_RENDERED, ViewedPdfChanged
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import queue
from formats.drafting import build_draft_docx
from tests.conftest import login
from tests.documents import test_signing
from tests.documents.conftest import make_pdf, user
from tests.documents.test_signing import approved_document

PIN = signing_keys.DEMO_PIN
# The signing tests' fixtures: one demo PKI for the session, an app, a seeded context.
pki_dir, sapp, sctx = test_signing.pki_dir, test_signing.sapp, test_signing.sctx


def _docx_draft() -> Document:
    """A DOCX draft from the template, uploaded and approved for content (not rendered)."""
    drafter = user("chuyenvien")
    draft = service.OutgoingDraft(
        subject="Về việc kiểm tra hồ sơ", type_code="", reviewer_id=user("truongphong").id,
        checker_id=user("vanthu").id, signer_id=user("chutich").id)
    docx = build_draft_docx(spec_for(drafter, draft, ["Đề nghị các đơn vị kiểm tra hồ sơ."]))
    stored = service.store_file(drafter, io.BytesIO(docx), "du-thao.docx")
    document = service.create_outgoing(drafter, draft, stored).document
    transition(user("truongphong"), document, "approve_content")
    db.session.commit()
    return document


def test_the_leader_signs_exactly_the_pdf_rendered_at_submission(sctx: Flask) -> None:
    document = _docx_draft()
    document_id = document.id
    # The rendering job has not run: nothing to look at, so nothing to pass or approve.
    with pytest.raises(InvalidInput) as refused:
        transition(user("vanthu"), document, "approve_format")
    assert refused.value.message == NOT_RENDERED
    db.session.rollback()
    document = db.session.get(Document, document_id)
    assert document.state == "CONTENT_OK"

    assert queue.drain() == 1
    document = db.session.get(Document, document_id)
    rendered = document.current_version
    assert rendered.kind == "converted" and rendered.file.content_type == "application/pdf"
    viewed = object_store().read_bytes(rendered.file.sha256)
    assert hashlib.sha256(viewed).hexdigest() == rendered.file.sha256
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    approval = db.session.execute(select(ApprovedPdf)).scalar_one()
    assert (approval.sha256, approval.version_id) == (rendered.file.sha256, rendered.id)

    # A hash that is not the current PDF's (he viewed something else): refused, unchanged.
    versions_before = [v.id for v in document.versions]
    with pytest.raises(ViewedPdfChanged):
        signing_service.sign_as_leader(user("chutich"), document, PIN,
                                       viewed_sha256="0" * 64)
    db.session.rollback()
    document = db.session.get(Document, document_id)
    assert document.state == "APPROVED"
    assert [v.id for v in document.versions] == versions_before

    signing_service.sign_as_leader(user("chutich"), document, PIN,
                                   viewed_sha256=rendered.file.sha256.upper())
    db.session.commit()
    signed = object_store().read_bytes(document.current_version.file.sha256)
    # The viewed PDF plus an incremental update (the signature): no re-rendering.
    assert signed.startswith(viewed) and len(signed) > len(viewed)
    assert [v.kind for v in document.versions] == ["draft", "converted", "leader_signed"]


def test_a_change_after_approval_sends_the_draft_back_and_nothing_is_signed(
        sctx: Flask) -> None:
    document = approved_document()
    document_id = document.id
    # Whatever the way a different PDF becomes current after the leader approved, signing
    # must notice: here a new version written straight through the service layer.
    changed = service.store_file(user("chuyenvien"), io.BytesIO(make_pdf(pages=2)), "khac.pdf")
    add_version(user("chuyenvien"), document, changed, "converted", "Bản khác")
    db.session.commit()
    with pytest.raises(ViewedPdfChanged) as refused:
        signing_service.sign_as_leader(user("chutich"), document, PIN,
                                       viewed_sha256=changed.sha256)
    assert refused.value.message == CHANGED_AFTER_APPROVAL
    db.session.rollback()
    document = db.session.get(Document, document_id)
    assert document.state == "REVISION"  # back through every approval
    assert "leader_signed" not in [v.kind for v in document.versions]
    returned = db.session.execute(select(Event).where(
        Event.action == "draft_returned", Event.object_id == str(document_id))).scalar_one()
    assert returned.details["reason"] == "content_changed_after_approval"


@pytest.fixture()
def seeded(sapp: Flask) -> Flask:
    """The demo organisation with keys, and no application context left pushed (pages are
    then requested as a browser would, each in its own context)."""
    with sapp.app_context():
        seed_demo()
        signing_keys.ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
        db.session.remove()
    return sapp


def test_the_page_shows_the_pdf_and_its_hash_and_refuses_a_stale_view(seeded: Flask) -> None:
    with seeded.app_context():
        document = approved_document()
        document_id, sha = document.id, document.current_version.file.sha256
        db.session.remove()
    client = seeded.test_client()
    token = login(client, "chutich")
    page = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'data-testid="pdf-view"' in page
    assert f'<code data-testid="pdf-sha256">{sha}</code>' in page
    assert f'name="viewed_sha256" value="{sha}"' in page

    stale = client.post(f"/documents/{document_id}/sign", data={
        "csrf_token": token, "pin": PIN, "viewed_sha256": "f" * 64})
    assert stale.status_code == 409, stale.get_data(as_text=True)[-3000:]
    assert "không còn là bản hiện tại" in stale.get_data(as_text=True)
    answer = client.post(f"/api/v1/documents/{document_id}/actions/sign",
                         json={"pin": PIN, "viewed_sha256": sha},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["state"] == "SIGNED"
