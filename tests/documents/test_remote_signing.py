"""Outgoing documents signed with keys held by a remote signing service (CSC API).

A real CSC service runs in its own process (certomancer-csc-dummy behind the PIN/OTP checks
a vendor's service makes, ``tests.signing.csc_service``); its credentials are certificates of
the installation's demo PKI issued to names that differ from the local PKCS#12 ones, so each
test can tell which key signed. The whole path is the one a local key takes: the leader signs,
the system numbers and dates, the clerk seals, the issued PDF validates (pyHanko, pdfsig).
"""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

import signing
from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.demo import seed_demo
from eoffice.documents import service, signing_service
from eoffice.documents.common import attachments_of
from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import Job
from eoffice.signing_keys import RemoteSigningService, SigningFailed, remote
from eoffice.timestamps import utcnow
from meetings import minutes
from meetings.errors import MeetingInvalid
from meetings.models import Meeting
from meetings.preparation import store_pdf
from tests.conftest import _wipe, login, make_app
from tests.documents.conftest import make_pdf, user
from tests.documents.test_signing import approved_document, current_pdf
from tests.services.require import require_executable
from tests.signing.csc_service import (
    CLIENT_ID,
    CLIENT_SECRET,
    OTP,
    CscServer,
    Holder,
    holder_from_p12,
    write_config,
)

REMOTE_PIN = "760514"
P12_PIN = "p12-only"  # protects the files the CSC service is given; never typed by a signer
LEADER_NAME = "Nguyễn Văn Chủ (SmartCA)"
SEAL_NAME = "UBND tỉnh Hòa Bình (ký từ xa)"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki")
    signing.DemoPKI.init(directory, org="eOffice demo")
    return directory


@pytest.fixture(scope="module")
def holders(pki_dir: Path) -> dict[str, Holder]:
    pki = signing.DemoPKI.open(pki_dir)
    leader = pki.issue_user(LEADER_NAME, P12_PIN, title="Chủ tịch")
    seal = pki.issue_seal(SEAL_NAME, P12_PIN)
    return {"leader": holder_from_p12("leader", leader.pkcs12, P12_PIN),
            "seal": holder_from_p12("seal", seal.pkcs12, P12_PIN)}


@pytest.fixture(scope="module")
def csc_config(pki_dir: Path, holders: dict[str, Holder],
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(tmp_path_factory.mktemp("csc"), signing.DemoPKI.open(pki_dir),
                        list(holders.values()))


@pytest.fixture(scope="module")
def csc(csc_config: Path) -> Iterator[CscServer]:
    server = CscServer(csc_config, {"leader": REMOTE_PIN, "seal": REMOTE_PIN}).start()
    yield server
    server.stop()


@pytest.fixture()
def rapp(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(pki_dir))
    try:
        yield application
    finally:
        _wipe(application)


def _seed() -> None:
    seed_demo()
    signing_keys.ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))


def link_remote(server: CscServer, holders: dict[str, Holder]) -> RemoteSigningService:
    """The administrator registers the service and links the leader and the seal."""
    admin = user("admin")
    organisation = admin.organisation
    svc = remote.register_service(admin, organisation, name="SmartCA thử nghiệm",
                                  base_url=server.url, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET, timeout_seconds=5)
    remote.link_credential(admin, organisation, service_id=svc.id,
                           credential_id=holders["leader"].credential_id,
                           user_id=user("chutich").id)
    remote.link_credential(admin, organisation, service_id=svc.id,
                           credential_id=holders["seal"].credential_id, user_id=None)
    db.session.commit()
    return svc


@pytest.fixture()
def rctx(rapp: Flask, csc: CscServer, holders: dict[str, Holder]) -> Iterator[Flask]:
    with rapp.app_context():
        _seed()
        link_remote(csc, holders)
        yield rapp
        db.session.remove()


def failures() -> list[Event]:
    db.session.expire_all()
    return list(db.session.scalars(select(Event).where(
        Event.action == "remote_signing_failed").order_by(Event.id)))


