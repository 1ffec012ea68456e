"""Composition root: the eoffice app with the meetings module plugged in.

``python wsgi.py`` serves it (Flask-SocketIO on gevent's pywsgi); ``flask --app wsgi …`` runs
its commands. Production: ``gunicorn -k gevent -w 1 wsgi:app`` (gunicorn's own gevent worker)
per core, with EOFFICE_REDIS_URL set so the processes share Socket.IO events. Either way,
WebSockets are served by simple-websocket.
"""

from __future__ import annotations

if __name__ == "__main__":
    # Served from this file, the app runs on gevent as in production; the standard library
    # must be patched before anything imports sockets or threads.
    from gevent import monkey

    monkey.patch_all()

import os
import sys

import meetings
from eoffice import create_app
from eoffice.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:
    # One line naming the variable, no traceback: this is a configuration mistake, not a bug.
    print(f"eoffice: configuration error: {error}", file=sys.stderr)
    raise SystemExit(2) from None
meetings.init_app(app)
meetings.transport.tune_gc()  # shorter GC pauses for live sessions (see the function)


def main() -> None:
    from eoffice.demo import DEMO_PASSWORD, DEMO_USERS
    from eoffice.extensions import socketio
    from eoffice.jobs.queue import start_in_process
    from formats.conversion import warm_up_in_background

    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"\neoffice đang chạy tại: http://{host}:{port}/")
    print(f"Đăng nhập thử bằng một trong các tài khoản sau, mật khẩu: {DEMO_PASSWORD}")
    width = max(len(user.username) for user in DEMO_USERS)
    for user in DEMO_USERS:
        roles = ", ".join(r.label for r in user.roles)
        print(f"  {user.username:<{width}}  {user.full_name} ({roles})")
    # The job worker (conversion, mail, reminders, sweeps) runs in this same process: one
    # command starts everything and Ctrl+C stops everything. Production runs
    # `flask --app wsgi jobs worker` as a process of its own (README).
    start_in_process(app, workers=2, worker_type="greenlet")
    warm_up_in_background()  # LibreOffice ready before the first draft is rendered
    print("Hàng đợi việc nền đang chạy cùng máy chủ (xem tại /jobs/).")
    print("Nhấn Ctrl+C để dừng.\n", flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


if __name__ == "__main__":
    main()
