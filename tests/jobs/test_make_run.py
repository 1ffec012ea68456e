"""`make run` starts the job worker with the web server, in the same process: a mail queued
by another process of the installation (here a script, as the web would) is delivered by the
server's own worker, with nothing else running."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import write_burst
from tests.services.smtp import Inbox

QUEUE_A_MAIL = """
from eoffice import create_app
from eoffice.extensions import db
from eoffice.mail import Mail, queue_mail

app = create_app()
with app.app_context():
    queue_mail([Mail("lan.nt@hoabinh.gov.vn", "Thư thử hàng đợi", "Nội dung")])
    db.session.commit()
"""


@pytest.mark.timeout(300)
def test_the_server_make_run_starts_delivers_queued_mail(tmp_path: Path,
                                                        smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    env = {**write_burst.instance_env(tmp_path, f"sqlite:///{tmp_path / 'eoffice.sqlite3'}"),
           "EOFFICE_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    write_burst.install(env)
    with write_burst.running_server("sqlite", env):  # `python wsgi.py`, as make run starts it
        done = subprocess.run([sys.executable, "-c", QUEUE_A_MAIL], cwd=write_burst.ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not inbox.messages:
            time.sleep(0.2)
    assert [m.rcpt_tos for m in inbox.messages] == [["lan.nt@hoabinh.gov.vn"]]