def test_remote_leader_and_remote_seal_issue_a_valid_document(rctx: Flask, tmp_path: Path
                                                              ) -> None:
    document = approved_document()
    signing_service.sign_as_leader(user("chutich"), document, REMOTE_PIN)
    db.session.commit()
    signing_service.assign_number(user("vanthu"), document)
    db.session.commit()
    assert document.number_and_notation == "01/UBND-KT"
    fields = signing.list_text_fields(current_pdf(document))
    assert fields[signing.NUMBER_FIELD] == "Số: 01/UBND-KT"
    signing_service.org_sign(user("vanthu"), document, REMOTE_PIN)
    db.session.commit()
    service.issue(user("vanthu"), document)
    db.session.commit()
    assert document.state == "ISSUED"

    issued = current_pdf(document)
    report = signing.validate(issued, pki=signing_keys.demo_pki())
    assert report.ok, report.verdict_en
    leader, seal = report.signatures[:2]
    assert LEADER_NAME in leader.signer and SEAL_NAME in seal.signer  # the remote keys
    assert leader.level == seal.level == "B-LT"
    assert all(s.intact and s.trusted and s.modifications_allowed for s in report.signatures)
    path = tmp_path / "issued.pdf"
    path.write_bytes(issued)
    pdfsig = require_executable("pdfsig", "apt-get install poppler-utils")
    out = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60)
    assert out.stdout.count("Signature Validation: Signature is Valid.") == 2, out.stdout
    assert failures() == []


def test_batch_of_ten_takes_one_authorisation(rctx: Flask, csc: CscServer,
                                             holders: dict[str, Holder]) -> None:
    credential = holders["leader"].credential_id
    before = csc.stats()
    documents = [approved_document() for _ in range(10)]
    outcomes = signing_service.sign_batch(user("chutich"), [d.id for d in documents],
                                          REMOTE_PIN)
    assert [o.ok for o in outcomes] == [True] * 10, [o.message for o in outcomes]
    after = csc.stats()
    assert after["authorize"][credential] == before["authorize"].get(credential, 0) + 1
    assert after["sign"][credential] == before["sign"].get(credential, 0) + 10
    db.session.expire_all()
    assert {db.session.get(Document, d.id).state for d in documents} == {"SIGNED"}


def test_wrong_pin_changes_nothing_says_attempts_left_and_is_audited(rctx: Flask) -> None:
    document = approved_document()
    before = [v.id for v in document.versions]
    with pytest.raises(SigningFailed) as wrong:
        signing_service.sign_as_leader(user("chutich"), document, "111111")
    db.session.rollback()
    assert "không đúng" in wrong.value.message and "còn 2 lần thử" in wrong.value.message
    fresh = db.session.get(Document, document.id)
    assert fresh.state == "APPROVED" and [v.id for v in fresh.versions] == before
    [event] = failures()
    assert event.actor_id == user("chutich").id
    assert event.details["error"] == "remote_wrong_auth" and event.details["remaining"] == 2
    assert "111111" not in str(event.details)
    # The right PIN signs (and resets the service's counter).
    signing_service.sign_as_leader(user("chutich"), document, REMOTE_PIN)
    db.session.commit()
    assert document.state == "SIGNED"


def test_three_wrong_pins_and_the_service_locks_the_credential(
        rapp: Flask, csc_config: Path, holders: dict[str, Holder]) -> None:
    server = CscServer(csc_config, {"leader": REMOTE_PIN, "seal": REMOTE_PIN}).start()
    try:
        with rapp.app_context():
            _seed()
            link_remote(server, holders)
            document = approved_document()
            said = []
            for _ in range(3):
                with pytest.raises(SigningFailed) as wrong:
                    signing_service.sign_as_leader(user("chutich"), document, "000000")
                db.session.rollback()
                said.append(wrong.value.message)
            assert [m.split("(")[1] for m in said] == ["còn 2 lần thử).", "còn 1 lần thử).",
                                                      "còn 0 lần thử)."]
            with pytest.raises(SigningFailed) as locked:
                signing_service.sign_as_leader(user("chutich"), document, REMOTE_PIN)
            db.session.rollback()
            assert locked.value.status == 423 and "bị khóa" in locked.value.message
            assert db.session.get(Document, document.id).state == "APPROVED"
            assert [e.details["error"] for e in failures()] == [
                "remote_wrong_auth"] * 3 + ["remote_credential_refused"]
            db.session.remove()
    finally:
        server.stop()


