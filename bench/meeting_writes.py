"""What the chair and the secretary wait for: every live-session command, timed end to end.

    python bench/meeting_writes.py [--repetitions 10] [--invitees 0] [--pause-ms 100]
        [--profile DIR] [--workdir DIR]

1. Installs the embedded defaults as ``make run`` does (migrations, ``flask seed-demo``: the
   demo office and its demo meeting), then prepares ``--repetitions`` meetings like the demo
   one (the first *is* the demo meeting; the others have its agenda, papers and invitees).
   ``--invitees N`` invites N more people to each meeting (a council session rather than the
   demo's seven people; they are not connected and never checked in).
2. Serves the app exactly as ``make run`` does (``wsgi.py``: gevent, the job worker in the same
   process, LibreOffice kept warm).
3. Logs in the chair, the secretary and the members through the login form and connects each
   to ``/meeting`` with python-socketio over a WebSocket, as a browser does. For each meeting
   it runs a whole session: the chair opens it, the secretary checks everybody in, the chair
   presents pages, a member asks to speak, the chair grants and ends the turn, the secretary
   prepares a poll, the chair opens it, the members vote, the chair closes it, the secretary
   records a conclusion and an action item (which becomes a task), the chair moves to the next
   item… and finally closes the session. Each command's time is from the emit until its
   acknowledgement (the server acknowledges after the change is committed and published).
4. Prints p50 / p95 / max per command; the last line is
   ``RESULT conclusion_p95_ms=… action_item_p95_ms=… worst_command=… worst_p95_ms=…``
   (worst over the chair's and the secretary's commands).

``--profile DIR`` profiles the server (cProfile around each Socket.IO event, one
``DIR/<event>.pstats`` per event name, plus the top functions printed for the slowest ones);
the profiler's overhead inflates the timings of that run, so compare figures without it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import write_burst  # noqa: E402  (the helpers every bench shares; after sys.path)

PYTHON = sys.executable
PASSWORD = "matkhau123"
NAMESPACE = "/meeting"
#: One browser: the session is bound to it (Flask-Login's "strong" session protection).
USER_AGENT = "eoffice-bench/1.0"
CHAIR, SECRETARY = "chutich", "thuky"
#: Who is timed for the RESULT line: the chair's and the secretary's commands.
ORGANISER_EVENTS = ("open", "check_in", "present", "goto_item", "grant_speak", "end_speak",
                    "create_poll", "open_poll", "close_poll", "conclude", "add_action", "close")


# --------------------------------------------------------------------------- preparation
PREPARE = """
import json, sys
from sqlalchemy import select
from eoffice.accounts.models import User, UserRole
from eoffice.accounts.passwords import hash_password
from eoffice.accounts.roles import Role
from eoffice.demo import DEMO_ORGAN_ID
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.timestamps import utcnow
from meetings import service
from meetings.demo import demo_meeting, start_time
from wsgi import app

count, extra = int(sys.argv[1]), int(sys.argv[2])
with app.app_context():
    organisation = db.session.execute(
        select(Organisation).where(Organisation.organ_id == DEMO_ORGAN_ID)).scalar_one()
    demo = demo_meeting(organisation)
    assert demo is not None, "flask seed-demo made no demo meeting"
    secretary = db.session.get(User, demo.secretary_id)
    password = hash_password("bench-not-used")
    invitees = [User(username=f"daibieu{n:04d}", full_name=f"Đại biểu {n:04d}",
                     password_hash=password, organisation_id=organisation.id,
                     role_rows=[UserRole(role=Role.SPECIALIST.value)]) for n in range(extra)]
    db.session.add_all(invitees)
    db.session.flush()
    # The demo meeting itself, unless more people are invited (it was sent already).
    meetings = [] if extra else [demo]
    while len(meetings) < count:
        copy = service.create_meeting(
            secretary, title=f"{demo.title} – lần {len(meetings) + 1}",
            starts_at=start_time(utcnow()), ends_at=demo.ends_at, chair_id=demo.chair_id,
            secretary_id=demo.secretary_id,
            member_ids=[p.user_id for p in demo.participants if p.role == "member"]
            + [u.id for u in invitees],
            location=demo.location, description=demo.description)
        for item in demo.items:
            new = service.add_agenda_item(secretary, copy, title=item.title,
                                          duration_minutes=item.duration_minutes,
                                          presenter_id=item.presenter_id)
            for document in item.documents:
                service.attach_existing(secretary, new, document.file_id, document.title)
        service.send_invitations(secretary, copy)
        db.session.commit()
        meetings.append(copy)
    demo_people = {p.user_id for p in demo.participants}
    usernames = {u.id: u.username for u in db.session.execute(select(User)).scalars()}
    print(json.dumps([{
        "id": m.id,
        "items": [{"id": i.id, "documents": [d.id for d in i.documents]} for i in m.items],
        "members": [usernames[p.user_id] for p in m.participants
                    if p.role == "member" and p.user_id in demo_people],
        "member_ids": {usernames[p.user_id]: p.user_id for p in m.participants
                       if p.user_id in demo_people},
    } for m in meetings]))
