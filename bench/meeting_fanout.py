"""Fan-out benchmark for the live meeting: how fast does the chair's page reach everyone?

    python bench/meeting_fanout.py --clients 500 [--processes 2] [--mode gevent|threading]
        [--client raw|ws|official] [--changes 200] [--ballots 500] [--ballot-window 9]

1. Builds a fresh SQLite database (the real migrations), the demo office, N participants
   checked in to one open meeting, and one session cookie per participant (signed with the
   app's key, as a login would — N argon2 logins would only measure argon2).
2. Starts the servers as production runs them: ``--processes`` (default: one per core) gevent
   processes sharing events through a real Redis (``--mode threading`` for comparison).
3. Runs ``bench/meeting_fanout_client.mjs``: N participants and the chair in one Node process
   (``--client``: the protocol over a bare TCP WebSocket by default, so that the driver takes
   as little as it can of the CPU it shares with the servers; ``official`` runs
   socket.io-client). The chair changes page ``--changes`` times; for each change the time
   from the chair's emit until the LAST participant received it is one sample (200 samples
   by default, so p99 is not just the maximum). Then a
   secret poll: ``--ballots`` participants vote at random moments over ``--ballot-window``
   seconds (default 9: "500 ballots cast within 10 s"); each acknowledgement's latency is a
   sample.
4. Measures the same with a minimal Node socket.io server (``meeting_fanout_reference.mjs``) as
   the reference, in the same run, with the same driver.

The last line is ``RESULT clients=N p50_ms=… p99_ms=… node_p50_ms=… node_p99_ms=…
ballot_ack_p99_ms=…``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
USER_AGENT = "eoffice-bench/1.0"
SECRET = "bench-secret-key-" + "x" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_app(instance: Path, database_url: str, mode: str, redis_url: str | None = None):  # type: ignore[no-untyped-def]
    from eoffice import create_app
    from eoffice.settings import Settings

    overrides: dict[str, object] = {}
    if redis_url:
        overrides["redis_url"] = redis_url
    settings = Settings.from_env(
        instance, environ={}, database_url=database_url, secret_key=SECRET,
        storage_url=f"file://{instance / 'objects'}",
        extra={"SOCKETIO_ASYNC_MODE": mode}, **overrides,
    )
    app = create_app(settings)
    import meetings

    meetings.init_app(app)
    return app


# --------------------------------------------------------------------------- server process
def serve(port: int, database_url: str, instance: Path, mode: str) -> None:
    """Run in the child: the app with meetings, as production would (gevent) or threaded."""
    import logging

    from eoffice.extensions import socketio

    app = make_app(instance, database_url, mode, os.environ.get("EOFFICE_REDIS_URL"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    sync = os.environ.get("EOFFICE_BENCH_SQLITE_SYNC")
    if sync in ("NORMAL", "FULL", "OFF"):  # to measure what fsync on every commit costs
        from sqlalchemy import event

        from eoffice.extensions import db

        with app.app_context():
            event.listen(db.engine, "connect",
                         lambda conn, _rec: conn.execute(f"PRAGMA synchronous={sync}"))
            db.engine.dispose()
    if os.environ.get("EOFFICE_BENCH_GC") != "default":  # as wsgi.py does in production
        from meetings.transport import tune_gc

        tune_gc()
    instrument = os.environ.get("EOFFICE_BENCH_INSTRUMENT")
    if instrument:  # a file of your own that wraps server functions to time them
        import runpy

        runpy.run_path(instrument)
    profile_path = os.environ.get("EOFFICE_BENCH_PROFILE")
    profiler = None
    if profile_path:  # where does the server's time go? (pstats file written on exit)
        import cProfile
        import signal

        profiler = cProfile.Profile()

        def stop(*_: object) -> None:
            profiler.disable()
            profiler.dump_stats(str(profile_path))
            os._exit(0)

        signal.signal(signal.SIGTERM, stop)
        profiler.enable()
    try:
        socketio.run(app, host="127.0.0.1", port=port, allow_unsafe_werkzeug=True,
                     use_reloader=False, log_output=False)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile_path))


# --------------------------------------------------------------------------- preparation
def prepare(workdir: Path, clients: int) -> dict[str, object]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from eoffice.accounts.models import User, UserRole
    from eoffice.accounts.passwords import hash_password
    from eoffice.accounts.roles import Role
    from eoffice.demo import seed_demo
    from eoffice.extensions import db
    from eoffice.timestamps import utcnow
    from meetings import service
    from tests.meetings.pdfs import numbered_pdf

    database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = make_app(workdir / "instance", database_url, "threading")
    with app.app_context():
        upgrade(revision="heads")
        seed_demo()
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        chair, secretary = users["chutich"], users["thuky"]
        password = hash_password("bench-not-used")
        people = []
        for number in range(clients):
            user = User(username=f"daibieu{number:04d}", full_name=f"Đại biểu {number:04d}",
                        password_hash=password, organisation_id=chair.organisation_id,
                        role_rows=[UserRole(role=Role.SPECIALIST.value)])
            db.session.add(user)
            people.append(user)
        db.session.flush()
        meeting = service.create_meeting(
            secretary, title="Kỳ họp đo tải", starts_at=utcnow(), location="Hội trường",
            chair_id=chair.id, secretary_id=secretary.id, member_ids=[u.id for u in people],
        )
        item = service.add_agenda_item(secretary, meeting, title="Nội dung 1",
                                       duration_minutes=60)
        import io

        document = service.attach_upload(secretary, item, io.BytesIO(numbered_pdf(3)),
                                         "tai-lieu.pdf")
        service.send_invitations(secretary, meeting)
        db.session.commit()
        meeting_id, document_id = meeting.id, document.id
        service.command(chair, meeting_id, "open", {})
        for user in [chair, *people]:
            service.command(secretary, meeting_id, "check_in", {"user_id": user.id})
        cookies = [session_cookie(app, user) for user in people]
        chair_cookie = session_cookie(app, chair)
        db.session.commit()  # the server-side sessions the cookies name
        db.engine.dispose()
    return {"database_url": database_url, "meeting_id": meeting_id, "document_id": document_id,
            "cookies": cookies, "chair_cookie": chair_cookie}


def session_cookie(app, user) -> str:  # type: ignore[no-untyped-def]
    """The cookie a login through the form would set for ``user`` (same key, same fields,
    and the server-side session it names, opened in the caller's transaction)."""
    from eoffice.accounts import sessions
    from eoffice.accounts.service import SESSION_TOKEN_KEY
    from eoffice.extensions import login_manager

    with app.test_request_context(headers={"User-Agent": USER_AGENT},
                                  environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        identifier = login_manager._session_identifier_generator()
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user.get_id(), "_fresh": True, "_id": identifier,
         SESSION_TOKEN_KEY: sessions.open_session(user.id, USER_AGENT)})
    return f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}"