def test_background_batch_through_the_api_takes_one_authorisation(
        rapp: Flask, csc: CscServer, holders: dict[str, Holder]) -> None:
    credential = holders["leader"].credential_id
    with rapp.app_context():
        _seed()
        link_remote(csc, holders)
        ids = [approved_document().id for _ in range(3)]
        db.session.remove()
    before = csc.stats()["authorize"].get(credential, 0)
    client = rapp.test_client()  # outside an app context: each request has its own
    token = login(client, "chutich")
    started = client.post("/api/v1/documents/batch-sign", headers={"X-CSRFToken": token},
                          json={"document_ids": ids, "pin": REMOTE_PIN})
    assert started.status_code == 202, started.get_json()
    job_id = started.get_json()["id"]
    with rapp.app_context():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job is not None and job.state in ("done", "failed"):
                break
            time.sleep(0.2)
        assert job is not None and job.state == "done", job and job.message
        assert job.result["signed"] == 3 and REMOTE_PIN not in str(job.params)
        assert {db.session.get(Document, i).state for i in ids} == {"SIGNED"}
        db.session.remove()
    assert csc.stats()["authorize"][credential] == before + 1


def test_service_stopped_mid_batch(rapp: Flask, csc_config: Path,
                                   holders: dict[str, Holder]) -> None:
    server = CscServer(csc_config, {"leader": REMOTE_PIN, "seal": REMOTE_PIN}).start()
    try:
        with rapp.app_context():
            _seed()
            link_remote(server, holders)
            documents = [approved_document() for _ in range(10)]

            def stop_after_four(done: int, _total: int, _outcome: Any) -> None:
                if done == 4:
                    server.stop()

            outcomes = signing_service.sign_batch(
                user("chutich"), [d.id for d in documents], REMOTE_PIN,
                progress=stop_after_four)
            assert [o.ok for o in outcomes] == [True] * 4 + [False] * 6
            assert all("Không kết nối được dịch vụ ký số từ xa" in o.message
                       for o in outcomes[4:]), outcomes[4].message
            db.session.expire_all()
            for index, document in enumerate(documents):
                fresh = db.session.get(Document, document.id)
                if index < 4:
                    assert fresh.state == "SIGNED"
                    assert signing.validate(current_pdf(fresh),
                                            pki=signing_keys.demo_pki()).ok
                else:
                    assert fresh.state == "APPROVED"
                    assert [v.kind for v in fresh.versions] == ["draft"]
            recorded = failures()
            assert len(recorded) == 6
            assert {e.details["error"] for e in recorded} == {"remote_unavailable"}
            db.session.remove()
    finally:
        server.stop()


