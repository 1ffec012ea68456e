"""Signing path: leader signs with a PIN, the clerk numbers and applies the organisation
signature, the issued PDF verifies with every signature intact (our validator, the signing CLI
and poppler's pdfsig). Failed signing changes nothing; wrong PINs lock signing (in the DB)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import signing
from eoffice import signing_keys
from eoffice.documents import service, signing_service
from eoffice.documents.models import Document, DocumentAttachment
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.signing_keys import SigningFailed, SigningPinState
from tests.conftest import _wipe, make_app
from tests.documents.conftest import make_pdf, user
from tests.services.require import require_executable

PIN = signing_keys.DEMO_PIN


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo PKI for the whole session: creating CA keys is the slow part."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture()
def sapp(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(pki_dir))
    try:
        yield application
    finally:
        _wipe(application)


@pytest.fixture()
def sctx(sapp: Flask) -> Iterator[Flask]:
    from eoffice.demo import seed_demo

    with sapp.app_context():
        seed_demo()
        from eoffice.accounts.models import User

        signing_keys.ensure_demo_credentials(
            list(db.session.execute(select(User)).scalars()))
        yield sapp
        db.session.remove()


def approved_document(attachment: bytes | None = None, **overrides: Any) -> Document:
    """An outgoing draft taken through every approval; an attachment, if given, is added by the
    drafter while it is still a draft (content is frozen once approved)."""
    drafter = user("chuyenvien")
    stored = service.store_file(drafter, io.BytesIO(make_pdf()), "du-thao.pdf")
    fields: dict[str, Any] = {
        "subject": "Về việc ban hành quy chế làm việc", "type_code": "",
        "reviewer_id": user("truongphong").id, "checker_id": user("vanthu").id,
        "signer_id": user("chutich").id, "recipient_user_ids": [user("thuky").id],
    }
    fields.update(overrides)
    document = service.create_outgoing(drafter, service.OutgoingDraft(**fields), stored).document
    if attachment is not None:
        annex = service.store_file(drafter, io.BytesIO(attachment), "phu-luc.pdf", service.PDF_ONLY)
        service.add_attachment(drafter, document, annex)
    transition(user("truongphong"), document, "approve_content")
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    return document


def current_pdf(document: Document) -> bytes:
    return object_store().read_bytes(document.current_version.file.sha256)


def test_leader_signs_clerk_numbers_and_seals_and_every_signature_verifies(
    sctx: Flask, tmp_path: Path, pki_dir: Path
) -> None:
    document = approved_document()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    db.session.commit()
    assert document.state == "SIGNED"
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    assert document.state == "NUMBERED"
    assert document.number_and_notation == "01/UBND-KT"
    fields = signing.list_text_fields(current_pdf(document))
    assert fields[signing.NUMBER_FIELD] == "Số: 01/UBND-KT"
    assert fields[signing.DATE_FIELD].startswith("Hòa Bình, ngày ")
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    result = service.issue(user("vanthu"), document)
    db.session.commit()
    assert document.state == "ISSUED"
    assert result.notices and user("thuky").id in result.notices[0].user_ids

    # Every PDF version is kept, none overwritten.
    kinds = [v.kind for v in document.versions]
    assert kinds == ["draft", "leader_signed", "numbered", "org_signed"]
    assert len({v.file.sha256 for v in document.versions}) == 4

    issued = current_pdf(document)
    report = signing.validate(issued, pki=signing_keys.demo_pki())
    assert report.ok, report.verdict_en
    assert len(report.signatures) == 2
    assert all(s.intact and s.signature_valid and s.trusted and s.modifications_allowed
               for s in report.signatures)

    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    cli = subprocess.run([sys.executable, "-m", "signing", "verify", "--pki", str(pki_dir),
                          str(path)], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stdout + cli.stderr

    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("Signature Validation: Signature is Valid.") == 2, out.stdout
    assert "Total document signed" in out.stdout or "signed" in out.stdout


def test_wrong_pin_changes_nothing_and_five_lock_signing(sctx: Flask) -> None:
    document = approved_document()
    before = [v.id for v in document.versions]
    leader = user("chutich")
    for attempt in range(4):
        with pytest.raises(SigningFailed) as wrong:
            signing_service.sign_as_leader(leader, document, "000000")
        db.session.rollback()
        assert f"còn {4 - attempt} lần thử" in wrong.value.message
    with pytest.raises(SigningFailed) as locked:
        signing_service.sign_as_leader(leader, document, "000000")
    db.session.rollback()
    assert locked.value.status == 423
    # The right PIN is refused too while locked; the lock lives in the database.
    with pytest.raises(SigningFailed):
        signing_service.sign_as_leader(leader, document, PIN)
    db.session.rollback()
    state = db.session.execute(
        select(SigningPinState).where(SigningPinState.key_id == f"user:{leader.id}")
    ).scalar_one()
    assert state.failures == 5 and state.locked_until > 0
    db.session.expire_all()
    fresh = db.session.get(Document, document.id)
    assert fresh.state == "APPROVED"
    assert [v.id for v in fresh.versions] == before


def test_batch_signing_one_pin_one_failure_does_not_stop_the_others(sctx: Flask) -> None:
    good = [approved_document(), approved_document()]
    # Still a draft (not approved by the signer): it cannot be signed.
    from tests.documents.conftest import create_outgoing

    not_approved = create_outgoing()
    seen: list[tuple[int, int]] = []
    outcomes = signing_service.sign_batch(
        user("chutich"), [good[0].id, not_approved.id, good[1].id], PIN,
        progress=lambda done, total, _outcome: seen.append((done, total)))
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "trạng thái" in outcomes[1].message
    assert seen == [(1, 3), (2, 3), (3, 3)]
    db.session.expire_all()
    assert [db.session.get(Document, d.id).state for d in good] == ["SIGNED", "SIGNED"]
    assert db.session.get(Document, not_approved.id).state == "DRAFT"


def test_batch_with_a_wrong_pin_signs_nothing(sctx: Flask) -> None:
    document = approved_document()
    with pytest.raises(SigningFailed):
        signing_service.sign_batch(user("chutich"), [document.id], "999999")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Document, document.id).state == "APPROVED"


def test_secret_document_is_numbered_in_its_own_register(sctx: Flask) -> None:
    document = approved_document(secrecy=1, type_code="QĐ",
                                 named_user_ids=[user("chuyenvien").id])
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    assert document.register_kind == "secret"
    assert document.number_and_notation == "01/QĐ-UBND"
    # The next ordinary document starts its own series at 01 too.
    plain = approved_document(type_code="QĐ")
    signing_service.sign_as_leader(user("chutich"), plain, PIN)
    signing_service.assign_number(user("vanthu"), plain)
    db.session.commit()
    assert plain.number_and_notation == "01/QĐ-UBND" and plain.register_kind == "outgoing"


def test_generated_draft_is_signed_and_numbered_in_its_measured_places(sctx: Flask) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    from eoffice.documents.generation import generate_outgoing

    drafter = user("chuyenvien")
    draft = service.OutgoingDraft(
        subject="Ban hành Quy chế văn thư, lưu trữ", type_code="QĐ",
        reviewer_id=user("truongphong").id, checker_id=user("vanthu").id,
        signer_id=user("chutich").id, authority="TM. ỦY BAN NHÂN DÂN",
        to_places="Như Điều 3\nSở Nội vụ")
    document = generate_outgoing(drafter, draft, [
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế văn thư, lưu trữ.",
    ]).document
    db.session.commit()
    assert [v.file.content_type for v in document.versions] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf"]
    assert document.layout and document.layout["number_only"] is True
    transition(user("truongphong"), document, "approve_content")
    transition(user("vanthu"), document, "approve_format")
    transition(user("chutich"), document, "approve")
    db.session.commit()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    final = current_pdf(document)
    fields = signing.list_text_fields(final)
    assert fields[signing.NUMBER_FIELD] == "01"  # printed between "Số:" and "/QĐ-UBND"
    assert document.number_and_notation == "01/QĐ-UBND"
    report = signing.validate(final, pki=signing_keys.demo_pki())
    assert report.ok and len(report.signatures) == 2, report.verdict_en


def test_separate_attachments_get_the_organisation_text_signature(sctx: Flask) -> None:
    document = approved_document(attachment=make_pdf())
    attachment = db.session.scalars(select(DocumentAttachment).filter_by(
        document_id=document.id)).one()
    original_file_id = attachment.file_id
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    db.session.refresh(attachment)
    assert attachment.signed_file_id is not None
    assert attachment.file_id == original_file_id  # the original is kept
    signed = object_store().read_bytes(attachment.signed_file.sha256)
    report = signing.validate(signed, pki=signing_keys.demo_pki())
    assert report.ok and len(report.signatures) == 1
    assert report.signatures[0].field_name.startswith("ChuKyDinhKem")


def test_demo_secretary_and_leaders_can_sign_out_of_the_box(sctx: Flask) -> None:
    """`make run` must let the secretary and the chair sign minutes without extra set-up."""
    for username in ("thuky", "chutich", "phochutich"):
        assert signing_keys.has_user_certificate(user(username)), username
    assert not signing_keys.has_user_certificate(user("chuyenvien"))
