"""DOCX → PDF through a LibreOffice kept running (unoserver): ≈0.1 s a draft instead of ≈1 s.

Design, and why:
* One-shot ``soffice --convert-to`` spends about a second starting LibreOffice for every
  document. Here one LibreOffice stays up behind ``unoserver`` (an XML-RPC front to LibreOffice's
  UNO API) and each conversion is one XML-RPC call with the DOCX bytes in and the PDF bytes out.
* unoserver's server half needs ``import uno``, which only the distribution's Python has
  (Debian's python3-uno, for /usr/bin/python3). So the server runs as
  ``/usr/bin/python3 formats/unoserver_host.py …`` with PYTHONPATH naming only the unoserver
  package installed in our virtualenv (``requirements.txt`` pins it); nothing is pip-installed
  into the system Python. The client half is ours: one ``convert`` call per document on a plain
  ``xmlrpc.client`` proxy with a socket timeout. (unoserver's ``UnoClient`` asks the server for
  its filter list before every conversion, ≈0.2 s a draft; the ``unoconvert`` command also
  starts a Python, ≈0.3 s; the bare call is ≈0.1 s, measured on 2 cores.)
* Private everything: the XML-RPC and UNO ports are picked free on 127.0.0.1, the LibreOffice
  profile lives in this converter's own runtime folder, so two processes (gunicorn workers,
  test runs) never share an instance. The profile is kept across restarts (a cold profile costs
  a few seconds more); a server that does not come up is retried once on a fresh profile.
* Supervised: before each conversion a dead server is started again; a conversion that exceeds
  ``timeout`` kills the server's process group (the server was started as a session of its own,
  so LibreOffice goes with it) and is refused with :class:`ConversionError`, the next conversion
  starts a fresh server; a server that dies during a conversion (or answers with anything but a
  document error) is restarted and the document tried once more. The host kills its own group
  when our end of its stdin pipe closes, so even a process killed with SIGKILL leaves no
  LibreOffice behind.
* Falls back to the one-shot :class:`~formats.oneshot.Converter` when the warm one cannot start
  (no python3-uno, no unoserver, a bad path), logging why and trying warm again after
  ``retry_after`` seconds.
* Conversions are serialized (one lock): one LibreOffice converts one document at a time. The
  waiting is on a socket or a subprocess, which gevent makes cooperative; the lock is gevent's
  when the app runs monkey-patched.
* Same checks as the one-shot path: the DOCX is checked before LibreOffice sees it and only a
  complete PDF is returned.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import importlib.util
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import xmlrpc.client
from pathlib import Path

from formats.oneshot import DEFAULT_TIMEOUT, ConversionError, Converter, check_docx, is_complete_pdf

__all__ = ["SYSTEM_PYTHON", "WarmConverter"]

log = logging.getLogger(__name__)

#: The Python that has ``uno`` (Debian's python3-uno is built for the system Python).
SYSTEM_PYTHON = "/usr/bin/python3"
HOST_SCRIPT = Path(__file__).with_name("unoserver_host.py")
DEFAULT_START_TIMEOUT = 60.0
DEFAULT_RETRY_AFTER = 60.0
#: The server's log (LibreOffice's stderr, unoserver's errors, one line per request) is emptied
#: when it grows past this, so a server that runs for months does not fill the disk.
LOG_LIMIT = 1024 * 1024

_UNREADABLE = "LibreOffice không đọc được tệp DOCX (tệp hỏng hoặc nội dung không hợp lệ)."


class _StartFailed(Exception):
    """The warm server could not be started (the reason is for the log, not for users)."""


class _ServerFailed(Exception):
    """The server died or misbehaved during a call: not the document's fault."""


