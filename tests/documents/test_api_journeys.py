"""The whole outgoing and incoming paths through /api/v1 alone, with tokens from
``flask tokens create`` (what an integrator has): no page, no cookie, no CSRF token.

Outgoing: a draft generated from the Decree-30 template, content and format approvals, the
leader's approval and signature with PIN, the number, the organisation's signature, issue —
and pdfsig (poppler, not our code) then finds the two signatures valid. Incoming: registered
with every Appendix VI field, presented, directed to a unit, reassigned by its head to a
specialist, progress, completion, filed into a case file.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice import signing_keys
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from tests.conftest import _wipe, make_app
from tests.documents.conftest import make_pdf
from tests.services.require import require_executable

PIN = signing_keys.DEMO_PIN


@pytest.fixture()
def japp(database_url: str, tmp_path: Path,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, pki_dir=str(tmp_path / "pki"))
    try:
        yield application
    finally:
        _wipe(application)


Call = Callable[..., Any]


def _tokens(app: Flask, *usernames: str) -> dict[str, str]:
    """A token per user, made the way an operator makes one."""
    from eoffice.demo import seed_demo

    with app.app_context():
        seed_demo()
        signing_keys.ensure_demo_credentials(
            list(db.session.execute(select(User)).scalars()))
    runner = app.test_cli_runner()
    tokens = {}
    for name in usernames:
        result = runner.invoke(args=["tokens", "create", name, "--name", "tích hợp thử"])
        assert result.exit_code == 0, result.output
        tokens[name] = re.search(r"eo_[A-Za-z0-9_-]+", result.output).group(0)  # type: ignore[union-attr]
    return tokens


def _caller(client: FlaskClient, tokens: dict[str, str]) -> Call:
    def call(username: str, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        response = client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        assert response.status_code == expect, (username, path, response.get_data(as_text=True))
        assert "Set-Cookie" not in response.headers  # a token call never opens a session
        return response.get_json() if response.is_json else response.data

    return call


def _id(app: Flask, model: Any, **where: Any) -> int:
    with app.app_context():
        return int(db.session.execute(select(model.id).filter_by(**where)).scalar_one())


def test_outgoing_path_through_the_api_alone(japp: Flask, tmp_path: Path) -> None:
    require_executable("pdfsig", "Debian package poppler-utils")
    tokens = _tokens(japp, "chuyenvien", "truongphong", "vanthu", "chutich")
    call = _caller(japp.test_client(), tokens)
    ids = {name: _id(japp, User, username=name) for name in tokens}

    draft = call("chuyenvien", "POST", "/documents/outgoing", 201, data={
        "subject": "Về việc triển khai tiếp nhận hồ sơ trực tuyến", "type_code": "",
        "reviewer_id": ids["truongphong"], "checker_id": ids["vanthu"],
        "signer_id": ids["chutich"], "due_date": "31/12/2026",
        "addressees": "Các sở, ban, ngành tỉnh",
        "body": "Ủy ban nhân dân tỉnh đề nghị các đơn vị triển khai tiếp nhận hồ sơ trực tuyến.\n"
                "Thời gian thực hiện: từ ngày 01/01/2027."},
        content_type="multipart/form-data")
    document = draft["id"]
    assert draft["state"] == "DRAFT" and draft["due_date"].startswith("2026-12-31")

    steps = [("truongphong", "approve_content", "CONTENT_OK"),
             ("vanthu", "approve_format", "FORMAT_OK"), ("chutich", "approve", "APPROVED")]
    for username, action, state in steps:
        answer = call(username, "POST", f"/documents/{document}/actions/{action}",
                      json={"note": "Đồng ý"})
        assert answer["state"] == state and answer["message"]
    wrong = call("chutich", "POST", f"/documents/{document}/actions/sign", 400,
                 json={"pin": "000000"})
    assert "PIN" in wrong["message"]
    assert call("chutich", "POST", f"/documents/{document}/actions/sign",
                json={"pin": PIN})["state"] == "SIGNED"
    numbered = call("vanthu", "POST", f"/documents/{document}/actions/number", json={})
    assert numbered["state"] == "NUMBERED" and numbered["number"].startswith("01/")
    assert call("vanthu", "POST", f"/documents/{document}/actions/org_sign",
                json={"pin": PIN})["state"] == "ORG_SIGNED"
    issued = call("vanthu", "POST", f"/documents/{document}/actions/issue", json={})
    assert issued["state"] == "ISSUED"

    last = max(issued["versions"], key=lambda v: v["number"])["number"]
    pdf = call("vanthu", "GET", f"/documents/{document}/versions/{last}/content")
    checked = subprocess.run(["pdfsig", "-nocert", "-"], input=pdf, capture_output=True,
                             timeout=60)
    if checked.returncode != 0 and b"-" in checked.stderr:  # older pdfsig: needs a file
        path = tmp_path / "issued.pdf"
        path.write_bytes(pdf)
        checked = subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True,
                                 timeout=60)
    report = checked.stdout.decode()
    assert report.count("Signature is Valid") == 2, report


def test_incoming_path_through_the_api_alone(japp: Flask) -> None:
    tokens = _tokens(japp, "vanthu", "chutich", "truongphong", "chuyenvien")
    call = _caller(japp.test_client(), tokens)
    ids = {name: _id(japp, User, username=name) for name in tokens}
    unit_kt = _id(japp, Unit, abbreviation="KT")

    registered = call("vanthu", "POST", "/documents/incoming", 201, data={
        "subject": "Về việc báo cáo kết quả chuyển đổi số năm 2026",
        "organ_name": "Bộ Thông tin và Truyền thông", "organ_id": "000.00.00.G26",
        "code_number": "412", "code_notation": "BTTTT-CĐSQG", "type_code": "",
        "issued_date": "20/11/2026", "signer_full_name": "Nguyễn Văn A",
        "signer_position": "Thứ trưởng", "urgency": "1", "secrecy": "0",
        "due_date": "15/12/2026", "page_amount": "3",
        "description": "Nhận qua bưu điện, bản gốc lưu văn thư",
        "file": (io.BytesIO(make_pdf(3)), "cong-van-412.pdf")},
        content_type="multipart/form-data")
    document = registered["id"]
    assert registered["state"] == "REGISTERED" and registered["arrival_number"] == 1
    assert (registered["issued_date"], registered["code_number"], registered["urgency"]) == (
        "2026-11-20", 412, 1)
    full = call("vanthu", "GET", f"/documents/{document}")
    assert full["organ_id"] == "000.00.00.G26" and full["due_date"].startswith("2026-12-15")

    call("vanthu", "POST", f"/documents/{document}/actions/present",
         json={"leader_id": ids["chutich"], "note": "Kính trình Chủ tịch"})
    directed = call("chutich", "POST", f"/documents/{document}/actions/direct", json={
        "lead_unit_id": unit_kt, "lead_deadline": "2026-12-10",
        "opinion": "Phòng Kinh tế chủ trì tổng hợp"})
    assert directed["state"] == "DIRECTED"
    assignment = directed["assignments"][0]["id"]
    reassigned = call("truongphong", "POST", f"/documents/{document}/actions/reassign",
                      json={"assignment_id": assignment, "user_id": ids["chuyenvien"]})
    assert reassigned["assignments"][0]["user_id"] == ids["chuyenvien"]
    progress = call("chuyenvien", "POST", f"/documents/{document}/actions/progress",
                    json={"body": "Đã tổng hợp số liệu của 3 huyện"})
    assert progress["state"] == "IN_PROGRESS"
    done = call("chuyenvien", "POST", f"/documents/{document}/actions/complete",
                json={"note": "Đã báo cáo"})
    assert done["state"] == "COMPLETED"
    case_file = call("vanthu", "POST", "/case-files", 201,
                     json={"code": "CĐS-01", "title": "Hồ sơ chuyển đổi số năm 2026"})
    assert case_file in call("vanthu", "GET", "/case-files")["items"]
    filed = call("vanthu", "POST", f"/documents/{document}/actions/file",
                 json={"case_file_id": [case_file["id"]]})
    assert filed["state"] == "FILED"
    # A wrong field is named in Vietnamese; another organisation's token would get 404.
    bad = call("vanthu", "POST", f"/documents/{document}/actions/present", 400,
               json={"leader_id": "không phải số"})
    assert "Lãnh đạo được trình" in bad["message"]