def test_admin_api_registers_links_and_keeps_the_secret(rapp: Flask, csc: CscServer,
                                                         holders: dict[str, Holder]) -> None:
    with rapp.app_context():
        _seed()
        organisation_id = user("admin").organisation_id
        leader_id = user("chutich").id
    client = rapp.test_client()
    token = login(client, "admin")
    headers = {"X-CSRFToken": token}
    base = f"/api/v1/remote-signing/{organisation_id}"
    answer = client.post(f"{base}/actions/register_service", headers=headers, json={
        "name": "SmartCA", "base_url": csc.url, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET, "timeout_seconds": 10})
    assert answer.status_code == 200, answer.get_json()
    [svc] = answer.get_json()["services"]
    assert svc["has_client_secret"] and CLIENT_SECRET not in answer.get_data(as_text=True)
    linked = client.post(f"{base}/actions/link_credential", headers=headers, json={
        "service_id": svc["id"], "credential_id": holders["leader"].credential_id,
        "user_id": leader_id})
    assert linked.status_code == 200, linked.get_json()
    [link] = linked.get_json()["links"]
    assert link["holder"] == f"user:{leader_id}" and not link["needs_otp"]
    assert LEADER_NAME in link["certificate_subject"]
    unknown = client.post(f"{base}/actions/link_credential", headers=headers, json={
        "service_id": svc["id"], "credential_id": "eoffice/nobody", "user_id": None})
    assert unknown.status_code == 400
    assert "Không liên kết được" in unknown.get_json()["message"]
    # Another organisation (or none) is not found; a leader is not an administrator.
    other = client.post(f"/api/v1/remote-signing/{organisation_id + 999}/actions/"
                        "register_service", headers=headers,
                        json={"name": "x", "base_url": csc.url})
    assert other.status_code == 404
    assert client.get(base).get_json()["links"][0]["credential_id"] == \
        holders["leader"].credential_id
    page = client.get("/admin/remote-signing")
    assert page.status_code == 200 and "SmartCA" in page.get_data(as_text=True)
    with rapp.app_context():  # the leader now signs with the remote key, not his PKCS#12
        assert signing_keys.link_for_user(user("chutich")) is not None
    unlinked = client.post(f"{base}/actions/unlink_credential", headers=headers,
                           json={"link_id": link["id"]})
    assert unlinked.status_code == 200 and unlinked.get_json()["links"] == []
    with rapp.app_context():
        assert signing_keys.link_for_user(user("chutich")) is None
        kinds = [e.action for e in db.session.scalars(select(Event).where(
            Event.object_kind == "organisation", Event.action.like("remote_%")))]
        assert kinds == ["remote_signing_service_set", "remote_credential_linked",
                         "remote_credential_unlinked"]
    with rapp.app_context():
        stored = db.session.scalar(select(RemoteSigningService))
        assert stored is not None and stored.client_secret_sealed
        assert CLIENT_SECRET not in stored.client_secret_sealed
    leader_client = rapp.test_client()
    leader_token = login(leader_client, "chutich")
    refused = leader_client.post(f"{base}/actions/register_service",
                                 headers={"X-CSRFToken": leader_token},
                                 json={"name": "x", "base_url": csc.url})
    assert refused.status_code == 404


def _minutes_to_sign() -> Meeting:
    """A closed meeting whose minutes are generated (a plain PDF), secretary thuky, chair
    chutich."""
    secretary, chair = user("thuky"), user("chutich")
    stored = store_pdf(secretary, io.BytesIO(make_pdf()), "bien-ban.pdf")
    meeting = Meeting(organisation_id=chair.organisation_id, title="Họp giao ban tháng 12",
                      starts_at=utcnow(), chair_id=chair.id, secretary_id=secretary.id,
                      created_by_id=secretary.id, status="closed",
                      minutes_file_id=stored.id, minutes_status="generated")
    db.session.add(meeting)
    db.session.commit()
    return meeting


def test_minutes_secretary_local_key_chair_remote_key(rctx: Flask, csc: CscServer) -> None:
    secretary, chair = user("thuky"), user("chutich")
    meeting = _minutes_to_sign()
    minutes.sign(secretary, meeting, signing_keys.DEMO_PIN)  # her own PKCS#12
    db.session.commit()
    signed_by_secretary = meeting.minutes_file_id
    csc.switch(corrupt=True)  # the service answers with a signature that does not verify
    try:
        with pytest.raises(MeetingInvalid) as refused:
            minutes.sign(chair, meeting, REMOTE_PIN)
        db.session.rollback()
    finally:
        csc.switch(corrupt=False)
    assert "không khớp với chứng thư số" in str(refused.value)
    fresh = db.session.get(Meeting, meeting.id)
    assert fresh.minutes_status == "secretary_signed"
    assert fresh.minutes_file_id == signed_by_secretary
    assert [e.details["step"] for e in failures()] == ["verify"]
    minutes.sign(chair, fresh, REMOTE_PIN)
    db.session.commit()
    assert fresh.minutes_status == "signed"
    report = signing.validate(object_store().read_bytes(fresh.minutes_file.sha256),
                              pki=signing_keys.demo_pki())
    assert report.ok, report.verdict_en
    assert LEADER_NAME in report.signatures[1].signer


