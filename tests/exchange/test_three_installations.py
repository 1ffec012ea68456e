"""Three live processes on 127.0.0.1, each with its own database, instance folder and job
worker: a hub, installation 1 (organisation X) and installation 2 (organisation Y).

X sends a document to Y through the hub; Y takes it in, registers it (X sees 01 then 03),
returns a document of its own; X updates, then revokes the first one and Y honours both; then
the hub is stopped while X sends, and started again: nothing is lost, nothing arrives twice.
Runs on SQLite files and on PostgreSQL databases.

The servers are ``python wsgi.py`` as ``make run`` starts them (the job worker inside the
process sends the outbox); acts are done by the services inside each installation, from a
short script, and the inbox is polled with ``flask exchange poll`` (the minute-by-minute
periodic poll does the same, but a test should not wait for the clock).
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from bench.write_burst import PYTHON, ROOT, flask, free_port, install, instance_env
from eoffice.demo import DEMO_ORGAN_ID
from tests.services.postgres import create_database

X = DEMO_ORGAN_ID  # installation 1 keeps the demo organisation's OrganId
Y = "000.99.02.H41"  # installation 2's demo organisation takes another one
Z = "000.99.03.H41"  # routed to installation 2 by the hub, unknown there

ACTS = r'''
import json, sys
from sqlalchemy import select
from eoffice import create_app
from eoffice.accounts.models import User
from eoffice.demo import DEMO_ORGAN_ID
from eoffice.documents import service, signing_service
from eoffice.documents.models import Direction, Document
from eoffice.documents.workflow import transition
from eoffice.exchange import handling, recipients
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys import DEMO_PIN
from tests.documents.conftest import make_pdf
import io

def user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()

def document(direction, subject):
    return db.session.execute(select(Document).where(
        Document.direction == direction, Document.subject == subject)).scalar_one()

def become(organ_id, name, abbreviation):
    organisation = db.session.execute(select(Organisation).where(
        Organisation.organ_id == DEMO_ORGAN_ID)).scalar_one()
    organisation.organ_id, organisation.name = organ_id, name
    organisation.abbreviation = abbreviation
    db.session.commit()

def issue(to_organ_id, to_name, subject):
    drafter, clerk, leader = user("chuyenvien"), user("vanthu"), user("chutich")
    stored = service.store_file(drafter, io.BytesIO(make_pdf()), "du-thao.pdf")
    draft = service.OutgoingDraft(subject=subject, type_code="",
                                  reviewer_id=user("truongphong").id, checker_id=clerk.id,
                                  signer_id=leader.id)
    outgoing = service.create_outgoing(drafter, draft, stored).document
    recipients.add_recipient(drafter, outgoing, to_organ_id, to_name)
    transition(user("truongphong"), outgoing, "approve_content")
    transition(clerk, outgoing, "approve_format")
    transition(leader, outgoing, "approve")
    db.session.commit()
    signing_service.sign_as_leader(leader, outgoing, DEMO_PIN)
    db.session.commit()
    signing_service.assign_number(clerk, outgoing)
    db.session.commit()
    signing_service.org_sign(clerk, outgoing, DEMO_PIN)
    db.session.commit()
    service.issue(clerk, outgoing)
    db.session.commit()
    return outgoing.id

def register(subject):
    handling.register_arrival(user("vanthu"), document(Direction.INCOMING, subject))
    db.session.commit()

def update(subject, new_subject):
    handling.send_update(user("vanthu"), document(Direction.OUTGOING, subject), new_subject,
                         "", None, "Sửa trích yếu cho đúng")
    db.session.commit()

def revoke(subject):
    transition(user("vanthu"), document(Direction.OUTGOING, subject), "revoke",
               reason="Ban hành nhầm")
    db.session.commit()

app = create_app()
with app.app_context():
    print(json.dumps(globals()[sys.argv[1]](*sys.argv[2:])))
'''


@dataclass
class Installation:
    """One process's environment, database and (while it runs) server."""

    name: str
    env: dict[str, str]
    database_url: str
    port: int
    process: subprocess.Popen[str] | None = None
    log: Any = None

    def act(self, *args: str) -> Any:
        done = subprocess.run([PYTHON, "-c", ACTS, *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{self.name} {args[0]}: {done.stderr[-3000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def poll(self) -> str:
        return flask(self.env, "exchange", "poll")

    def rows(self, query: str, **params: Any) -> list[Any]:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.execute(sa.text(query), params))
        finally:
            engine.dispose()

    def start(self) -> None:
        # Kept open while the server runs (its output, shown when the test fails).
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process = subprocess.Popen([PYTHON, "wsgi.py"], cwd=ROOT,
                                        env={**self.env, "PORT": str(self.port)},
                                        stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/api/v1/health",
                                timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start: {self.output()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # Ctrl+C, as an operator stops `make run`
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return str(self.log.read()[-1500:])


def wait_for(check: Callable[[], Any], what: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {value!r})")
        time.sleep(0.5)


def _database_url(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'eoffice.sqlite3'}"
    return create_database(request.getfixturevalue("postgres_server_url"), prefix="axis")


@contextmanager
def three_installations(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                        ) -> Iterator[tuple[Installation, Installation, Installation]]:
    hub_port = free_port()
    made: list[Installation] = []
    for name in ("hub", "one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        url = _database_url(backend, folder, request)
        env = {**instance_env(folder, url), "EOFFICE_CONVERTER": "oneshot"}
        made.append(Installation(name, env, url, hub_port if name == "hub" else free_port()))
    hub, one, two = made
    hub.env["EOFFICE_HUB"] = "1"
    flask(hub.env, "db", "upgrade", "heads", "--directory", "migrations")
    for installation, organ_id, organ_name in ((one, X, "Ủy ban nhân dân tỉnh Hòa Bình"),
                                               (two, Y, "Sở Tư pháp tỉnh Sơn La")):
        organs = ["--organ", f"{organ_id}={organ_name}"]
        if installation is two:  # a registration mistake: Z is not in installation 2
            organs += ["--organ", f"{Z}=Sở Xây dựng tỉnh Sơn La"]
        created = flask(hub.env, "exchange", "hub-systems", "create", installation.name,
                        *organs)
        secret = created.split("secret=", 1)[1].split()[0]
        installation.env.update({"EOFFICE_AXIS_URL": f"http://127.0.0.1:{hub_port}/axis",
                                 "EOFFICE_AXIS_SYSTEM_ID": installation.name,
                                 "EOFFICE_AXIS_SECRET": secret})
        install(installation.env)
    two.act("become", Y, "Sở Tư pháp tỉnh Sơn La", "STP")
    try:
        for installation in made:
            installation.start()
        yield hub, one, two
    except BaseException:
        for installation in made:
            print(f"--- {installation.name}:\n{installation.output()}")
        raise
    finally:
        for installation in made:
            installation.stop()


def dispatch(installation: Installation, subject: str, business_type: int = 0) -> Any:
    rows = installation.rows(
        "SELECT d.state, d.attempts, d.reason FROM exchange_dispatches d "
        "JOIN documents doc ON doc.id = d.document_id "
        "WHERE doc.subject = :subject AND d.kind = 'package' AND d.business_type = :kind",
        subject=subject, kind=business_type)
    return rows[0] if rows else None


def incoming(installation: Installation, subject: str) -> list[Any]:
    return installation.rows(
        "SELECT id, state, subject FROM documents WHERE direction = 'incoming' "
        "AND subject = :subject", subject=subject)


def incoming_count(installation: Installation) -> int:
    """Incoming documents of every kind (the demo seeds some of its own)."""
    return len(installation.rows("SELECT id FROM documents WHERE direction = 'incoming'"))


def recipient_status(installation: Installation, subject: str) -> str:
    rows = installation.rows(
        "SELECT r.status_code FROM exchange_recipients r JOIN documents doc "
        "ON doc.id = r.document_id WHERE doc.subject = :subject", subject=subject)
    return str(rows[0][0]) if rows else ""


def poll_until(installation: Installation, check: Callable[[], Any], what: str) -> Any:
    """Poll the installation's inbox until ``check`` holds (what it waits for may still be
    in the other installation's outbox)."""
    def polled() -> Any:
        installation.poll()
        return check()
    return wait_for(polled, what)


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_two_installations_exchange_through_a_hub_that_is_stopped_and_restarted(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with three_installations(backend, tmp_path, request) as (hub, one, two):
        before = {installation.name: incoming_count(installation) for installation in (one, two)}
        first = "Về việc triển khai chuyển đổi số năm 2027"
        one.act("issue", Y, "Sở Tư pháp tỉnh Sơn La", first)
        wait_for(lambda: (d := dispatch(one, first)) and d.state == "sent", "X's package sent")

        poll_until(two, lambda: incoming(two, first), "Y to take in X's document")
        [(document_id, state, _)] = incoming(two, first)
        assert state == "RECEIVED"
        poll_until(one, lambda: recipient_status(one, first) == "01", "01 back at X")
        assert dispatch(one, first).state == "delivered"

        two.act("register", first)
        poll_until(one, lambda: recipient_status(one, first) == "03", "03 back at X")

        reply = "Về việc báo cáo kết quả chuyển đổi số"
        two.act("issue", X, "Ủy ban nhân dân tỉnh Hòa Bình", reply)
        poll_until(one, lambda: incoming(one, reply), "X to take in Y's reply")
        poll_until(two, lambda: recipient_status(two, reply) == "01", "01 back at Y")

        amended = first + " (sửa đổi)"
        one.act("update", first, amended)
        poll_until(two, lambda: incoming(two, amended), "Y to take in the update")
        one.act("revoke", amended)
        poll_until(two, lambda: incoming(two, amended)[0].state == "REVOKED",
                   "Y to honour the revocation")
        assert [row.id for row in incoming(two, amended)] == [document_id]

        # A package installation 2 cannot take (Z is not one of its organisations): refused
        # there with a reason, which reaches the sender's dispatch.
        stray = "Về việc gửi nhầm nơi nhận"
        one.act("issue", Z, "Sở Xây dựng tỉnh Sơn La", stray)
        wait_for(lambda: (d := dispatch(one, stray)) and d.state == "sent", "the stray sent")
        def refused_and_told() -> bool:
            # Installation 2 refuses it on its next poll (this one, or the worker's own
            # every minute); X learns it on its next poll.
            two.poll()
            one.poll()
            return bool(dispatch(one, stray).state == "failed")
        wait_for(refused_and_told, "the refusal to reach X")
        reason = dispatch(one, stray).reason
        assert reason.startswith("Nơi nhận từ chối") and Z in reason, reason

        # The hub stops while X sends; X's worker keeps the message and retries it.
        hub.stop()
        third = "Về việc tổng kết công tác văn thư lưu trữ"
        one.act("issue", Y, "Sở Tư pháp tỉnh Sơn La", third)
        wait_for(lambda: (d := dispatch(one, third)) and d.attempts >= 1 and "thử lại" in d.reason,
                 "X's send to fail while the hub is down")
        assert dispatch(one, third).state == "queued"
        hub.start()
        wait_for(lambda: dispatch(one, third).state == "sent", "X's retry after the restart")
        poll_until(two, lambda: incoming(two, third), "Y to take in the third document")
        two.poll()  # polled again: nothing new
        assert len(incoming(two, third)) == 1
        poll_until(one, lambda: recipient_status(one, third) == "01", "01 for the third")

        # Nothing twice anywhere: each key once on the hub, each package once at each end.
        assert hub.rows("SELECT sender_key, COUNT(*) FROM hub_messages GROUP BY sender_key "
                        "HAVING COUNT(*) > 1") == []
        assert incoming_count(two) - before[two.name] == 2  # the first and the third
        assert incoming_count(one) - before[one.name] == 1  # the reply
        for installation in (one, two):
            assert installation.rows(
                "SELECT message_id FROM exchange_inbound GROUP BY organisation_id, message_id "
                "HAVING COUNT(*) > 1") == []
        assert "accepted=0" in two.poll()