"""


def prepare(env: dict[str, str], count: int, extra: int) -> list[dict[str, Any]]:
    write_burst.install(env)  # migrate and seed the demo office, as make run does
    done = subprocess.run([PYTHON, "-c", PREPARE, str(count), str(extra)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"preparing meetings failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- the server
def serve(profile_dir: str | None) -> None:
    """Run in the child: ``wsgi.py`` as ``make run`` runs it, optionally profiled per event."""
    sys.path.insert(0, str(ROOT))
    import wsgi

    if profile_dir:
        _profile_events(Path(profile_dir))
    wsgi.main()


def _profile_events(directory: Path) -> None:
    """cProfile around every Socket.IO event of ``/meeting``, accumulated per event name."""
    import cProfile
    import pstats
    import signal

    from meetings.namespace import MeetingNamespace

    directory.mkdir(parents=True, exist_ok=True)
    profiles: dict[str, pstats.Stats] = {}
    original = MeetingNamespace._dispatch

    def dispatch(self: MeetingNamespace, *args: Any) -> Any:
        from flask import request

        event = request.event["message"]  # type: ignore[attr-defined]
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return original(self, *args)
        finally:
            profiler.disable()
            if event in profiles:
                profiles[event].add(profiler)
            else:
                profiles[event] = pstats.Stats(profiler)

    MeetingNamespace._dispatch = dispatch  # type: ignore[method-assign]

    def dump(*_: object) -> None:
        for event, stats in profiles.items():
            stats.dump_stats(str(directory / f"{event}.pstats"))
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)


@contextmanager
def running_server(env: dict[str, str], profile_dir: str | None) -> Iterator[str]:
    """This file serving the app (``--serve``: wsgi's app on gevent, as make run does)."""
    command = [PYTHON, __file__, "--serve"] + (["--profile", profile_dir] if profile_dir else [])
    with write_burst.serving(lambda _port: command, env, startup_seconds=90) as base:
        yield base


# --------------------------------------------------------------------------- the clients
def login(base: str, username: str) -> str:
    """A fresh login through the form; the Cookie header it leaves."""
    import requests

    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "login page has no CSRF token"
    answer = session.post(f"{base}/login", data={
        "csrf_token": token.group(1), "username": username, "password": PASSWORD},
        timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"login as {username} failed ({answer.status_code})")
    return "; ".join(f"{k}={v}" for k, v in session.cookies.get_dict().items())


class Participant:
    """One person's Socket.IO connection, timing what they send."""

    def __init__(self, base: str, username: str, timings: dict[str, list[float]],
                 pause: float) -> None:
        import socketio

        self.username = username
        self.timings = timings
        self.pause = pause
        self.client = socketio.Client(reconnection=False)
        self.client.connect(base, headers={"Cookie": login(base, username),
                                                  "User-Agent": USER_AGENT},
                            transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=30)

    def send(self, event: str, payload: dict[str, Any] | None = None, *,
             label: str | None = None) -> dict[str, Any]:
        # People are not machines (and the server refuses more than 20 events a second from
        # one connection): a short pause before each command.
        time.sleep(self.pause)
        started = time.perf_counter()
        reply = self.client.call(event, payload or {}, namespace=NAMESPACE, timeout=60)
        self.timings[label or event].append((time.perf_counter() - started) * 1000)
        if not isinstance(reply, dict) or not reply.get("ok"):
            raise RuntimeError(f"{self.username} {event} {payload}: {reply}")
        return reply

    def close(self) -> None:
        self.client.disconnect()


def session(meeting: dict[str, Any], people: dict[str, Participant], number: int) -> None:
    """One whole live session, as a chair and a secretary run it."""
    chair, secretary = people[CHAIR], people[SECRETARY]
    members = [people[name] for name in meeting["members"]]
    for person in people.values():
        person.send("join", {"meeting_id": meeting["id"]})
    chair.send("open")
    for name, user_id in meeting["member_ids"].items():
        if name != SECRETARY:
            secretary.send("check_in", {"user_id": user_id})
    deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    for index, item in enumerate(meeting["items"]):
        if index:
            chair.send("goto_item", {"item_id": item["id"]})
        for document_id in item["documents"]:
            for page in (1, 2, 3):
                chair.send("present", {"document_id": document_id, "page": page})
        speaker = members[index % len(members)]
        speaker.send("request_speak", {"queue": "speak"})
        chair.send("grant_speak", {"user_id": meeting["member_ids"][speaker.username],
                                   "queue": "speak"})
        chair.send("end_speak")
        secretary.send("create_poll", {
            "question": f"Thông qua nội dung {index + 1} (lần {number + 1})",
            "secret": bool(index % 2), "item_id": item["id"]})
        poll_id = _newest_poll(secretary)
        chair.send("open_poll", {"poll_id": poll_id})
        for voter in [chair, *members]:
            voter.send("vote", {"poll_id": poll_id, "choice": 0})
        chair.send("close_poll", {"poll_id": poll_id})
        secretary.send("conclude", {"item_id": item["id"], "text":
                                    f"Thống nhất nội dung {index + 1}; giao các cơ quan liên "
                                    "quan hoàn thiện và trình ban hành."})
        for assignee in members[:2]:
            secretary.send("add_action", {
                "title": f"Hoàn thiện hồ sơ nội dung {index + 1} (lần {number + 1})",
                "assignee_id": meeting["member_ids"][assignee.username],
                "deadline": deadline, "item_id": item["id"]})
    chair.send("close")


def _newest_poll(secretary: Participant) -> int:
    state = secretary.client.call("snapshot", {}, namespace=NAMESPACE, timeout=60)["snapshot"]
    return max(int(poll_id) for poll_id in state["polls"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(timings: dict[str, list[float]]) -> tuple[str, float]:
    print(f"{'command':<14} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    worst, worst_p95 = "", 0.0
    for event in sorted(timings, key=lambda e: -percentile(timings[e], 0.95)):
        values = timings[event]
        p95 = percentile(values, 0.95)
        print(f"{event:<14} {len(values):>4} {statistics.median(values):>9.1f} {p95:>9.1f} "
              f"{max(values):>9.1f}")
        if event in ORGANISER_EVENTS and p95 > worst_p95:
            worst, worst_p95 = event, p95
    return worst, worst_p95


def print_profiles(directory: Path, events: list[str], lines: int = 25) -> None:
    import pstats

    for event in events:
        path = directory / f"{event}.pstats"
        if path.exists():
            print(f"\n== server profile: {event} (cumulative)")
            pstats.Stats(str(path)).sort_stats("cumulative").print_stats(lines)


def run(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="eoffice-meeting-writes-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = write_burst.instance_env(workdir, f"sqlite:///{workdir / 'eoffice.sqlite3'}")
    started = time.monotonic()
    meetings = prepare(env, args.repetitions, args.invitees)
    print(f"installed and prepared {len(meetings)} meetings in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    timings: dict[str, list[float]] = defaultdict(list)
    profile_dir = str(Path(args.profile).resolve()) if args.profile else None
    with running_server(env, profile_dir) as base:
        time.sleep(args.settle)  # LibreOffice starting in the background is not measured
        usernames = [CHAIR, SECRETARY, *meetings[0]["members"]]
        people = {name: Participant(base, name, timings, args.pause_ms / 1000)
                  for name in usernames}
        try:
            for number, meeting in enumerate(meetings):
                session(meeting, people, number)
        finally:
            for person in people.values():
                person.close()
    print(f"{len(meetings)} sessions, {sum(len(v) for v in timings.values())} commands")
    worst, worst_p95 = report(timings)
    if profile_dir:
        slowest = sorted(timings, key=lambda e: -percentile(timings[e], 0.95))[:4]
        print_profiles(Path(profile_dir), slowest)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"RESULT conclusion_p95_ms={percentile(timings['conclude'], 0.95):.1f} "
          f"action_item_p95_ms={percentile(timings['add_action'], 0.95):.1f} "
          f"worst_command={worst} worst_p95_ms={worst_p95:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=10,
                        help="sessions run (one meeting each)")
    parser.add_argument("--invitees", type=int, default=0,
                        help="more people invited to each meeting (not connected, never "
                             "checked in): a large council session instead of the demo's")
    parser.add_argument("--profile", help="directory for the server's per-event profiles")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds to wait after the server answers before measuring")
    parser.add_argument("--pause-ms", type=float, default=100,
                        help="pause before each command (people's pace; the server refuses "
                             "more than 20 events a second from one connection)")
    parser.add_argument("--workdir")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.profile)
        return
    run(args)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        # As wsgi.py does: patch before anything imports sockets or threads.
        from gevent import monkey

        monkey.patch_all()
    main()
