"""Signing as a province does in production: keys from a licensed CA imported from their
PKCS#12 files, every signature timestamped by that CA's TSA (``EOFFICE_TSA_URL``), the CA's
root the one trusted (``EOFFICE_TRUST_ROOTS``), its OCSP responses and CRLs embedded (B-LT).

The CA is real: certomancer's Animator in a process of its own (``outside_ca``), answering
timestamp, OCSP and CRL requests over HTTP.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives.serialization import pkcs12
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.documents import service, signing_service
from eoffice.documents.validation_panel import build_report
from eoffice.extensions import db
from eoffice.settings import Settings, SettingsError
from eoffice.signing_keys import SigningFailed, trust
from eoffice.signing_keys.credentials import user_p12
from signing.pki import make_pkcs12
from tests.conftest import _wipe, make_app
from tests.documents.conftest import user
from tests.documents.test_signing import approved_document, current_pdf
from tests.foundation.test_metrics import read, value
from tests.services.require import require_executable
from tests.signing_production.outside_ca import ENTITIES, OutsideCA

P12_PASSWORD = "mat-khau-tep-cua-CA"
PIN = "246810"


@pytest.fixture(scope="module")
def outside_ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OutsideCA]:
    ca = OutsideCA(tmp_path_factory.mktemp("outside-ca")).start()
    try:
        yield ca
    finally:
        ca.stop()


@pytest.fixture()
def papp(database_url: str, tmp_path: Path, outside_ca: OutsideCA) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(tmp_path / "pki"),
                           tsa_url=outside_ca.tsa_url, trust_roots=str(outside_ca.root_pem),
                           pki_passphrase="phrase-protecting-server-held-keys")
    try:
        with application.app_context():
            from eoffice.demo import seed_demo

            seed_demo()
            signing_keys.ensure_demo_images(list(db.session.execute(select(User)).scalars()))
            yield application
            db.session.remove()
    finally:
        _wipe(application)


def import_p12(app: Flask, tmp_path: Path, data: bytes, *holder: str,
               answers: str = f"{P12_PASSWORD}\n{PIN}\n{PIN}\n") -> tuple[int, str]:
    path = tmp_path / f"{holder[-1]}.p12"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(
        args=["documents", "import-certificate", *holder, str(path)], input=answers)
    return result.exit_code, result.output


def test_imported_keys_sign_with_the_outside_tsa_and_embed_its_revocation_data(
        papp: Flask, outside_ca: OutsideCA, tmp_path: Path) -> None:
    organ_id = user("vanthu").organisation.organ_id
    code, out = import_p12(papp, tmp_path, outside_ca.pkcs12("leader", P12_PASSWORD),
                           "--user", "chutich")
    assert code == 0, out
    assert ENTITIES["leader"] in out and PIN not in out and P12_PASSWORD not in out
    code, out = import_p12(papp, tmp_path, outside_ca.pkcs12("seal", P12_PASSWORD),
                           "--seal", organ_id)
    assert code == 0, out
    events = db.session.execute(select(Event).where(
        Event.action == "signing_certificate_imported").order_by(Event.id)).scalars().all()
    assert [e.details["subject"].split(",")[0] for e in events] == [
        f"CN={ENTITIES['leader']}", f"CN={ENTITIES['seal']}"]
    assert all(PIN not in str(e.details) and P12_PASSWORD not in str(e.details)
               for e in events)
    tsa_before = value(read(papp), "eoffice_tsa_seconds_count", use="signature")

    document = approved_document()
    signing_service.sign_as_leader(user("chutich"), document, PIN)
    signing_service.assign_number(user("vanthu"), document)
    signing_service.org_sign(user("vanthu"), document, PIN)
    service.issue(user("vanthu"), document)
    db.session.commit()
    issued = current_pdf(document)
    # One token per signature, plus at most one sample token shared by the signers (the TSA
    # may count or bill every token).
    tsa_requests = value(read(papp), "eoffice_tsa_seconds_count", use="signature") - tsa_before
    assert 2 <= tsa_requests <= 3

    # pyHanko's own validator, trusting only the outside root, offline: everything it needs
    # (revocation data included) is in the file.
    reader = PdfFileReader(io.BytesIO(issued))
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context(dict(
        trust_roots=[outside_ca.root_asn1()], allow_fetching=False,
        revocation_mode="hard-fail"))
    assert isinstance(context, ValidationContext)
    signers = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, signer_validation_context=context,
                                        ts_validation_context=context)
        assert status.bottom_line, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.trusted
        tsa_name = status.timestamp_validity.signing_cert.subject.native["common_name"]
        assert tsa_name == ENTITIES["tsa"]
        signers.append(status.signing_cert.subject.native["common_name"])
    assert signers == [ENTITIES["leader"], ENTITIES["seal"]]
    # B-LT: the outside CA's OCSP responses (and CRLs) are embedded.
    answered = {(single["cert_id"]["serial_number"].native, single["cert_status"].name)
                for r in dss.ocsps
                for single in asn1_ocsp.OCSPResponse.load(r.get_object().data)
                .basic_ocsp_response["tbs_response_data"]["responses"]}
    assert {(outside_ca.serial(label), "good") for label in ("leader", "seal")} <= answered
    crl_issuers = {asn1_crl.CertificateList.load(c.get_object().data).issuer.native.get(
        "common_name") for c in dss.crls}
    assert ENTITIES["root"] in crl_issuers or ENTITIES["ca"] in crl_issuers

    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out

    panel = build_report(issued)
    assert panel["ok"], panel["verdict"]
    assert [row["valid"] and row["revocation_data"] and row["timestamped"]
            for row in panel["signatures"]] == [True, True]
    assert all(row["level"] == "B-LT" for row in panel["signatures"])


def test_a_revoked_certificate_is_refused_at_import_and_at_signing(
        papp: Flask, outside_ca: OutsideCA, tmp_path: Path) -> None:
    revoked = outside_ca.pkcs12("revoked", P12_PASSWORD)
    leader = user("chutich")
    code, out = import_p12(papp, tmp_path, revoked, "--user", "chutich")
    assert code != 0 and "Chứng thư số đã bị tổ chức chứng thực thu hồi." in out, out
    assert not user_p12(leader).exists()
    assert db.session.execute(select(Event).where(
        Event.action == "signing_certificate_imported")).first() is None

    # A key installed before its CA revoked it: signing asks the CA and refuses.
    key, certificate, chain = pkcs12.load_key_and_certificates(revoked,
                                                               P12_PASSWORD.encode())
    user_p12(leader).parent.mkdir(parents=True, exist_ok=True)
    user_p12(leader).write_bytes(make_pkcs12(key, certificate, chain, PIN, "revoked"))
    document = approved_document()
    with pytest.raises(SigningFailed, match="thu hồi"):
        signing_service.sign_as_leader(leader, document, PIN)
    db.session.rollback()
    assert document.state == "APPROVED"


def test_import_refusals_say_why_and_write_nothing(
        papp: Flask, outside_ca: OutsideCA, tmp_path: Path) -> None:
    good = outside_ca.pkcs12("leader", P12_PASSWORD)
    code, out = import_p12(papp, tmp_path, good, "--user", "chutich",
                           answers=f"sai-mat-khau\n{PIN}\n{PIN}\n")
    assert code != 0 and "sai mật khẩu của tệp" in out, out
    code, out = import_p12(papp, tmp_path, good, "--user", "chutich",
                           answers=f"{P12_PASSWORD}\n123\n123\n")
    assert code != 0 and "ít nhất 6 ký tự" in out, out
    # A demo PKI's certificate is not trusted once the installation names its roots.
    signing_keys.issue_seal_certificate(user("vanthu").organisation, PIN)
    demo = (Path(papp.config["EOFFICE_SETTINGS"].pki_dir) / "holders" /
            f"seal-{user('vanthu').organisation.id}.p12").read_bytes()
    code, out = import_p12(papp, tmp_path, demo, "--user", "chutich",
                           answers=f"{PIN}\n{PIN}\n{PIN}\n")
    assert code != 0 and "không dẫn tới chứng thư gốc được tin cậy" in out, out
    assert not user_p12(user("chutich")).exists()


def test_trust_roots_setting_must_name_certificates(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="EOFFICE_TRUST_ROOTS"):
        Settings.from_env(tmp_path, environ={"EOFFICE_TRUST_ROOTS": str(tmp_path / "none")})
    (tmp_path / "roots").mkdir()
    (tmp_path / "roots" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    settings = Settings.from_env(tmp_path, environ={"EOFFICE_TRUST_ROOTS":
                                                    str(tmp_path / "roots")})
    assert settings.trust_roots == str(tmp_path / "roots")


def test_the_exchange_and_the_audit_anchors_trust_the_same_outside_ca(
        papp: Flask, outside_ca: OutsideCA, tmp_path: Path) -> None:
    """The edXML exchange certificate and the audit chain's TSA tokens are checked against
    the same roots as signatures: the outside CA's, not the demo PKI's."""
    organ_id = user("vanthu").organisation.organ_id
    path = tmp_path / "exchange.p12"
    path.write_bytes(outside_ca.pkcs12("seal", P12_PASSWORD))
    runner = papp.test_cli_runner()
    result = runner.invoke(args=["exchange", "set-certificate", organ_id, str(path)],
                           input=f"{P12_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert ENTITIES["seal"] in result.output

    result = runner.invoke(args=["audit", "anchor"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 1 anchors match the chain" in result.output


def test_the_shared_sample_token_was_written_for_the_installed_pyhanko() -> None:
    """Fails on an upgrade of pyHanko: review the sharing of a TSA's sample token (it goes
    through ``TimeStamper._register_dummy``) against the new release, then move
    ``SAMPLE_SHARING_WRITTEN_FOR`` (until then every signer asks for its own sample)."""
    written_for = trust.SAMPLE_SHARING_WRITTEN_FOR
    assert version(written_for.distribution) == written_for.version
    assert hasattr(TimeStamper, "_register_dummy")
