"""Three live processes on 127.0.0.1, each with its own database, instance folder and job
worker: a hub, installation 1 (organisation X) and installation 2 (organisation Y).

X sends a document to Y through the hub; Y takes it in, registers it (X sees 01 then 03),
returns a document of its own; X updates, then revokes the first one and Y honours both; then
the hub is stopped while X sends, and started again: nothing is lost, nothing arrives twice.
Runs on SQLite files and on PostgreSQL databases.

The servers are ``python wsgi.py`` as ``make run`` starts them (the job worker inside the
process sends the outbox), after each operator's ``flask`` commands (migrate; register the
installations on the hub; seed the demo office), run in one process per installation and the
three installations prepared side by side: the app is imported once per step list, not once
per command. People act as they do from a browser: each logs in through the
login form and calls the installation's ``/api/v1`` with the session and its CSRF token (the
pages' own scripts do the same). The clerk asks for the inbox with "Nhận văn bản ngay"
(``POST /api/v1/exchange/poll``): the same job the worker runs every minute, at once, followed
to its end at ``/api/v1/jobs/<id>`` (a test should not wait for the clock).
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bench.write_burst import PYTHON, ROOT, free_port, instance_env
from eoffice.demo import DEMO_ORGAN_ID, DEMO_PASSWORD
from eoffice.signing_keys import DEMO_PIN
from tests.conftest import csrf_token_from
from tests.documents.conftest import make_pdf
from tests.services.postgres import create_database

X = DEMO_ORGAN_ID  # installation 1 keeps the demo organisation's OrganId
Y = "000.99.02.H41"  # installation 2's demo organisation takes another one
Z = "000.99.03.H41"  # routed to installation 2 by the hub, unknown there


@dataclass
class Installation:
    """One process's environment, database and (while it runs) server, and the people of its
    demo office, each logged in once."""

    name: str
    env: dict[str, str]
    database_url: str
    port: int
    process: subprocess.Popen[str] | None = None
    log: Any = None
    sessions: dict[str, tuple[requests.Session, str]] = field(default_factory=dict)
    engine: sa.Engine | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def session(self, username: str) -> tuple[requests.Session, str]:
        """``username`` logged in through the form, and the CSRF token their pages carry."""
        if username not in self.sessions:
            browser = requests.Session()
            page = browser.get(f"{self.base}/login", timeout=30)
            answer = browser.post(f"{self.base}/login", allow_redirects=False, timeout=30, data={
                "username": username, "password": DEMO_PASSWORD,
                "csrf_token": csrf_token_from(page.text)})
            assert answer.status_code == 302, f"{self.name}: {username} not logged in"
            home = browser.get(f"{self.base}/my-work", timeout=30)
            self.sessions[username] = (browser, csrf_token_from(home.text))
        return self.sessions[username]

    def api(self, username: str, method: str, path: str, expected: int = 200,
            **options: Any) -> Any:
        browser, token = self.session(username)
        answer = browser.request(method, f"{self.base}/api/v1{path}", timeout=120,
                                 headers={"X-CSRFToken": token}, **options)
        assert answer.status_code == expected, (
            f"{self.name}: {username} {method} {path}: {answer.status_code} {answer.text[:2000]}")
        return answer.json()

    def poll(self) -> dict[str, Any]:
        """The clerk's "Nhận văn bản ngay", followed until the job ends: what it took in."""
        job = self.api("vanthu", "POST", "/exchange/poll", 202)
        deadline = time.monotonic() + 120
        while job["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, f"{self.name}: the poll job never ended: {job}"
            time.sleep(0.1)
            job = self.api("vanthu", "GET", f"/jobs/{job['id']}")
        assert job["state"] == "done", f"{self.name}: the poll failed: {job}"
        result: dict[str, Any] = job["result"]
        assert not result["interrupted"], f"{self.name}: the poll was cut short: {result}"
        return result

    def rows(self, query: str, **params: Any) -> list[Any]:
        if self.engine is None:  # no pooled connection outlives a read (nor blocks a DROP)
            self.engine = sa.create_engine(self.database_url, poolclass=NullPool)
        with self.engine.connect() as connection:
            return list(connection.execute(sa.text(query), params))

    def launch(self) -> None:
        # Kept open while the server runs (its output, shown when the test fails).
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process = subprocess.Popen([PYTHON, "wsgi.py"], cwd=ROOT,
                                        env={**self.env, "PORT": str(self.port)},
                                        stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{self.base}/api/v1/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start: {self.output()}")
            time.sleep(0.1)

    def start(self) -> None:
        self.launch()
        self.wait_until_up()

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

    def become(self, organ_id: str, name: str, abbreviation: str) -> None:
        """The system administrator gives the demo organisation another OrganId and name."""
        [organisation] = [o for o in self.api("quantri", "GET", "/organisations")["items"]
                          if o["organ_id"] == DEMO_ORGAN_ID]
        details = {key: value for key, value in organisation.items() if key != "id"}
        self.api("quantri", "POST", f"/organisations/{organisation['id']}/actions/update",
                 json={**details, "organ_id": organ_id, "name": name,
                       "abbreviation": abbreviation})

    def issue(self, to_organ_id: str, to_name: str, subject: str) -> int:
        """A draft to ``to_organ_id`` through every step to issued, each by its person."""
        ids = {name: self.api(name, "GET", "/me")["id"]
               for name in ("truongphong", "vanthu", "chutich")}
        draft = self.api("chuyenvien", "POST", "/documents/outgoing", 201, data={
            "subject": subject, "type_code": "", "reviewer_id": ids["truongphong"],
            "checker_id": ids["vanthu"], "signer_id": ids["chutich"]},
            files={"file": ("du-thao.pdf", make_pdf(), "application/pdf")})
        document = int(draft["id"])
        self.api("chuyenvien", "POST", f"/exchange/{document}/actions/add_recipient",
                 json={"organ_id": to_organ_id, "name": to_name})
        for person, step in (("truongphong", "approve_content"), ("vanthu", "approve_format"),
                             ("chutich", "approve")):
            self.api(person, "POST", f"/documents/{document}/actions/{step}", json={})
        self.api("chutich", "POST", f"/documents/{document}/actions/sign",
                 json={"pin": DEMO_PIN})
        self.api("vanthu", "POST", f"/documents/{document}/actions/number", json={})
        self.api("vanthu", "POST", f"/documents/{document}/actions/org_sign",
                 json={"pin": DEMO_PIN})
        issued = self.api("vanthu", "POST", f"/documents/{document}/actions/issue", json={})
        assert issued["state"] == "ISSUED", issued
        return document

    def register(self, document_id: int) -> None:
        self.api("vanthu", "POST", f"/exchange/{document_id}/actions/register", json={})

    def update(self, document_id: int, new_subject: str) -> None:
        self.api("vanthu", "POST", f"/exchange/{document_id}/actions/update",
                 json={"subject": new_subject, "reason": "Sửa trích yếu cho đúng"})

    def revoke(self, document_id: int) -> None:
        self.api("vanthu", "POST", f"/documents/{document_id}/actions/revoke",
                 json={"note": "Ban hành nhầm"})


def wait_for(check: Callable[[], Any], what: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (last: {value!r})")
        time.sleep(0.2)


def _database_url(backend: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'eoffice.sqlite3'}"
    return create_database(request.getfixturevalue("postgres_server_url"), prefix="axis")


#: An operator's ``flask --app wsgi …`` commands run one after another in one process (each
#: separate command would import the whole app again): argv[1] is a JSON list of commands,
#: the answer a JSON list of their outputs.
COMMANDS = r"""
import json, sys
from wsgi import app
runner = app.test_cli_runner()
outputs = []
for command in json.loads(sys.argv[1]):
    result = runner.invoke(args=command)
    if result.exit_code != 0:
        sys.exit(f"flask {' '.join(command)}: {result.output}{result.exception!r}")
    outputs.append(result.output)
print(json.dumps(outputs))
"""

MIGRATE = ["db", "upgrade", "heads", "--directory", "migrations"]


def run_commands(installation: Installation, *commands: list[str]) -> list[str]:
    done = subprocess.run([PYTHON, "-c", COMMANDS, json.dumps(commands)], cwd=ROOT,
                          env=installation.env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{installation.name}: {done.stderr[-3000:]}"
    outputs: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return outputs


def _set_up_and_launch(hub: Installation, one: Installation, two: Installation) -> None:
    """What the operators do, the three of them at once: the hub's migrates its database,
    registers the two installations and starts its server; each installation's migrates and
    seeds the demo office (as ``make run`` does, without the living demo's history: see
    ``bench.write_burst.install``) and, given the secret the hub made for it, starts its
    server."""
    def hub_side() -> dict[str, str]:
        registrations = []
        for installation, organ_id, organ_name in ((one, X, "Ủy ban nhân dân tỉnh Hòa Bình"),
                                                   (two, Y, "Sở Tư pháp tỉnh Sơn La")):
            organs = ["--organ", f"{organ_id}={organ_name}"]
            if installation is two:  # a registration mistake: Z is not in installation 2
                organs += ["--organ", f"{Z}=Sở Xây dựng tỉnh Sơn La"]
            registrations.append(["exchange", "hub-systems", "create", installation.name,
                                  *organs])
        _migrated, *created = run_commands(hub, MIGRATE, *registrations)
        hub.launch()
        return {installation.name: output.split("secret=", 1)[1].split()[0]
                for installation, output in zip((one, two), created, strict=True)}

    with ThreadPoolExecutor(3) as pool:
        registered = pool.submit(hub_side)

        def installation_side(installation: Installation) -> None:
            run_commands(installation, MIGRATE, ["seed-demo", "--without-history"])
            installation.env.update({"EOFFICE_AXIS_URL": f"{hub.base}/axis",
                                     "EOFFICE_AXIS_SYSTEM_ID": installation.name,
                                     "EOFFICE_AXIS_SECRET": registered.result()[
                                         installation.name]})
            installation.launch()

        for started in [registered, pool.submit(installation_side, one),
                        pool.submit(installation_side, two)]:
            started.result()


@contextmanager
def three_installations(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                        ) -> Iterator[tuple[Installation, Installation, Installation]]:
    made: list[Installation] = []
    for name in ("hub", "one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        url = _database_url(backend, folder, request)
        env = {**instance_env(folder, url), "EOFFICE_CONVERTER": "oneshot"}
        made.append(Installation(name, env, url, free_port()))
    hub, one, two = made
    hub.env["EOFFICE_HUB"] = "1"
    try:
        _set_up_and_launch(hub, one, two)
        for installation in made:
            installation.wait_until_up()
        two.become(Y, "Sở Tư pháp tỉnh Sơn La", "STP")
        yield hub, one, two
    except BaseException:
        for installation in made:
            print(f"--- {installation.name}:\n{installation.output()}")
        raise
    finally:
        for installation in made:
            installation.stop()
            for browser, _token in installation.sessions.values():
                browser.close()
            if installation.engine is not None:
                installation.engine.dispose()


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
        sent = one.issue(Y, "Sở Tư pháp tỉnh Sơn La", first)
        wait_for(lambda: (d := dispatch(one, first)) and d.state == "sent", "X's package sent")

        poll_until(two, lambda: incoming(two, first), "Y to take in X's document")
        [(document_id, state, _)] = incoming(two, first)
        assert state == "RECEIVED"
        poll_until(one, lambda: recipient_status(one, first) == "01", "01 back at X")
        assert dispatch(one, first).state == "delivered"

        two.register(document_id)
        poll_until(one, lambda: recipient_status(one, first) == "03", "03 back at X")

        reply = "Về việc báo cáo kết quả chuyển đổi số"
        two.issue(X, "Ủy ban nhân dân tỉnh Hòa Bình", reply)
        poll_until(one, lambda: incoming(one, reply), "X to take in Y's reply")
        poll_until(two, lambda: recipient_status(two, reply) == "01", "01 back at Y")

        amended = first + " (sửa đổi)"
        one.update(sent, amended)
        poll_until(two, lambda: incoming(two, amended), "Y to take in the update")
        one.revoke(sent)
        poll_until(two, lambda: incoming(two, amended)[0].state == "REVOKED",
                   "Y to honour the revocation")
        assert [row.id for row in incoming(two, amended)] == [document_id]

        # A package installation 2 cannot take (Z is not one of its organisations): refused
        # there with a reason, which reaches the sender's dispatch.
        stray = "Về việc gửi nhầm nơi nhận"
        one.issue(Z, "Sở Xây dựng tỉnh Sơn La", stray)
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
        one.issue(Y, "Sở Tư pháp tỉnh Sơn La", third)
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
        assert two.poll()["accepted"] == 0
