"""Meetings in the JSON API: every act of the meeting page is a declared action with the same
input in the API, and a meeting is prepared through /api/v1 alone, with tokens from
``flask tokens create`` (no page, no cookie, no CSRF token)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from wtforms.fields.core import UnboundField

from eoffice.actions.declaration import registry
from eoffice.errors import Conflict, DomainError, Forbidden, InvalidInput, Locked, NotFound
from meetings.api import NewMeeting
from meetings.errors import (
    MeetingConflict,
    MeetingError,
    MeetingForbidden,
    MeetingInvalid,
    MeetingLocked,
    MeetingNotFound,
)
from meetings.forms import MeetingForm
from meetings.live import LiveError
from tests.conftest import login
from tests.meetings.conftest import user_id
from tests.meetings.pdfs import numbered_pdf
from tests.services.require import require_executable

Call = Callable[..., Any]


def test_every_page_action_on_meetings_is_in_the_api(mapp: Flask) -> None:
    """A page never offers an act the API lacks: each POST page route on a meeting is a
    declared action whose JSON route is documented with the same input fields."""
    client = mapp.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    declared = {a.page_endpoint for a in registry("meetings") if a.page_rule}
    page_posts = {rule.endpoint.split(".", 1)[1] for rule in mapp.url_map.iter_rules()
                  if rule.endpoint.startswith("meetings.") and "POST" in (rule.methods or ())
                  and rule.rule.startswith("/meetings/<int:meeting_id>/")}
    assert page_posts == declared == {"invite", "add_item", "add_document", "attach_file",
                                      "respond", "generate_minutes", "sign_minutes",
                                      "sign_invitation", "seal_invitation"}
    schemas = spec["components"]["schemas"]
    for action in registry("meetings"):
        operation = spec["paths"][f"/api/v1/meetings/{{meeting_id}}/actions/{action.name}"]
        content = operation["post"]["requestBody"]["content"]
        schema_name = next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(schemas[schema_name].get("properties", {})) == set(action.input.model_fields)
        assert operation["post"]["responses"]["200"]["content"]["application/json"][
            "schema"] == {"$ref": "#/components/schemas/Meeting"}
        # A path field of the page (the agenda item) is a field of the API's input.
        page_rule = next(r.rule for r in mapp.url_map.iter_rules()
                         if r.endpoint == f"meetings.{action.page_endpoint}")
        for name in re.findall(r"<int:(\w+)>", page_rule):
            assert name == "meeting_id" or name in action.input.model_fields
    assert "multipart/form-data" in spec["paths"][
        "/api/v1/meetings/{meeting_id}/actions/add_document"]["post"]["requestBody"]["content"]
    assert set(schemas["Meeting"]["properties"]) >= {"id", "title", "items", "participants"}
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/meetings"])
    assert "get" in spec["paths"]["/api/v1/meetings/{meeting_id}"]
    created = spec["paths"]["/api/v1/meetings"]["post"]
    assert "201" in created["responses"] and "403" in created["responses"]


def test_the_api_creates_a_meeting_with_every_field_of_the_page_form() -> None:
    page_fields = {name for name, value in vars(MeetingForm).items()
                   if isinstance(value, UnboundField)}
    assert set(NewMeeting.model_fields) == page_fields


def test_meeting_refusals_are_one_tree_with_the_app() -> None:
    for refusal, base, status in ((MeetingInvalid, InvalidInput, 400),
                                  (MeetingForbidden, Forbidden, 403),
                                  (MeetingNotFound, NotFound, 404),
                                  (MeetingConflict, Conflict, 409),
                                  (MeetingLocked, Locked, 423)):
        error = refusal("Thông báo")
        assert isinstance(error, MeetingError) and isinstance(error, base)
        assert error.status == status and str(error) == error.message == "Thông báo"
    for code, status in (("forbidden", 403), ("not_found", 404), ("unknown_poll", 404),
                         ("bad_choice", 400), ("poll_closed", 409), ("bad_state", 409),
                         ("busy", 423)):
        live = LiveError(code, "Từ chối")
        assert isinstance(live, DomainError) and live.status == status
        assert live.code == code and str(live) == "Từ chối"


@pytest.fixture()
def call(mapp: Flask) -> Call:
    """``call(username, method, path, expect, **kwargs)`` with that user's API token."""
    runner = mapp.test_cli_runner()
    tokens: dict[str, str] = {}
    client = mapp.test_client()

    def do(username: str, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        if username not in tokens:
            result = runner.invoke(args=["tokens", "create", username, "--name", "họp thử"])
            assert result.exit_code == 0, result.output
            tokens[username] = re.search(r"eo_[A-Za-z0-9_-]+", result.output).group(0)  # type: ignore[union-attr]
        response = client.open(f"/api/v1{path}", method=method,
                               headers={"Authorization": f"Bearer {tokens[username]}"},
                               **kwargs)
        assert response.status_code == expect, (username, path, response.get_data(as_text=True))
        assert "Set-Cookie" not in response.headers
        return response.get_json() if response.is_json else response.data

    return do


def test_a_meeting_is_prepared_through_the_api_alone(mapp: Flask, call: Call) -> None:
    require_executable("soffice", "apt-get install libreoffice-writer-nogui")
    with mapp.app_context():
        ids = {n: user_id(n) for n in ("chutich", "thuky", "phochutich", "truongphong",
                                       "chuyenvien", "vanthu")}
    form = {"title": "Họp rà soát đầu tư công quý I", "starts_at": "2030-03-02T08:30",
            "location": "Phòng họp B", "chair_id": ids["chutich"],
            "secretary_id": ids["thuky"], "member_ids": [ids["phochutich"], ids["truongphong"]],
            "guest_ids": [ids["vanthu"]], "description": "Chuẩn bị báo cáo"}

    # Create: the page form's fields, as JSON; refusals say what is wrong.
    missing = call("thuky", "POST", "/meetings", 400,
                   json={k: v for k, v in form.items() if k != "title"})
    assert missing["message"] == "Thiếu “Tên cuộc họp”."
    late = call("thuky", "POST", "/meetings", 400, json={**form, "ends_at": "2030-03-02T08:00"})
    assert late["message"] == "Thời gian kết thúc phải sau thời gian bắt đầu."
    same = call("thuky", "POST", "/meetings", 400,
                json={**form, "secretary_id": ids["chutich"]})
    assert same["message"] == "Người chủ trì và thư ký phải là hai người khác nhau."
    call("chuyenvien", "POST", "/meetings", 403, json=form)
    meeting = call("thuky", "POST", "/meetings", 201, json=form)
    meeting_id = meeting["id"]
    assert meeting["status"] == "draft" and meeting["can_manage"]
    assert meeting["starts_at"] == "2030-03-02T01:30:00+00:00"  # 8:30 in Vietnam
    assert {p["user_id"]: p["role"] for p in meeting["participants"]} == {
        ids["chutich"]: "chair", ids["thuky"]: "secretary", ids["phochutich"]: "member",
        ids["truongphong"]: "member", ids["vanthu"]: "guest"}
    base = f"/meetings/{meeting_id}/actions"

    # The agenda, and its papers: one uploaded, one attached from a file already stored.
    done = call("thuky", "POST", f"{base}/add_item", json={
        "title": "Tiến độ giải ngân", "duration_minutes": 20,
        "presenter_id": ids["truongphong"]})
    assert done["message"] == "Đã thêm nội dung vào chương trình họp."
    item = done["items"][0]
    assert (item["title"], item["duration_minutes"], item["presenter_id"]) == (
        "Tiến độ giải ngân", 20, ids["truongphong"])
    call("truongphong", "POST", f"{base}/add_item", 403, json={"title": "Việc khác"})
    call("thuky", "POST", f"{base}/add_document", 400, data={
        "item_id": str(item["id"]), "file": (io.BytesIO(b"not a pdf"), "x.pdf")},
        content_type="multipart/form-data")
    call("thuky", "POST", f"{base}/add_document", 404, data={
        "item_id": "999999", "file": (io.BytesIO(numbered_pdf(2)), "a.pdf")},
        content_type="multipart/form-data")
    done = call("thuky", "POST", f"{base}/add_document", data={
        "item_id": str(item["id"]), "title": "Báo cáo giải ngân",
        "file": (io.BytesIO(numbered_pdf(3)), "bao-cao.pdf")},
        content_type="multipart/form-data")
    assert done["message"] == "Đã thêm tài liệu."
    uploaded = call("thuky", "POST", "/files", 201, data={
        "file": (io.BytesIO(numbered_pdf(1)), "ke-hoach.pdf")},
        content_type="multipart/form-data")
    done = call("thuky", "POST", f"{base}/attach_file", json={
        "item_id": item["id"], "file_id": uploaded["id"], "title": "Kế hoạch vốn"})
    papers = done["items"][0]["documents"]
    assert [d["title"] for d in papers] == ["Báo cáo giải ngân", "Kế hoạch vốn"]
    assert all(d["viewable"] and d["file_id"] for d in papers)

    # Nothing to minute before the session; then the invitations go out (giấy mời PDF).
    call("thuky", "POST", f"{base}/generate_minutes", 409, json={})
    invited = call("thuky", "POST", f"{base}/invite", json={})
    assert invited["status"] == "invited" and invited["invitation_file_id"]
    assert invited["message"] == "Đã phát hành giấy mời tới các thành phần tham dự."

    # A member finds it, reads the papers and the giấy mời, and accepts.
    mine = call("truongphong", "GET", "/meetings")["items"]
    assert [(m["id"], m["my_response"]) for m in mine] == [(meeting_id, "pending")]
    seen = call("truongphong", "GET", f"/meetings/{meeting_id}")
    assert not seen["can_manage"] and seen["my_role"] == "member"
    for paper in seen["items"][0]["documents"]:
        assert call("truongphong", "GET", f"/files/{paper['file_id']}/content").startswith(
            b"%PDF")
    assert call("truongphong", "GET",
                f"/files/{invited['invitation_file_id']}/content").startswith(b"%PDF")
    bad = call("truongphong", "POST", f"{base}/respond", 400, json={"answer": "maybe"})
    assert "Phản hồi" in bad["message"]
    accepted = call("truongphong", "POST", f"{base}/respond", json={"answer": "accepted"})
    assert accepted["my_response"] == "accepted"
    assert accepted["message"] == "Đã ghi nhận: bạn tham dự cuộc họp."
    declined = call("phochutich", "POST", f"{base}/respond", 400, json={"answer": "declined"})
    assert declined["message"] == "Hãy nêu lý do vắng mặt."
    # The chair cannot decline (403); someone not invited sees nothing of it (404).
    call("chutich", "POST", f"{base}/respond", 403,
         json={"answer": "declined", "reason": "Bận"})
    call("chuyenvien", "GET", f"/meetings/{meeting_id}", 404)
    call("chuyenvien", "POST", f"{base}/respond", 404, json={"answer": "accepted"})
    assert call("chuyenvien", "GET", "/meetings")["items"] == []

    # The page shows what the API did.
    secretary = mapp.test_client()
    login(secretary, "thuky")
    page = secretary.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Kế hoạch vốn" in page and "Phát hành lại giấy mời" in page
