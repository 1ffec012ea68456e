"""Runs unoserver for :mod:`formats.warm_converter`; never imported by the app, only executed.

``/usr/bin/python3 unoserver_host.py UNOSERVER-ARGUMENTS…`` — by the system Python, because
that is the one with Debian's ``uno`` module (python3-uno); the app's virtualenv Python has no
``uno``. The ``unoserver`` package comes from the virtualenv (the owner puts it on PYTHONPATH),
so this file uses nothing but the standard library and unoserver itself.

The only thing added to stock ``unoserver.server.main()``: this host dies with its owner. Its
standard input is a pipe from the owning process, never written to; when it reaches end of
file (the owner exited, or was killed without running its clean-up), the owner's runtime folder
(``UNOSERVER_HOST_REMOVE``: profile, log) is removed and the whole process group (this host and
the LibreOffice it started) is killed, so no LibreOffice is ever orphaned.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading

from unoserver import server


def _die_with_owner() -> None:
    try:
        while os.read(0, 4096):  # unbuffered: no lock to trip over at interpreter exit
            pass
    finally:
        runtime = os.environ.get("UNOSERVER_HOST_REMOVE")  # the owner's folder, left behind
        if runtime:
            shutil.rmtree(runtime, ignore_errors=True)
        if os.getpgrp() == os.getpid():  # started as a session of its own, as the owner does
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    threading.Thread(target=_die_with_owner, name="owner-watch", daemon=True).start()
    sys.argv = ["unoserver", *sys.argv[1:]]
    sys.exit(server.main())