class _TimeoutTransport(xmlrpc.client.Transport):
    """An XML-RPC transport whose socket gives up after ``timeout`` seconds of silence."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: object) -> http.client.HTTPConnection:
        connection = super().make_connection(host)  # type: ignore[arg-type]
        connection.timeout = self._timeout
        return connection


def _proxy(port: int, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}", allow_none=True,
                                     transport=_TimeoutTransport(timeout))


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _unoserver_site() -> tuple[Path, Path]:
    """The installed unoserver package folder and its ``.dist-info`` (unoserver reads its own
    version from the metadata)."""
    spec = importlib.util.find_spec("unoserver")
    if spec is None or spec.origin is None:
        raise _StartFailed("the unoserver package is not installed (pip install unoserver)")
    package = Path(spec.origin).parent
    metadata = sorted(package.parent.glob("unoserver-*.dist-info"))
    if not metadata:
        raise _StartFailed(f"no unoserver-*.dist-info beside {package}")
    return package, metadata[-1]


class WarmConverter:
    """DOCX → PDF through one supervised unoserver; safe to share between threads."""

    def __init__(self, soffice: str | None = None, *, python: str = SYSTEM_PYTHON,
                 timeout: float = DEFAULT_TIMEOUT,
                 start_timeout: float = DEFAULT_START_TIMEOUT,
                 retry_after: float = DEFAULT_RETRY_AFTER,
                 fallback: Converter | None = None) -> None:
        self.soffice = soffice or shutil.which("soffice") or shutil.which("libreoffice")
        self.python = python
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.retry_after = retry_after
        #: ``"warm"`` or ``"oneshot"``: which path the last successful conversion took.
        self.last_path: str | None = None
        #: How many times a server was started (the first start included).
        self.starts = 0
        self._fallback = fallback
        self._own_fallback = fallback is None
        self._lock = threading.Lock()
        self._owner_pid = os.getpid()
        self._runtime: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._warm_unavailable_until = 0.0
        self._conversions = 0
        self._atexit_registered = False

    # -- public -------------------------------------------------------------------------------

    @property
    def server_pid(self) -> int | None:
        """Process id of the running server (its process group holds LibreOffice), or None."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    @property
    def runtime_dir(self) -> Path | None:
        """This converter's folder (LibreOffice profile, server log), while it has one."""
        return self._runtime

    @property
    def server_port(self) -> int | None:
        """The XML-RPC port of the running server (127.0.0.1), or None."""
        return self._port if self.server_pid is not None else None

    def start(self) -> bool:
        """Start the server now rather than on the first conversion; False if it cannot."""
        with self._lock:
            return self._ensure_server()

    def docx_to_pdf(self, data: bytes) -> bytes:
        """Return the PDF rendering of DOCX ``data``; raise :class:`ConversionError`."""
        if not self.soffice:
            raise ConversionError("Máy chủ chưa cài LibreOffice nên không chuyển được sang PDF.")
        check_docx(data)
        with self._lock:
            pdf = self._convert_warm(data) if self._ensure_server() else None
        if pdf is None:
            pdf = self._oneshot().docx_to_pdf(data)
            self.last_path = "oneshot"
            return pdf
        if not is_complete_pdf(pdf):
            raise ConversionError(_UNREADABLE)
        self.last_path = "warm"
        return pdf

    def close(self) -> None:
        """Stop the server and remove the runtime folder (profile, log); idempotent."""
        acquired = self._lock.acquire(timeout=self.timeout + 5)
        try:
            if os.getpid() == self._owner_pid:
                self._stop()
                if self._runtime is not None:
                    shutil.rmtree(self._runtime, ignore_errors=True)
            self._process, self._runtime = None, None
            if self._fallback is not None and self._own_fallback:
                self._fallback.close()
                self._fallback = None
        finally:
            if acquired:
                self._lock.release()

    def __enter__(self) -> WarmConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- conversion (lock held) ---------------------------------------------------------------

    def _convert_warm(self, data: bytes) -> bytes | None:
        """The PDF, or None when the server is gone and cannot be had (use the fallback)."""
        try:
            return self._call(data)
        except _ServerFailed as failure:
            log.warning("unoserver failed during a conversion (%s); restarting it", failure)
            self._stop()
        if not self._ensure_server():
            return None
        try:
            return self._call(data)
        except _ServerFailed as failure:
            self._stop()
            raise ConversionError(
                "LibreOffice dừng bất thường khi chuyển tệp này sang PDF; đã khởi động lại, "
                "xin thử lại hoặc kiểm tra nội dung tệp."
            ) from failure

    def _call(self, data: bytes) -> bytes:
        proxy = _proxy(self._port, self.timeout)
        try:
            result = proxy.convert(None, xmlrpc.client.Binary(data), None, "pdf", None, [],
                                   False, None, None)
        except TimeoutError:
            log.warning("conversion exceeded %gs; killing unoserver", self.timeout)
            self._stop()
            raise ConversionError(
                f"Chuyển sang PDF quá thời gian cho phép ({self.timeout:g} giây)."
            ) from None
        except xmlrpc.client.Fault as fault:
            if "Could not load document" in fault.faultString:
                raise ConversionError(_UNREADABLE) from None
            raise _ServerFailed(fault.faultString) from None
        except (OSError, http.client.HTTPException, xmlrpc.client.Error) as error:
            raise _ServerFailed(repr(error)) from None
        finally:
            proxy("close")()
        self._conversions += 1
        if self._conversions % 100 == 0:
            self._trim_log()
        if not isinstance(result, xmlrpc.client.Binary):
            raise _ServerFailed(f"unexpected answer {type(result).__name__}")
        return result.data

    def _oneshot(self) -> Converter:
        if self._fallback is None:
            self._fallback = Converter(self.soffice, timeout=self.timeout)
        return self._fallback

    # -- supervision (lock held) --------------------------------------------------------------

    def _ensure_server(self) -> bool:
        if os.getpid() != self._owner_pid:  # forked: the server and profile are the parent's
            self._process, self._runtime, self._owner_pid = None, None, os.getpid()
            self._atexit_registered = False
            if self._own_fallback:
                self._fallback = None  # its profile is the parent's too
        process = self._process
        if process is not None and process.poll() is None:
            return True
        if process is not None:
            log.warning("unoserver exited (code %s): %s; restarting it", process.returncode,
                        self._log_tail())
            self._stop()
        if time.monotonic() < self._warm_unavailable_until:
            return False
        try:
            self._start()
        except _StartFailed as failure:
            self._warm_unavailable_until = time.monotonic() + self.retry_after
            log.warning("warm LibreOffice converter unavailable (%s); converting with one "
                        "soffice run per document, trying again in %gs", failure,
                        self.retry_after)
            return False
        return True

    def _start(self) -> None:
        if not self.soffice:
            raise _StartFailed("LibreOffice (soffice) is not installed")
        runtime = self._runtime_dir()
        try:
            self._spawn(runtime)
        except _StartFailed as failure:
            if not (runtime / "profile").exists():
                raise
            log.warning("unoserver did not start (%s); retrying on a fresh profile", failure)
            shutil.rmtree(runtime / "profile", ignore_errors=True)
            self._spawn(runtime)

    def _runtime_dir(self) -> Path:
        if self._runtime is None:
            package, metadata = _unoserver_site()
            runtime = Path(tempfile.mkdtemp(prefix="eoffice-unoserver-"))
            (runtime / "pythonpath").mkdir()
            (runtime / "pythonpath" / package.name).symlink_to(package)
            (runtime / "pythonpath" / metadata.name).symlink_to(metadata)
            self._runtime = runtime
        if not self._atexit_registered:
            atexit.register(self.close)
            self._atexit_registered = True
        return self._runtime

    def _spawn(self, runtime: Path) -> None:
        port, uno_port = _free_ports(2)
        command = [
            self.python, str(HOST_SCRIPT), "--quiet",
            "--interface", "127.0.0.1", "--port", str(port),
            "--uno-interface", "127.0.0.1", "--uno-port", str(uno_port),
            "--executable", self.soffice or "soffice",
            "--user-installation", str(runtime / "profile"),
        ]
        env = {name: value for name, value in os.environ.items()
               if name not in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "VIRTUAL_ENV")}
        env.update(PYTHONPATH=str(runtime / "pythonpath"), PYTHONDONTWRITEBYTECODE="1",
                   HOME=str(runtime), LC_ALL="C.UTF-8", UNOSERVER_HOST_REMOVE=str(runtime))
        (runtime / "unoserver.log").write_bytes(b"")
        # Opened for appending, so that _trim_log() can empty it under the running server.
        with open(runtime / "unoserver.log", "ab") as log_file:
            try:
                process = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=log_file, stderr=log_file,
                    env=env, cwd=runtime, start_new_session=True,
                )
            except OSError as error:
                raise _StartFailed(f"cannot run {self.python}: {error}") from None
        self._process, self._port = process, port
        self.starts += 1
        deadline = time.monotonic() + self.start_timeout
        while True:
            if process.poll() is not None:
                self._stop()
                raise _StartFailed(f"unoserver exited with code {process.returncode}: "
                                   f"{self._log_tail()}")
            if self._answers(port):
                log.info("unoserver up on port %d (pid %d)", port, process.pid)
                return
            if time.monotonic() > deadline:
                self._stop()
                raise _StartFailed(f"unoserver did not answer within {self.start_timeout:g}s: "
                                   f"{self._log_tail()}")
            time.sleep(0.2)

    @staticmethod
    def _answers(port: int) -> bool:
        proxy = _proxy(port, 2.0)
        try:
            proxy.system.listMethods()
        except (OSError, http.client.HTTPException, xmlrpc.client.Error):
            return False
        finally:
            proxy("close")()
        return True

    def _stop(self) -> None:
        """Kill the server's process group (LibreOffice included) and reap the server."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.error("unoserver (pid %d) did not die on SIGKILL", process.pid)
        if process.stdin is not None:
            process.stdin.close()

    def _log_tail(self) -> str:
        if self._runtime is None:
            return ""
        try:
            with open(self._runtime / "unoserver.log", "rb") as log_file:
                log_file.seek(0, os.SEEK_END)
                log_file.seek(max(0, log_file.tell() - 600))
                return log_file.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def _trim_log(self) -> None:
        path = self._runtime / "unoserver.log" if self._runtime else None
        if path is not None and path.exists() and path.stat().st_size > LOG_LIMIT:
            os.truncate(path, 0)
