"""/metrics: what Prometheus reads. Requests by route and status, jobs by kind and state (so
conversions and failed mails), signing and TSA times, live sockets and the audit chain's state;
served to the internal network only; summed over processes with PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import engineio
import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from eoffice import audit, signing_keys
from eoffice.accounts.models import User
from eoffice.audit.models import Event
from eoffice.demo import seed_demo
from eoffice.extensions import db
from eoffice.jobs.models import Job
from tests.audit.test_anchors import rewrite_from
from tests.conftest import _wipe, login, make_app
from tests.documents.test_signing import approved_document
from tests.services.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def read(app: Flask) -> Samples:
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return parse(answer.get_data(as_text=True))


def parse(text: str) -> Samples:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("metrics-pki")


@pytest.fixture()
def mapp(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(pki_dir))
    try:
        yield application
    finally:
        _wipe(application)


def test_requests_jobs_conversions_and_mail_failures_are_counted(mapp: Flask) -> None:
    before = read(mapp)
    client = mapp.test_client()
    client.get("/api/v1/health/live")
    client.get("/api/v1/health/live")
    client.get("/documents/no-such-page")
    with mapp.app_context():
        for number, (kind, state) in enumerate([("mail", "failed"), ("mail", "failed"),
                                                ("mail", "done"), ("convert_draft", "done"),
                                                ("convert_draft", "queued"),
                                                ("register_export", "done")]):
            db.session.add(Job(kind=kind, idempotency_key=f"{kind}:{number}", state=state))
        db.session.commit()
    after = read(mapp)
    live = {"method": "GET", "endpoint": "health.live", "status": "200"}
    assert value(after, "eoffice_http_requests_total", **live) - value(
        before, "eoffice_http_requests_total", **live) == 2
    # Routes by name, never by path: a 404 is "unmatched", whatever was asked.
    assert value(after, "eoffice_http_requests_total", method="GET", endpoint="unmatched",
                 status="404") >= 1
    assert value(after, "eoffice_http_request_duration_seconds_count", method="GET",
                 endpoint="health.live") >= 2
    assert value(after, "eoffice_jobs", kind="mail", state="failed") == 2
    assert value(after, "eoffice_mail_failures") == 2
    assert value(after, "eoffice_conversions", state="done") == 2  # a draft, a register
    assert value(after, "eoffice_conversions", state="queued") == 1


def test_metrics_are_not_served_outside_the_internal_network(mapp: Flask) -> None:
    outside = mapp.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert outside.status_code == 404
    inside = mapp.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert inside.status_code == 200 and b"eoffice_audit_chain_ok" in inside.data


def test_audit_chain_state_and_tsa_time(mapp: Flask) -> None:
    with mapp.app_context():
        for number in range(3):
            audit.record(None, "registered", "document", number)
        db.session.commit()
    tsa_before = value(read(mapp), "eoffice_tsa_seconds_count", use="audit_anchor")
    assert mapp.test_cli_runner().invoke(args=["audit", "anchor"]).exit_code == 0
    with mapp.app_context():
        audit.record(None, "registered", "document", 9)
        db.session.commit()
    samples = read(mapp)
    assert value(samples, "eoffice_audit_chain_ok") == 1
    assert value(samples, "eoffice_audit_events_since_anchor") == 1
    assert 0 <= value(samples, "eoffice_audit_last_anchor_age_seconds") < 60
    assert value(samples, "eoffice_tsa_seconds_count", use="audit_anchor") == tsa_before + 1
    with mapp.app_context():
        first = db.session.execute(select(Event.id).order_by(Event.id)).scalars().first()
    rewrite_from(mapp, first + 1)  # every hash recomputed: only the anchor shows it
    assert value(read(mapp), "eoffice_audit_chain_ok") == 0


def test_a_signature_made_through_the_api_is_timed(mapp: Flask) -> None:
    with mapp.app_context():
        seed_demo()
        signing_keys.ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
        document = approved_document()
        document_id, sha = document.id, document.current_version.file.sha256
        db.session.remove()
    before = value(read(mapp), "eoffice_signing_seconds_count", action="signed")
    client = mapp.test_client()
    token = login(client, "chutich")
    answer = client.post(f"/api/v1/documents/{document_id}/actions/sign",
                         json={"pin": signing_keys.DEMO_PIN, "viewed_sha256": sha},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    samples = read(mapp)
    assert value(samples, "eoffice_signing_seconds_count", action="signed") == before + 1
    assert value(samples, "eoffice_signing_seconds_sum", action="signed") > 0


def test_live_sockets_are_counted_while_open(mapp: Flask) -> None:
    with serve(mapp) as base_url:
        client = engineio.Client()
        client.connect(base_url, transports=["polling"], engineio_path="socket.io")
        try:
            assert value(read(mapp), "eoffice_live_sockets") == 1
        finally:
            client.disconnect()
        deadline = time.monotonic() + 10
        while value(read(mapp), "eoffice_live_sockets") and time.monotonic() < deadline:
            time.sleep(0.1)
    assert value(read(mapp), "eoffice_live_sockets") == 0


SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.conftest import make_app
    app = make_app(Path({instance!r}), {url!r})
    client = app.test_client()
    for _ in range(int(sys.argv[1])):
        client.get("/api/v1/health/live")
    if sys.argv[2] == "scrape":
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
""")


def test_processes_add_up_through_the_multiprocess_folder(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("one database is enough: this is about processes")
    folder = tmp_path / "prometheus"
    folder.mkdir()
    script = SCRIPT.format(root=str(ROOT), instance=str(tmp_path / "i"), url=database_url)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for count in ("3", "4"):  # two web processes, one after the other
        subprocess.run([sys.executable, "-c", script, count, "-"], env=env, check=True,
                       timeout=120, capture_output=True)
    scraped = subprocess.run([sys.executable, "-c", script, "0", "scrape"], env=env,
                             check=True, timeout=120, capture_output=True, text=True).stdout
    samples = parse(scraped)
    assert value(samples, "eoffice_http_requests_total", method="GET", endpoint="health.live",
                 status="200") == 7
