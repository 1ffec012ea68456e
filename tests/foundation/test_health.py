"""Liveness and readiness: the live probe answers whatever else is down; the ready probe lists
every part (database, Redis when set, object store, converter, job worker heartbeat) and
answers 503 naming the parts that fail."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from eoffice import health
from eoffice.jobs import queue
from tests.conftest import make_app
from tests.services.redis import free_port

HAS_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))


def test_live_answers_and_ready_waits_for_a_worker(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/health/live").get_json() == {"status": "ok"}
    answer = client.get("/api/v1/health/ready")
    body = answer.get_json()
    assert answer.status_code == 503
    assert set(body["checks"]) == {"database", "storage", "converter", "worker"}  # no Redis set
    assert body["checks"]["database"] == body["checks"]["storage"] == "ok"
    assert "worker" in body["failing"] and body["checks"]["worker"].startswith("lỗi")
    # The path load balancers already poll keeps working.
    assert client.get("/api/v1/health").status_code == 200


def test_a_real_worker_makes_it_ready_and_a_silent_one_does_not(app: Flask) -> None:
    client = app.test_client()
    consumer = queue.start_in_process(app, workers=1)  # its start-up writes the heartbeat
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            body = client.get("/api/v1/health/ready").get_json()
            if body["checks"]["worker"] == "ok":
                break
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
    assert body["checks"]["worker"] == "ok", body
    if HAS_SOFFICE:
        assert body == {"status": "ok", "failing": [], "checks": {
            "database": "ok", "storage": "ok", "converter": "ok", "worker": "ok"}}
    else:
        assert body["failing"] == ["converter"]
    # Three minutes without a beat: the worker is taken for gone.
    huey = app.extensions["eoffice.huey"]
    old = datetime.now(UTC) - health.HEARTBEAT_STALE - timedelta(seconds=5)
    huey.put(health.HEARTBEAT_KEY, {"at": old.isoformat(), "worker": "host:1"})
    body = client.get("/api/v1/health/ready").get_json()
    assert "worker" in body["failing"] and "im lặng" in body["checks"]["worker"]


def test_ready_names_an_unreachable_store_and_redis(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    down = make_app(tmp_path, database_url,
                    storage_url=f"s3://key:secretsecret@127.0.0.1:{port}/eoffice?secure=false",
                    redis_url=f"redis://127.0.0.1:{free_port()}/0",
                    jobs_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    health.beat(down.extensions["eoffice.huey"])
    client = down.test_client()
    answer = client.get("/api/v1/health/ready")
    body = answer.get_json()
    assert answer.status_code == 503
    assert {"storage", "redis"} <= set(body["failing"])
    assert body["checks"]["database"] == "ok" and body["checks"]["worker"] == "ok"
    assert body["checks"]["redis"].startswith("lỗi")
    # Liveness does not depend on any of them.
    assert client.get("/api/v1/health/live").status_code == 200


def test_both_probes_are_in_the_api_description(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/health/live" in paths and "/api/v1/health/ready" in paths
