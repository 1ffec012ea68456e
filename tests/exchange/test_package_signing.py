"""Outgoing edXML packages are signed with the sending organisation's exchange certificate,
and arrival checks that the signer is the organisation the package names (issue #18): a
package re-signed with another organisation's certificate, or changed after signing, is
refused. Replacements name the replaced document in ReplacementInfoList, as the official
samples do. ``flask exchange set-certificate`` installs a PKCS#12 from a CA."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask
from lxml import etree
from sqlalchemy import select

from eoffice.audit.models import Event as AuditEvent
from eoffice.documents import outgoing
from eoffice.documents.exchange import outgoing_document_id
from eoffice.documents.models import Document
from eoffice.errors import DomainError
from eoffice.exchange import inbound, recipients
from eoffice.exchange.arrival import replaced_key
from eoffice.exchange.models import ExchangeDispatch, ExchangeInbound
from eoffice.exchange.ports import MessageKind, ReceivedMessage
from eoffice.exchange.sender_check import sender_verdict
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.organisation.models import Organisation
from eoffice.organisation.organisations import OrganisationDetails, create_organisation
from eoffice.signing_keys import demo_pki, pki_dir
from eoffice.signing_keys.exchange_keys import (
    exchange_certificate,
    open_exchange_key,
    organ_id_of,
)
from formats import edxml
from formats.edxml.signature import DS, sign_package, verify_package
from tests.documents.conftest import user
from tests.exchange.conftest import (
    DEPARTMENT,
    DISTRICT,
    incoming_of,
    issue,
    ready_to_issue,
    run_jobs,
)

PROVINCE = "000.00.00.H41"


def _organisation(organ_id: str) -> Organisation:
    return db.session.execute(select(Organisation).where(
        Organisation.organ_id == organ_id)).scalar_one()


def _sent_bytes(document_id: int, business_type: int = 0) -> bytes:
    key = db.session.execute(select(ExchangeDispatch.object_key).where(
        ExchangeDispatch.document_id == document_id, ExchangeDispatch.kind == "package",
        ExchangeDispatch.business_type == business_type)).scalar_one()
    return object_store().read_bytes(key)


def _issued_to_department(subject: str = "Về việc lập dự toán ngân sách năm 2027") -> int:
    document = ready_to_issue(subject)
    recipients.add_recipient(user("vanthu"), document, DEPARTMENT)
    db.session.commit()
    issue(document)
    run_jobs()
    return document.id


def unsigned(data: bytes) -> bytes:
    """The package without its signature element (to sign it again with another key)."""
    root = etree.fromstring(data)
    for node in root.iter(f"{{{DS}}}Signature"):
        node.getparent().remove(node)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def _to_district(data: bytes) -> bytes:
    return unsigned(data).replace(DEPARTMENT.encode(), DISTRICT.encode())


def _inbound_note(document_id: int) -> str:
    return str(db.session.execute(select(ExchangeInbound.note).where(
        ExchangeInbound.document_id == document_id)).scalar_one())


def test_a_delivered_package_is_signed_by_the_sending_organisation(xctx: Flask) -> None:
    document_id = _issued_to_department()
    [arrived] = incoming_of(DEPARTMENT)
    signer = verify_package(_sent_bytes(document_id))
    assert signer is not None
    assert organ_id_of(signer.certificate) == PROVINCE
    assert signer.common_name == "Ủy ban nhân dân tỉnh Hòa Bình"
    assert signer.certificate == exchange_certificate(_organisation(PROVINCE))
    assert "đúng chứng thư số của cơ quan gửi" in _inbound_note(arrived.id)
    # The status flowing back (01 arrived) is signed by the department.
    status_key = db.session.execute(select(ExchangeDispatch.object_key).where(
        ExchangeDispatch.kind == "status", ExchangeDispatch.to_organ_id == PROVINCE,
        ExchangeDispatch.object_key != "")).scalars().first()
    status_signer = verify_package(object_store().read_bytes(status_key))
    assert status_signer is not None and organ_id_of(status_signer.certificate) == DEPARTMENT


def _accept(message_id: str, to: str, data: bytes) -> None:
    inbound.accept(ReceivedMessage(message_id, MessageKind.PACKAGE, PROVINCE, to, data))


def test_a_package_signed_with_another_organisations_certificate_is_refused(
        xctx: Flask) -> None:
    sent = _sent_bytes(_issued_to_department())
    department = open_exchange_key(_organisation(DEPARTMENT))
    forged = sign_package(_to_district(sent), department.key, department.chain)
    with pytest.raises(DomainError, match="chứng thư số của cơ quan khác") as refused:
        _accept("axis-forged", DISTRICT, forged)
    assert DEPARTMENT in refused.value.message and PROVINCE in refused.value.message
    # Unsigned, or signed by a certificate no trusted CA issued: refused between organisations
    # of the installation as well.
    with pytest.raises(DomainError, match="phải được ký"):
        _accept("axis-unsigned", DISTRICT, _to_district(sent))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân tỉnh Hòa Bình")])
    now = datetime.now(UTC)
    self_made = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                 .public_key(key.public_key()).serial_number(7)
                 .not_valid_before(now - timedelta(days=1))
                 .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    with pytest.raises(DomainError, match="không được ký bằng chứng thư số liên thông"):
        _accept("axis-self-made", DISTRICT, sign_package(_to_district(sent), key, [self_made]))
    assert incoming_of(DISTRICT) == []
    # The same package signed by the province itself is taken in.
    province = open_exchange_key(_organisation(PROVINCE))
    _accept("axis-genuine", DISTRICT,
            sign_package(_to_district(sent), province.key, province.chain))
    [arrived] = incoming_of(DISTRICT)
    assert "đúng chứng thư số của cơ quan gửi" in _inbound_note(arrived.id)


def test_a_package_changed_after_signing_is_refused(xctx: Flask) -> None:
    sent = _sent_bytes(_issued_to_department())
    tampered = sent.replace(DEPARTMENT.encode(), DISTRICT.encode())
    assert tampered != sent and verify_package(sent) is not None
    with pytest.raises(DomainError, match="bị thay đổi sau khi ký"):
        _accept("axis-tampered", DISTRICT, tampered)
    assert incoming_of(DISTRICT) == []


def test_a_replacement_names_the_replaced_document_in_replacement_info(xctx: Flask) -> None:
    old_id = _issued_to_department()
    old = db.session.get(Document, old_id)
    new = ready_to_issue("Về việc lập dự toán ngân sách năm 2027 (thay thế)")
    issue(new)
    outgoing.replace(user("vanthu"), old, new.id, "Sai số liệu ở phụ lục")
    db.session.commit()
    run_jobs()
    package = edxml.parse_package(_sent_bytes(new.id, business_type=3))
    old_key = outgoing_document_id(old)
    assert package.message.business.replacements == (
        edxml.ReplacementInfo(old_key, (DEPARTMENT,)),)
    assert package.message.response_for == ()  # the official replacement sample has none
    db.session.expire_all()
    first, second = incoming_of(DEPARTMENT)
    assert first.replaced_by_id == second.id
    # Read from ReplacementInfoList: the entry naming this organisation; an older sender's
    # ResponseFor when the list is absent.
    department = _organisation(DEPARTMENT)
    two = dataclasses.replace(package.message.business, replacements=(
        edxml.ReplacementInfo("000.00.00.H41,2026/01/02,1/UBND-VP", (DISTRICT,)),
        edxml.ReplacementInfo(old_key, (DEPARTMENT,))))
    assert replaced_key(department, _with(package, business=two)) == old_key
    older = _with(package, business=dataclasses.replace(two, replacements=()),
                  response_for=(edxml.ResponseFor(PROVINCE, "13/UBND-KT", date(2026, 12, 4),
                                                  "000.00.00.H41,2026/12/04,13/UBND-KT"),))
    assert replaced_key(department, older) == "000.00.00.H41,2026/12/04,13/UBND-KT"


def _with(package: edxml.EdxmlPackage, **changes: object) -> edxml.EdxmlPackage:
    return dataclasses.replace(package, message=dataclasses.replace(package.message, **changes))


def test_the_command_installs_an_organisations_exchange_certificate(
        xctx: Flask, tmp_path: Path) -> None:
    issued = demo_pki().issue_seal("Sở Tài chính tỉnh Hòa Bình", "mat-khau-p12")
    p12 = tmp_path / "stc.p12"
    p12.write_bytes(issued.pkcs12)
    runner = xctx.test_cli_runner()
    wrong = runner.invoke(args=["exchange", "set-certificate", DEPARTMENT, str(p12)],
                          env={"EOFFICE_EXCHANGE_P12_PASSPHRASE": "sai"})
    assert wrong.exit_code != 0 and "sai mật khẩu" in wrong.output
    done = runner.invoke(args=["exchange", "set-certificate", DEPARTMENT, str(p12)],
                         env={"EOFFICE_EXCHANGE_P12_PASSPHRASE": "mat-khau-p12"})
    assert done.exit_code == 0, done.output
    assert "mat-khau-p12" not in done.output
    department = _organisation(DEPARTMENT)
    assert exchange_certificate(department) == issued.certificate
    key = open_exchange_key(department)
    assert key.certificate == issued.certificate
    assert db.session.execute(select(AuditEvent.id).where(
        AuditEvent.action == "exchange_certificate_set",
        AuditEvent.object_id == str(department.id))).first() is not None
    # Its packages now carry that certificate, which arrival takes as the department's own
    # (it names no OrganId: it is the one installed for the department).
    sent = _sent_bytes(_issued_to_department())
    signed = sign_package(unsigned(sent), key.key, key.chain)
    assert "đúng chứng thư số của cơ quan gửi" in sender_verdict(DEPARTMENT, signed)
    with pytest.raises(DomainError, match="không được ký bằng chứng thư số liên thông"):
        sender_verdict(DISTRICT, signed)
    # A certificate no trusted CA issued is not installed.
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở Tài chính")])
    now = datetime.now(UTC)
    self_made = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                 .public_key(other.public_key()).serial_number(9)
                 .not_valid_before(now - timedelta(days=1))
                 .not_valid_after(now + timedelta(days=30)).sign(other, hashes.SHA256()))
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"x", other, self_made, None, BestAvailableEncryption(b"mat-khau-p12")))
    refused = runner.invoke(args=["exchange", "set-certificate", DEPARTMENT, str(p12)],
                            env={"EOFFICE_EXCHANGE_P12_PASSPHRASE": "mat-khau-p12"})
    assert refused.exit_code != 0 and "tin cậy" in refused.output
    assert exchange_certificate(department) == issued.certificate


def test_a_new_organisation_gets_its_exchange_certificate(xctx: Flask) -> None:
    demo_pki()  # the installation signs with its embedded PKI
    created = create_organisation(None, OrganisationDetails(
        organ_id="000.30.00.H41", name="Sở Xây dựng tỉnh Hòa Bình", abbreviation="SXD",
        place="Hòa Bình"))
    db.session.commit()
    certificate = exchange_certificate(created)
    assert certificate is not None and organ_id_of(certificate) == "000.30.00.H41"
    assert open_exchange_key(created).certificate == certificate


def _certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
                 issuer_key: rsa.RSAPrivateKey, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))


def test_outside_senders_are_tied_to_their_certificate_by_a_trust_anchor(
        xctx: Flask) -> None:
    outside, other = "000.00.00.H50", "000.00.00.H14"
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA của tỉnh Sơn La")])
    root = _certificate(root_name, root_key, root_name, root_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _certificate(x509.Name([
        x509.NameAttribute(NameOID.USER_ID, f"EDXML:{outside}"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân tỉnh Sơn La")]),
        key, root_name, root_key, ca=False)
    sent = unsigned(_sent_bytes(_issued_to_department()))
    signed = sign_package(sent.replace(PROVINCE.encode(), outside.encode()), key, [leaf, root])
    # Before its root is trusted: taken (valid signature), with the sender not confirmed.
    assert "chưa xác nhận được cơ quan gửi" in sender_verdict(outside, signed)
    anchors = pki_dir() / "exchange-trust"
    anchors.mkdir()
    (anchors / "son-la.pem").write_bytes(root.public_bytes(Encoding.PEM))
    assert "đúng chứng thư số của cơ quan gửi" in sender_verdict(outside, signed)
    # The same certificate does not speak for another organisation.
    as_other = sign_package(sent.replace(PROVINCE.encode(), other.encode()), key, [leaf, root])
    with pytest.raises(DomainError, match="chứng thư số của cơ quan khác"):
        sender_verdict(other, as_other)


def test_a_revoked_exchange_certificate_is_refused_and_replaced(xctx: Flask) -> None:
    province = _organisation(PROVINCE)
    old = open_exchange_key(province)
    demo_pki().revoke(old.certificate)
    sent = unsigned(_sent_bytes(_issued_to_department()))
    with pytest.raises(DomainError, match="đã bị thu hồi"):
        sender_verdict(PROVINCE, sign_package(sent, old.key, old.chain))
    # The province's packages are now signed with a fresh certificate, which is accepted.
    fresh = open_exchange_key(province)
    assert fresh.certificate != old.certificate
    assert verify_package(_sent_bytes(_issued_to_department("Về việc khác"))).certificate \
        == fresh.certificate


def test_a_status_message_must_be_signed_by_the_organisation_reporting(xctx: Flask) -> None:
    _issued_to_department()
    key = db.session.execute(select(ExchangeDispatch.object_key).where(
        ExchangeDispatch.kind == "status", ExchangeDispatch.from_organ_id == DEPARTMENT,
        ExchangeDispatch.object_key != "")).scalars().first()
    status = object_store().read_bytes(key)
    district = open_exchange_key(_organisation(DISTRICT))
    forged = sign_package(unsigned(status), district.key, district.chain)
    for message_id, data, refusal in (("s-forged", forged, "chứng thư số của cơ quan khác"),
                                      ("s-unsigned", unsigned(status), "phải được ký")):
        with pytest.raises(DomainError, match=refusal):
            inbound.accept(ReceivedMessage(message_id, MessageKind.STATUS, DEPARTMENT,
                                           PROVINCE, data))
    # The genuine one was taken in, its check kept with it.
    note = db.session.execute(select(ExchangeInbound.note).where(
        ExchangeInbound.kind == "status", ExchangeInbound.from_organ_id == DEPARTMENT)
    ).scalars().all()
    assert note and all("đúng chứng thư số của cơ quan gửi" in n for n in note)
