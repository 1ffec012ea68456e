"""Concurrent writes on the servers people actually run (issue #16).

SQLite is served by ``python wsgi.py`` (gevent, one process, what ``make run`` starts);
PostgreSQL by gunicorn with two gevent workers (production). Fifty clerks number fifty signed
documents at the same moment, then register fifty incoming documents at the same moment, while
the health check is polled. Before the write gate, 49 of the 50 numberings failed one by one
about 30 s apart and the health check went unanswered for the whole time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import write_burst
from tests.services.postgres import create_database

BURST = 50


def _database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'eoffice.sqlite3'}"
    return create_database(request.getfixturevalue("postgres_server_url"), prefix="burst")


@pytest.mark.timeout(900)
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_fifty_clerks_number_and_register_at_once_and_the_server_keeps_answering(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _database_url(backend, tmp_path, request)
    installation = write_burst.prepare(backend, tmp_path, url, BURST)
    numbering, registering, _idle = write_burst.run_bursts(installation)

    for name, result in (("numbering", numbering), ("registration", registering)):
        failures = [(s, b) for s, b in zip(result.statuses, result.bodies, strict=True)
                    if not 200 <= s < 300]
        assert failures == [], f"{backend} {name}: {failures[:3]}"
        # The health check kept answering while the burst ran, and it was really polled.
        assert result.health_samples >= 3
        assert result.health_worst_ms < 1000, f"{backend} {name}: {result.health_worst_ms} ms"

    series = write_burst.read_register(installation.env)
    assert series["out"] == list(range(1, BURST + 1))  # no duplicate, no gap
    assert series["in"] == list(range(1, BURST + 1))
    numbers = sorted(body["number"] for body in numbering.bodies)
    assert numbers == sorted(f"{n:02d}/UBND-KT" for n in range(1, BURST + 1))


def test_a_writer_that_cannot_get_its_turn_gets_503_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """While another process holds SQLite's write lock past the wait, a request answers 503
    in Vietnamese, quickly, and writes nothing; the server goes on answering."""
    import sqlite3

    import requests

    url = f"sqlite:///{tmp_path / 'eoffice.sqlite3'}"
    installation = write_burst.prepare("sqlite", tmp_path, url, 1)
    env = {**installation.env, "EOFFICE_SQLITE_WRITE_WAIT_SECONDS": "1"}
    with write_burst.running_server("sqlite", env) as base:
        cookies, token = write_burst.logged_in(base)
        blocker = sqlite3.connect(tmp_path / "eoffice.sqlite3")
        blocker.execute("BEGIN IMMEDIATE")  # another process (a CLI, a worker) is writing
        try:
            answer = requests.post(f"{base}/api/v1/documents/{installation.signed_ids[0]}"
                                   "/number", json={}, cookies=cookies,
                                   headers={"X-CSRFToken": token}, timeout=30)
            assert answer.status_code == 503
            assert answer.json()["message"].startswith("Hệ thống đang bận")
            assert answer.headers["Retry-After"]
            assert write_burst.health_latency_ms(base) < 1000
        finally:
            blocker.rollback()
            blocker.close()
        assert write_burst.read_register(installation.env)["out"] == []
        # Once the other writer is done, the same request succeeds.
        again = requests.post(f"{base}/api/v1/documents/{installation.signed_ids[0]}/number",
                              json={}, cookies=cookies, headers={"X-CSRFToken": token},
                              timeout=30)
        assert again.status_code == 200, again.text
