"""SQLite writes that wait cooperatively, so one writer never freezes the whole server.

SQLite admits one writer at a time. Left to itself, a connection that finds the write lock
taken waits inside SQLite's C busy handler. Under gevent (``make run``, production workers)
that wait blocks the event loop, so the request holding the lock can never run to its
commit: fifty simultaneous numberings became forty-nine 30-second stalls, and even the health
check went unanswered.

Here each connection takes a *write gate* before the first statement that writes, and gives
it back when its transaction ends:

- Within the process the gate is a lock (a gevent lock once the process is monkey-patched,
  a thread lock otherwise). A waiting request yields to the event loop, so the writer ahead of
  it finishes, the health check and every reader go on (WAL lets readers run beside the
  writer), and writers are served in turn.
- Across processes (CLI commands, a worker) the gate opens the write transaction with
  ``BEGIN IMMEDIATE`` and SQLite's busy timeout at zero, retrying after a short cooperative
  sleep while another process writes, so that wait yields too.
- A request that cannot pass the gate within ``wait_seconds`` fails with :class:`DatabaseBusy`
  before it has written anything; the app answers 503 "hệ thống đang bận" and nothing changed.

Reads are untouched: the driver still runs them outside any transaction until the first
write, as before (see the note on ``is_write``).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from typing import Any

#: How long a request waits for its turn to write before it is told the system is busy.
DEFAULT_WAIT_SECONDS = 20.0
#: SQLite's own busy timeout for reads (a WAL reader waits only on rare recovery steps).
READ_BUSY_TIMEOUT_MS = 5000
#: The pause between two attempts to open a write transaction while another process writes.
RETRY_PAUSE_SECONDS = 0.005

# Statements that only read. Everything else (INSERT, UPDATE, DELETE, REPLACE, DDL, SAVEPOINT)
# needs the gate. PRAGMA counts as a read: the connection pragmas run before any transaction.
_READ_ONLY = re.compile(r"^\s*(SELECT|WITH|EXPLAIN|PRAGMA|RELEASE|ROLLBACK|COMMIT)\b", re.I)


class DatabaseBusy(sqlite3.OperationalError):
    """The write gate stayed closed longer than the request may wait; nothing was written."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"database busy: waited {waited:.1f} s for the write gate")
        self.waited = waited


def is_write(sql: str) -> bool:
    """True when ``sql`` may write.

    A ``WITH`` that ends in an INSERT/UPDATE/DELETE would be misread as a read; the project
    writes none (recursive CTEs here only read the unit tree).
    """
    return _READ_ONLY.match(sql) is None


class _Gate:
    """One writer at a time per database file in this process; re-entrant per thread/greenlet.

    Re-entrant because one request may write through two connections to the same file (rare;
    the second then waits on SQLite itself, as it would have without the gate).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
            return True
        if not self._lock.acquire(timeout=timeout):
            return False
        self._owner, self._depth = me, 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth <= 0:
            self._owner, self._depth = None, 0
            self._lock.release()


_gates: dict[str, _Gate] = {}
_gates_guard = threading.Lock()


def _gate_for(database: str) -> _Gate:
    with _gates_guard:
        gate = _gates.get(database)
        if gate is None:
            gate = _gates[database] = _Gate()
        return gate


class GatedCursor(sqlite3.Cursor):
    """A cursor whose writes pass the connection's write gate first."""

    connection: GatedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> GatedCursor:
        self.connection.before_statement(sql)
        try:
            super().execute(sql, parameters)
        finally:
            self.connection.after_statement()
        return self

    def executemany(self, sql: str, parameters: Any, /) -> GatedCursor:
        self.connection.before_statement(sql)
        try:
            super().executemany(sql, parameters)
        finally:
            self.connection.after_statement()
        return self

    def executescript(self, script: str, /) -> GatedCursor:
        self.connection.before_statement(script)
        try:
            super().executescript(script)
        finally:
            self.connection.after_statement()
        return self


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that holds the write gate from its first write to commit/rollback.

    Passed to ``sqlite3.connect`` as ``factory`` (SQLAlchemy: ``connect_args``); the database
    path names the gate, and ``wait_seconds`` is set by :func:`connect_args`.
    """

    wait_seconds: float = DEFAULT_WAIT_SECONDS

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._gate = _gate_for(str(database))
        self._holding = False

    def cursor(self, factory: Any = GatedCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:  # type: ignore[override]
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script: str, /) -> Any:  # type: ignore[override]
        return self.cursor().executescript(script)

    def before_statement(self, sql: str) -> None:
        if self._holding or not is_write(sql):
            return
        started = time.monotonic()
        if not self._gate.acquire(timeout=self.wait_seconds):
            raise DatabaseBusy(time.monotonic() - started)
        self._holding = True
        try:
            if not self.in_transaction:
                self._begin_immediate(deadline=started + self.wait_seconds)
        except BaseException:
            self._release()
            raise

    def after_statement(self) -> None:
        # A write outside a transaction (DDL in autocommit) is over once it has run.
        if self._holding and not self.in_transaction:
            self._release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()

    def _begin_immediate(self, deadline: float) -> None:
        """Open the write transaction now; while another *process* writes, wait by sleeping
        (cooperatively under gevent) instead of inside SQLite's busy handler."""
        # A plain cursor: these statements must not pass through the gate again.
        cursor = sqlite3.Cursor(self)
        cursor.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    cursor.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) and "busy" not in str(error):
                        raise
                    if time.monotonic() >= deadline:
                        raise DatabaseBusy(self.wait_seconds) from None
                    time.sleep(RETRY_PAUSE_SECONDS)
        finally:
            cursor.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}")
            cursor.close()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._gate.release()


def connect_args(wait_seconds: float = DEFAULT_WAIT_SECONDS) -> dict[str, Any]:
    """``connect_args`` for SQLAlchemy's pysqlite dialect: gated connections, shared by threads
    (the pool hands a connection to one request at a time)."""
    factory = type("GatedConnection", (GatedConnection,), {"wait_seconds": wait_seconds})
    return {"factory": factory, "check_same_thread": False,
            "timeout": READ_BUSY_TIMEOUT_MS / 1000}


def on_connect(dbapi_connection: sqlite3.Connection) -> None:
    """Per-connection settings, chosen on purpose:

    - WAL: readers never wait for the writer, and the writer never waits for readers.
    - synchronous=NORMAL: in WAL mode a commit survives an application crash; only a power
      loss can drop the last transactions, never corrupt the file.
    - foreign keys on (SQLite leaves them off by default).
    - busy_timeout for reads only; writes wait at the gate (see the module's doc).
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}")
    cursor.close()
