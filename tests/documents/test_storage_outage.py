"""When the object store cannot be reached, every read path says so and changes nothing.

A real SeaweedFS S3 gateway holds the draft; a second app on the same database points at a
port where nothing listens (S3 down, as an operator would see it). The leader's signing reads
the draft first: the answer is the storage message with 503, never a generic error, and the
document is exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from eoffice import STORAGE_UNAVAILABLE, signing_keys
from eoffice.documents.models import DocumentVersion
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from tests.conftest import _wipe, login, make_app
from tests.documents.conftest import create_outgoing, user
from tests.services.redis import free_port
from tests.services.seaweed import S3Server

pytestmark = pytest.mark.s3


@pytest.fixture()
def s3_app(database_url: str, tmp_path: Path, s3_server: S3Server) -> Iterator[Flask]:
    application = make_app(tmp_path / "up", database_url, storage_url=s3_server.bucket_url())
    try:
        yield application
    finally:
        _wipe(application)


def test_signing_with_the_store_down_answers_the_storage_message_and_changes_nothing(
    s3_app: Flask, database_url: str, tmp_path: Path
) -> None:
    from eoffice.demo import seed_demo

    with s3_app.app_context():
        seed_demo()
        signing_keys.ensure_demo_credentials([user("chutich")])
        document = create_outgoing()
        transition(user("truongphong"), document, "approve_content")
        transition(user("vanthu"), document, "approve_format")
        transition(user("chutich"), document, "approve")
        db.session.commit()
        document_id, state = document.id, document.state
        bucket_url = s3_app.config["EOFFICE_SETTINGS"].storage_url

    dead = re.sub(r"@[^/]+/", f"@127.0.0.1:{free_port()}/", bucket_url)
    # The same installation (database, PKI, keys) with its store unreachable.
    down = make_app(tmp_path / "up", database_url, storage_url=dead)
    client = down.test_client()
    # The health check names the part that is down (a proxy stops sending traffic here).
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.get_json()["checks"]["database"] == "ok"
    assert health.get_json()["checks"]["storage"].startswith("lỗi")
    assert s3_app.test_client().get("/api/v1/health").get_json() == {
        "status": "ok", "checks": {"database": "ok", "storage": "ok", "jobs": "ok"}}
    token = login(client, "chutich")

    page = client.post(f"/documents/{document_id}/sign",
                       data={"pin": "123456", "csrf_token": token})
    assert page.status_code == 503
    assert "Kho lưu trữ tệp tạm thời không phản hồi" in page.get_data(as_text=True)
    api = client.post(f"/api/v1/documents/{document_id}/sign", json={"pin": "123456"},
                      headers={"X-CSRFToken": token})
    assert api.status_code == 503
    assert api.get_json()["message"] == STORAGE_UNAVAILABLE

    with down.app_context():
        from eoffice.documents.models import Document

        unchanged = db.session.get(Document, document_id)
        assert unchanged is not None and unchanged.state == state
        assert db.session.scalar(select(func.count()).select_from(DocumentVersion).where(
            DocumentVersion.document_id == document_id)) == 1
    with down.app_context():
        db.engine.dispose()
