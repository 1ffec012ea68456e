"""Uploads are judged by content, size-limited, verified on download, private to their owner."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from eoffice.extensions import db
from eoffice.files.models import StoredFile
from tests.conftest import login, make_app


def tiny_pdf(text: str = "Xin chao") -> bytes:
    """A valid one-page PDF, written by hand so the test depends on no generator."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def upload(client: FlaskClient, token: str, data: bytes, name: str):
    return client.post(
        "/files/",
        data={"file": (io.BytesIO(data), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def count_files(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(StoredFile.id))).scalar_one()


def objects_on_disk(app: Flask) -> list[Path]:
    root = app.config["EOFFICE_SETTINGS"].instance_path / "objects"
    # Content files are named by their 64-hex SHA-256; sidecars and temp files are not objects.
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and len(p.name) == 64 and "." not in p.name]


def test_upload_and_download_round_trip(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    pdf = tiny_pdf()
    assert upload(client, token, pdf, "Tờ trình.pdf").status_code == 302
    page = client.get("/files/").get_data(as_text=True)
    assert "Tờ trình.pdf" in page
    with app.app_context():
        row = db.session.execute(select(StoredFile)).scalar_one()
        file_id = row.id
        assert row.content_type == "application/pdf"
    download = client.get(f"/files/{file_id}/download")
    assert download.status_code == 200
    assert download.data == pdf


def test_a_text_file_named_pdf_is_rejected_leaving_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    response = upload(client, token, b"just some text, not a PDF", "hop-dong.pdf")
    assert response.status_code == 400
    assert "không đúng định dạng" in response.get_data(as_text=True)
    assert count_files(app) == 0
    assert objects_on_disk(app) == []


def test_a_pdf_with_broken_structure_is_rejected(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    broken = tiny_pdf()[:200]
    response = upload(client, token, broken, "hong.pdf")
    assert response.status_code == 400
    assert "bị hỏng" in response.get_data(as_text=True)
    assert count_files(app) == 0 and objects_on_disk(app) == []


def test_oversized_upload_is_refused(database_url: str, tmp_path: Path) -> None:
    app = make_app(tmp_path, database_url, max_upload_mb=1)
    from eoffice.demo import seed_demo
    from tests.conftest import _wipe

    try:
        with app.app_context():
            seed_demo()
        client = app.test_client()
        token = login(client, "chuyenvien")
        big = tiny_pdf() + b"%" + b"0" * (2 * 1024 * 1024)
        response = upload(client, token, big, "lon.pdf")
        assert response.status_code == 413
        assert "vượt quá dung lượng" in response.get_data(as_text=True)
        assert count_files(app) == 0 and objects_on_disk(app) == []
    finally:
        _wipe(app)


def test_another_users_file_is_a_404(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    upload(client, token, tiny_pdf(), "rieng.pdf")
    with app.app_context():
        file_id = db.session.execute(select(StoredFile.id)).scalar_one()
    other = app.test_client()
    login(other, "vanthu")
    assert other.get(f"/files/{file_id}/download").status_code == 404
    assert other.get(f"/api/v1/files/{file_id}").status_code == 404


def test_corrupted_object_is_never_served(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    upload(client, token, tiny_pdf(), "a.pdf")
    [path] = objects_on_disk(app)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[50] ^= 0xFF
    path.write_bytes(bytes(data))
    with app.app_context():
        file_id = db.session.execute(select(StoredFile.id)).scalar_one()
    response = client.get(f"/files/{file_id}/download")
    assert response.status_code == 500
    assert bytes(data) not in response.data


def test_api_upload_requires_csrf_and_checks_content(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    no_token = client.post("/api/v1/files", data={"file": (io.BytesIO(tiny_pdf()), "x.pdf")})
    assert no_token.status_code == 400
    bad = client.post(
        "/api/v1/files",
        data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "x.pdf")},
        headers={"X-CSRFToken": token},
    )
    assert bad.status_code == 400 and bad.get_json()["error"] == "upload_rejected"
    good = client.post(
        "/api/v1/files",
        data={"file": (io.BytesIO(tiny_pdf()), "x.pdf")},
        headers={"X-CSRFToken": token},
    )
    assert good.status_code == 201
    body = good.get_json()
    assert client.get(f"/api/v1/files/{body['id']}/content").data == tiny_pdf()


@pytest.mark.s3
def test_unreachable_s3_store_gives_clear_error_and_no_row(
    database_url: str, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app = make_app(
        tmp_path, database_url,
        storage_url=f"s3://key:secret-value@127.0.0.1:{closed_port}/eoffice?secure=false",
    )
    from eoffice.demo import seed_demo
    from tests.conftest import _wipe

    try:
        with app.app_context():
            seed_demo()
        client = app.test_client()
        token = login(client, "chuyenvien")
        response = upload(client, token, tiny_pdf(), "a.pdf")
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "Kho lưu trữ tệp không phản hồi" in text
        assert "secret-value" not in text
        assert count_files(app) == 0
    finally:
        _wipe(app)


@pytest.mark.s3
def test_s3_store_upload_and_download(database_url: str, tmp_path: Path, s3_server) -> None:
    app = make_app(tmp_path, database_url, storage_url=s3_server.bucket_url("eoffice-app"))
    from eoffice.demo import seed_demo
    from tests.conftest import _wipe

    try:
        with app.app_context():
            seed_demo()
        client = app.test_client()
        token = login(client, "chuyenvien")
        pdf = tiny_pdf("S3 round trip")
        assert upload(client, token, pdf, "s3.pdf").status_code == 302
        with app.app_context():
            file_id = db.session.execute(select(StoredFile.id)).scalar_one()
        assert client.get(f"/files/{file_id}/download").data == pdf
    finally:
        _wipe(app)
