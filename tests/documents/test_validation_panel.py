"""The issued document's validation panel (issue #11): the official copy, and for each
signature who, in which role, when, valid, long-term data — computed once by a job after
issuing and then shown from the stored result."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.demo import seed_demo
from eoffice.documents import service, signing_service
from eoffice.documents.models import Document
from eoffice.documents.output_records import SignatureValidation
from eoffice.documents.validation_panel import JOB_KIND, panel_for
from eoffice.extensions import db
from eoffice.jobs import Job, queue
from tests.conftest import login
from tests.documents import test_signing
from tests.documents.conftest import user
from tests.documents.test_signing import approved_document

PIN = signing_keys.DEMO_PIN
pki_dir, sapp = test_signing.pki_dir, test_signing.sapp


@pytest.fixture()
def seeded(sapp: Flask) -> Flask:
    with sapp.app_context():
        seed_demo()
        signing_keys.ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
        db.session.remove()
    return sapp


def issued_document_id() -> int:
    document = approved_document()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    signing_service.org_sign(user("vanthu"), document, PIN)
    service.issue(user("vanthu"), document)
    db.session.commit()
    return document.id


def test_issuing_queues_one_validation_and_the_panel_shows_both_signatures(
        seeded: Flask) -> None:
    with seeded.app_context():
        document_id = issued_document_id()
        jobs = db.session.execute(select(Job).where(Job.kind == JOB_KIND)).scalars().all()
        assert len(jobs) == 1  # queued by the issue itself, nothing computed in the click
        db.session.remove()

    client = seeded.test_client()
    login(client, "chutich")
    page = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'data-testid="validation-pending"' in page
    assert 'data-testid="official-copy">Bản chính thức' in page

    with seeded.app_context():
        started = time.perf_counter()
        assert queue.drain() == 1
        elapsed = time.perf_counter() - started
        print(f"RESULT validation_seconds={elapsed:.2f}")
        document = db.session.get(Document, document_id)
        panel = panel_for(document)
        assert panel is not None and not panel.pending and panel.ok
        assert panel.version.kind == "org_signed"
        assert panel.version.id == document.current_version.id
        leader, seal = panel.rows
        assert leader.role == "Lãnh đạo ký ban hành"
        assert seal.role == "Chữ ký số của cơ quan (con dấu)"
        assert user("chutich").full_name in leader.signer  # the name in the certificate
        assert leader.valid and seal.valid
        for row in (leader, seal):
            assert row.signing_time and row.timestamp  # claimed time and the TSA's
            assert row.timestamped
            # Long-term validation data: revocation data in the DSS, a VRI entry naming it.
            assert row.level == "B-LT" and row.revocation_data and row.vri
        assert panel.dss
        # A second job for the same file computes nothing again.
        job = queue.submit(JOB_KIND, "again", params={"document_id": document_id,
                                                     "file_id": panel.version.file_id})
        db.session.commit()
        queue.execute(job.id)
        assert db.session.execute(select(func.count(SignatureValidation.id))).scalar() == 1
        db.session.remove()

    page = client.get(f"/documents/outgoing/{document_id}").get_data(as_text=True)
    assert 'data-testid="validation-verdict"' in page
    assert page.count('data-valid="yes"') == 2 and 'data-valid="no"' not in page
    assert "Lãnh đạo ký ban hành" in page and "Chữ ký số của cơ quan (con dấu)" in page


def test_a_draft_has_no_panel(seeded: Flask) -> None:
    with seeded.app_context():
        document = approved_document()
        assert panel_for(document) is None
        db.session.remove()
