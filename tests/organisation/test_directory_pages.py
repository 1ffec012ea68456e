"""The directory page (any signed-in user reads it; the super-administrator adds an agency or
imports the national list there) and the same writes through the API."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.audit.models import Event
from eoffice.extensions import db
from eoffice.organisation.directory import find_organ
from eoffice.organisation.models import DirectoryOrgan

CSV = ("OrganId,name,parent\n000.00.00.G12,Bộ Tài chính,\n"
       "000.00.01.G12,Tổng cục Thuế,000.00.00.G12\n")


def _upload(data: bytes, name: str = "danhba.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def test_super_admin_adds_and_imports_on_the_page(
        app: Flask, client: FlaskClient, login_as: Callable[[str], str]) -> None:
    token = login_as("quantri")
    added = client.post("/directory/new", data={
        "organ_id": "000.00.00.h43", "name": "Ủy ban nhân dân tỉnh Phú Thọ",
        "email": "ubnd@phutho.gov.vn", "csrf_token": token}, follow_redirects=True)
    page = added.get_data(as_text=True)
    assert "Đã lưu Ủy ban nhân dân tỉnh Phú Thọ (000.00.00.H43) vào danh bạ." in page
    imported = client.post("/directory/import", data={
        "file": _upload(CSV.encode("utf-8-sig")), "csrf_token": token},
        content_type="multipart/form-data", follow_redirects=True)
    assert "thêm 2, cập nhật 0, không đổi 0" in imported.get_data(as_text=True)
    bad = client.post("/directory/import", data={
        "file": _upload((CSV + "000.00.02.G12,,\n").encode()), "csrf_token": token},
        content_type="multipart/form-data", follow_redirects=True)
    assert "dòng 4: thiếu tên cơ quan" in bad.get_data(as_text=True)
    found = client.get("/directory?q=tong cuc thue").get_data(as_text=True)
    assert "Tổng cục Thuế" in found and "Bộ Tài chính</td>" not in found
    with app.app_context():
        phu_tho = find_organ("000.00.00.H43")
        assert phu_tho is not None and phu_tho.email == "ubnd@phutho.gov.vn"
        actions = set(db.session.execute(select(Event.action)).scalars())
        assert {"directory_organ_added", "directory_imported"} <= actions


def test_others_read_the_directory_but_cannot_write_it(
        app: Flask, client: FlaskClient, login_as: Callable[[str], str]) -> None:
    for username in ("vanthu", "admin"):
        token = login_as(username)
        page = client.get("/directory")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Ủy ban nhân dân tỉnh Hòa Bình" in text and "directory-import" not in text
        assert client.post("/directory/new", data={
            "organ_id": "000.00.00.H43", "name": "X", "csrf_token": token}).status_code == 403
        assert client.post("/directory/import", data={
            "file": _upload(CSV.encode()), "csrf_token": token},
            content_type="multipart/form-data").status_code == 403
        assert client.post("/api/v1/organisations/directory", json={
            "organ_id": "000.00.00.H43", "name": "X"},
            headers={"X-CSRFToken": token}).status_code == 403
        client.post("/logout", data={"csrf_token": token})
    vanthu_nav = client.get("/login")  # logged out: no directory for strangers
    assert vanthu_nav.status_code == 200
    assert client.get("/directory").status_code == 302
    with app.app_context():
        assert db.session.execute(select(DirectoryOrgan.id)).first() is None


def test_api_writes(app: Flask, client: FlaskClient, login_as: Callable[[str], str]) -> None:
    headers = {"X-CSRFToken": login_as("quantri")}
    added = client.post("/api/v1/organisations/directory", json={
        "organ_id": "000.00.00.G09", "name": "Bộ Nội vụ"}, headers=headers)
    assert added.status_code == 201
    assert added.get_json()["organ_id"] == "000.00.00.G09"
    assert added.get_json()["internal"] is False
    wrong = client.post("/api/v1/organisations/directory", json={
        "organ_id": "G09", "name": "Bộ Nội vụ"}, headers=headers)
    assert wrong.status_code == 400 and "000.00.00.H41" in wrong.get_json()["message"]
    imported = client.post("/api/v1/organisations/directory/import", data={
        "file": _upload(CSV.encode())}, headers=headers, content_type="multipart/form-data")
    assert imported.get_json() == {"added": 2, "updated": 0, "unchanged": 0}
    refused = client.post("/api/v1/organisations/directory/import", data={
        "file": _upload("OrganId,name\n1,2\n".encode("utf-16"))}, headers=headers,
        content_type="multipart/form-data")
    assert refused.status_code == 400 and "UTF-8" in refused.get_json()["message"]
    listed = client.get("/api/v1/organisations/directory?q=bo").get_json()["items"]
    assert {"000.00.00.G09", "000.00.00.G12"} <= {e["organ_id"] for e in listed}