def test_scal2_pin_and_otp_leader_and_seal_with_attachment(
        rapp: Flask, csc_config: Path, holders: dict[str, Holder]) -> None:
    server = CscServer(csc_config, {"leader": REMOTE_PIN, "seal": REMOTE_PIN}, scal=2,
                       otp=OTP).start()
    try:
        with rapp.app_context():
            _seed()
            link_remote(server, holders)
            assert signing_keys.needs_otp(user=user("chutich"))
            first, second = approved_document(attachment=make_pdf(2)), approved_document()
            with pytest.raises(SigningFailed) as batch:
                signing_service.sign_batch(user("chutich"), [first.id, second.id], REMOTE_PIN)
            db.session.rollback()
            assert "SCAL2" in batch.value.message
            with pytest.raises(SigningFailed) as no_otp:
                signing_service.sign_as_leader(user("chutich"), first, REMOTE_PIN)
            db.session.rollback()
            assert "yêu cầu mã OTP" in no_otp.value.message
            signing_service.sign_as_leader(user("chutich"), first, REMOTE_PIN, otp=OTP)
            db.session.commit()
            signing_service.assign_number(user("vanthu"), first)
            db.session.commit()
            signing_service.org_sign(user("vanthu"), first, REMOTE_PIN, otp=OTP)
            db.session.commit()
            assert first.state == "ORG_SIGNED"
            pki = signing_keys.demo_pki()
            report = signing.validate(current_pdf(first), pki=pki)
            assert report.ok and SEAL_NAME in report.signatures[1].signer
            [annex] = attachments_of(first)
            annex_report = signing.validate(
                object_store().read_bytes(annex.signed_file.sha256), pki=pki)
            assert annex_report.ok and SEAL_NAME in annex_report.signatures[0].signer
            # Minutes too: the chair's remote key asks for the OTP in the same way.
            meeting = _minutes_to_sign()
            minutes.sign(user("thuky"), meeting, signing_keys.DEMO_PIN)
            db.session.commit()
            with pytest.raises(MeetingInvalid, match="yêu cầu mã OTP"):
                minutes.sign(user("chutich"), meeting, REMOTE_PIN)
            db.session.rollback()
            minutes.sign(user("chutich"), meeting, REMOTE_PIN, otp=OTP)
            db.session.commit()
            assert meeting.minutes_status == "signed"
            db.session.remove()
    finally:
        server.stop()


def test_a_credential_that_starts_asking_for_an_otp_shows_the_field_next_time(
        rctx: Flask, csc_config: Path) -> None:
    scal2 = CscServer(csc_config, {"leader": REMOTE_PIN, "seal": REMOTE_PIN}, scal=2,
                      otp=OTP).start()
    try:
        admin = user("admin")  # the vendor moved the service; the links stay as they were
        remote.register_service(admin, admin.organisation, name="SmartCA thử nghiệm",
                                base_url=scal2.url, client_id=CLIENT_ID, client_secret=None)
        db.session.commit()
        assert not signing_keys.needs_otp(user=user("chutich"))
        with pytest.raises(SigningFailed):
            signing_service.sign_as_leader(user("chutich"), approved_document(), REMOTE_PIN)
        db.session.rollback()
        db.session.expire_all()
        assert signing_keys.needs_otp(user=user("chutich"))
    finally:
        scal2.stop()