# --------------------------------------------------------------------------- measuring
def wait_http(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited early ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not answer")


def drive(urls: list[str], prepared: dict[str, object], args: argparse.Namespace,
          ) -> dict[str, object]:
    config = {
        "urls": urls, "node_modules": str(NODE_MODULES), "user_agent": USER_AGENT,
        "meeting_id": prepared["meeting_id"], "document_id": prepared["document_id"],
        "participant_cookies": prepared["cookies"], "chair_cookie": prepared["chair_cookie"],
        "client": args.client, "changes": args.changes, "pause_ms": args.pause_ms,
        "ballots": min(args.ballots, args.clients), "ballot_window_ms": args.ballot_window * 1000,
    }
    result = subprocess.run(
        ["node", str(ROOT / "bench" / "meeting_fanout_client.mjs")], input=json.dumps(config),
        capture_output=True, text=True, timeout=900, check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"driver failed: {result.stdout[-1000:]} {result.stderr[-2000:]}")
    return json.loads(lines[-1])


def run(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="eoffice-fanout-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    prepared = prepare(workdir, args.clients)
    print(f"prepared {args.clients} participants in {time.monotonic() - started:.1f} s",
          flush=True)

    redis = None
    extra_env: dict[str, str] = {}
    if args.processes > 1:  # production shape: one process per core, events through Redis
        redis_port = free_port()
        redis = subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL)
        extra_env["EOFFICE_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        time.sleep(0.5)
    servers = []
    urls = []
    try:
        for _ in range(args.processes):
            port = free_port()
            servers.append(subprocess.Popen(
                [sys.executable, __file__, "--serve", str(port), "--database-url",
                 str(prepared["database_url"]), "--workdir", str(workdir / "instance"),
                 "--mode", args.mode], cwd=ROOT, env={**os.environ, **extra_env},
            ))
            urls.append(f"http://127.0.0.1:{port}")
        for url, server in zip(urls, servers, strict=True):
            wait_http(f"{url}/api/v1/health", server)
        ours = drive(urls, prepared, args)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
    report(f"eoffice ({args.mode} × {args.processes})", ours)

    port = free_port()
    reference = subprocess.Popen(
        ["node", str(ROOT / "bench" / "meeting_fanout_reference.mjs"), str(port),
         str(NODE_MODULES)], stdout=subprocess.PIPE,
    )
    try:
        assert reference.stdout is not None
        reference.stdout.readline()
        node = drive([f"http://127.0.0.1:{port}"], prepared, args)
    finally:
        reference.terminate()
        reference.wait(timeout=20)
    report("node reference", node)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    ballots = ours.get("ballots") or {}
    print(f"RESULT clients={args.clients} p50_ms={ours['p50_ms']:.1f} "
          f"p99_ms={ours['p99_ms']:.1f} node_p50_ms={node['p50_ms']:.1f} "
          f"node_p99_ms={node['p99_ms']:.1f} "
          f"ballot_ack_p99_ms={ballots.get('ack_p99_ms', float('nan')):.1f}")


def report(name: str, result: dict[str, object]) -> None:
    print(f"{name}: {result['clients']} clients connected and joined in "
          f"{result['connect_seconds']:.1f} s; page change to the last participant: "
          f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
          f"max {result['max_ms']:.1f} ms over {len(result['fanout_ms'])} changes",  # type: ignore[arg-type]
          flush=True)
    samples = sorted(result["fanout_ms"])  # type: ignore[type-var]
    print(f"  fastest {samples[0]:.1f} ms; slowest five: "
          + ", ".join(f"{value:.1f}" for value in samples[-5:])
          + f"; first participant p50 {result['first_p50_ms']:.1f} ms; the driver's own CPU "
          f"per change p50 {result['driver_cpu_p50_ms']:.1f} ms", flush=True)
    ballots = result.get("ballots")
    if ballots:
        print(f"{name}: {ballots['cast']} ballots in {ballots['seconds']:.2f} s "  # type: ignore[index]
              f"(errors {len(ballots['errors'])}), ack p50 {ballots['ack_p50_ms']:.1f} ms, "  # type: ignore[index]
              f"p99 {ballots['ack_p99_ms']:.1f} ms, max {ballots['ack_max_ms']:.1f} ms; "  # type: ignore[index]
              f"retry duplicate={ballots['retry_duplicate']}, progress updates seen "  # type: ignore[index]
              f"{ballots['progress_updates']}, result {ballots['result']}", flush=True)  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="server processes sharing events through Redis (needs redis-server)")
    parser.add_argument("--client", choices=("raw", "ws", "official"), default="raw",
                        help="participants speak the protocol over a bare TCP WebSocket (raw), "
                             "over the `ws` package, or run socket.io-client (official)")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--pause-ms", type=int, default=100)
    parser.add_argument("--ballots", type=int, default=500)
    parser.add_argument("--ballot-window", type=float, default=9.0)
    parser.add_argument("--workdir")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        if args.mode == "gevent":
            from gevent import monkey

            monkey.patch_all()
        sys.path.insert(0, str(ROOT))
        serve(args.serve, args.database_url, Path(args.workdir), args.mode)
        return
    run(args)


if __name__ == "__main__":
    if "--serve" in sys.argv and "gevent" in sys.argv:
        # Patch before anything else imports socket, threading or ssl.
        from gevent import monkey

        monkey.patch_all()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
