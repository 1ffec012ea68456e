"""The app with meetings in a process of its own, as production runs it (one per core).

``python -m tests.meetings.server_process PORT DATABASE_URL INSTANCE REDIS_URL MODE``
(MODE ``gevent`` or ``threading``; REDIS_URL ``-`` for none). Used by the scale-out test.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    port, database_url, instance, redis, mode = sys.argv[1:6]
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()

    from pathlib import Path

    import meetings
    from eoffice.extensions import socketio
    from tests.conftest import make_app

    overrides: dict[str, object] = {"extra": {"SOCKETIO_ASYNC_MODE": mode}}
    if redis != "-":
        overrides["redis_url"] = redis
    app = make_app(Path(instance), database_url, **overrides)
    meetings.init_app(app)
    socketio.run(app, host="127.0.0.1", port=int(port), allow_unsafe_werkzeug=True,
                 use_reloader=False, log_output=False)
