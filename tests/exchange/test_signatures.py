"""Signatures are checked on arrival: the signed PDF's PAdES signatures (leader and
organisation, through the real signing path) and the package's own XML signature, whose
failure refuses the package."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from sqlalchemy import select

from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.demo import seed_demo
from eoffice.documents import outgoing, signing_service
from eoffice.errors import DomainError
from eoffice.exchange import inbound, recipients
from eoffice.exchange.models import ExchangeDispatch, ExchangeInbound
from eoffice.exchange.ports import MessageKind, ReceivedMessage
from eoffice.extensions import db
from eoffice.files.service import object_store
from formats.edxml.signature import sign_package
from tests.conftest import _wipe, make_app
from tests.documents.conftest import user
from tests.documents.test_signing import approved_document
from tests.exchange.conftest import (
    DEPARTMENT,
    DISTRICT,
    ensure_organisation,
    incoming_of,
    issue,
    ready_to_issue,
    run_jobs,
)
from tests.exchange.test_package_signing import unsigned

PIN = signing_keys.DEMO_PIN
OUTSIDE = "000.00.00.H50"  # an organisation of another installation


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exchange-pki")


@pytest.fixture()
def signed_ctx(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(pki_dir))
    application.config["EXCHANGE_AT_ONCE"] = False
    try:
        with application.app_context():
            seed_demo()
            ensure_organisation(DEPARTMENT)
            signing_keys.ensure_demo_credentials(
                list(db.session.execute(select(User)).scalars()))
            yield application
            db.session.remove()
    finally:
        _wipe(application)


def note_of(document_id: int) -> str:
    return str(db.session.execute(select(ExchangeInbound.note).where(
        ExchangeInbound.document_id == document_id)).scalar_one())


def test_signed_document_arrives_with_its_signatures_verified(signed_ctx: Flask) -> None:
    document = approved_document()
    recipients.add_recipient(user("vanthu"), document, DEPARTMENT)
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    signing_service.org_sign(user("vanthu"), document, PIN)
    db.session.commit()
    outgoing.issue(user("vanthu"), document)
    db.session.commit()
    run_jobs()
    [arrived] = incoming_of(DEPARTMENT)
    assert arrived.state == "RECEIVED"
    note = note_of(arrived.id)
    assert "Kiểm tra chữ ký số: Tất cả 2 chữ ký hợp lệ" in note
    # The package itself is signed with the province's exchange certificate.
    assert "đúng chứng thư số của cơ quan gửi" in note


def _certificate() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân tỉnh Hòa Bình")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, certificate


def test_package_signature_is_checked_and_a_tampered_package_refused(xctx: Flask) -> None:
    document = ready_to_issue()
    recipients.add_recipient(user("vanthu"), document, DEPARTMENT)
    db.session.commit()
    issue(document)
    run_jobs()
    sent = object_store().read_bytes(db.session.execute(select(ExchangeDispatch.object_key).where(
        ExchangeDispatch.document_id == document.id)).scalar_one())
    # The same package as a sender outside the installation would sign it (ECDSA, its own
    # certificate), to the district.
    key, certificate = _certificate()
    to_district = unsigned(sent).replace(DEPARTMENT.encode(), DISTRICT.encode()) \
        .replace(b"000.00.00.H41", OUTSIDE.encode())
    signed = sign_package(to_district, key, [certificate])
    tampered = signed.replace(b"ng\xc3\xa2n s\xc3\xa1ch", b"ng\xc3\xa2n s\xc3\xa1cH", 1)
    assert tampered != signed
    with pytest.raises(DomainError, match="bị thay đổi sau khi ký"):
        inbound.accept(ReceivedMessage("axis-1", MessageKind.PACKAGE, OUTSIDE, DISTRICT,
                                       tampered))
    assert incoming_of(DISTRICT) == []
    inbound.accept(ReceivedMessage("axis-2", MessageKind.PACKAGE, OUTSIDE, DISTRICT, signed))
    [arrived] = incoming_of(DISTRICT)
    note = note_of(arrived.id)
    # Valid, but no trusted CA vouches that the certificate is the sender's: said so.
    assert "Chữ ký số của gói edXML hợp lệ" in note and "chưa xác nhận được cơ quan gửi" in note
