"""The JSON API: same rules as the pages (404/403/409), CSRF on posts, and an OpenAPI
document that describes every documents endpoint."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from eoffice.extensions import db
from tests.conftest import login
from tests.documents.conftest import make_pdf, user


def _ids(app: Flask, *names: str) -> list[int]:
    with app.app_context():
        ids = [user(name).id for name in names]
        db.session.remove()
        return ids


def test_api_outgoing_steps_with_statuses(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("chuyenvien")
    reviewer, checker, signer = _ids(app, "truongphong", "vanthu", "chutich")
    form = {"subject": "Về việc lấy ý kiến dự thảo quy chế", "type_code": "QC",
            "reviewer_id": str(reviewer), "checker_id": str(checker), "signer_id": str(signer),
            "urgency": "1"}
    # Without the CSRF header the post is refused.
    refused = client.post("/api/v1/documents/outgoing",
                          data={**form, "file": (io.BytesIO(make_pdf()), "a.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    created = client.post("/api/v1/documents/outgoing",
                          data={**form, "file": (io.BytesIO(make_pdf()), "a.pdf")},
                          content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    document_id = body["id"]
    assert body["state"] == "DRAFT" and body["urgency_label"] == "Khẩn"
    assert body["versions"][0]["content_type"] == "application/pdf"

    bad = client.post("/api/v1/documents/outgoing",
                      data={**form, "file": (io.BytesIO(b"not a document"), "a.pdf")},
                      content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert bad.status_code == 400
    assert bad.get_json()["message"].startswith("Tệp không đúng định dạng")

    forbidden = client.post(f"/api/v1/documents/{document_id}/actions/approve_content",
                            json={}, headers={"X-CSRFToken": token})
    assert forbidden.status_code == 403
    client.post("/logout", data={"csrf_token": token})

    token = login(client, "truongphong")
    mine = client.get("/api/v1/documents/my-work").get_json()["items"]
    assert [item["id"] for item in mine] == [document_id]
    illegal = client.post(f"/api/v1/documents/{document_id}/actions/archive", json={},
                          headers={"X-CSRFToken": token})
    assert illegal.status_code == 409
    assert "trạng thái" in illegal.get_json()["message"]
    moved = client.post(f"/api/v1/documents/{document_id}/actions/approve_content",
                        json={"note": "Đồng ý nội dung"}, headers={"X-CSRFToken": token})
    assert moved.status_code == 200 and moved.get_json()["state"] == "CONTENT_OK"
    detail = client.get(f"/api/v1/documents/{document_id}").get_json()
    assert detail["comments"][0]["body"] == "Đồng ý nội dung"
    assert client.get(f"/api/v1/documents/{document_id}/versions/1/content").status_code == 200
    assert client.get("/api/v1/documents/999999").status_code == 404


def test_api_incoming_duplicate_warning_and_direction(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    token = login_as("vanthu")
    form = {"subject": "Về việc phòng chống thiên tai", "organ_name": "Bộ Nông nghiệp",
            "code_number": "44", "code_notation": "BNN-PCTT", "urgency": "3"}
    first = client.post("/api/v1/documents/incoming",
                        data={**form, "file": (io.BytesIO(make_pdf()), "d.pdf")},
                        content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert first.status_code == 201 and first.get_json()["arrival_number"] == 1
    duplicate = client.post("/api/v1/documents/incoming",
                            data={**form, "file": (io.BytesIO(make_pdf()), "d.pdf")},
                            content_type="multipart/form-data", headers={"X-CSRFToken": token})
    assert duplicate.status_code == 409
    assert duplicate.get_json()["duplicates"] == [first.get_json()["id"]]
    document_id = first.get_json()["id"]
    (leader, specialist) = _ids(app, "chutich", "chuyenvien")
    assert client.post(f"/api/v1/documents/{document_id}/present", json={"leader_id": leader},
                       headers={"X-CSRFToken": token}).status_code == 200
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "chutich")
    no_lead = client.post(f"/api/v1/documents/{document_id}/direct", json={},
                          headers={"X-CSRFToken": token})
    assert no_lead.status_code == 400
    directed = client.post(f"/api/v1/documents/{document_id}/direct", json={
        "lead_user_id": specialist, "lead_deadline": "2026-12-31", "opinion": "Xử lý ngay"},
        headers={"X-CSRFToken": token})
    assert directed.status_code == 200
    body = directed.get_json()
    assert body["state"] == "DIRECTED" and body["assignments"][0]["user_id"] == specialist


def test_openapi_describes_every_api_route_with_its_real_answer(
        app: Flask, client: FlaskClient) -> None:
    """Every /api/v1 route is in the document; an action's body is its input model and its
    answer is a Document; binaries are binaries and lists are lists."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, verb) for path, ops in spec["paths"].items() for verb in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.not_found":
            continue
        path = re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule)
        for verb in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, verb.lower()) in documented, (path, verb)
    sign = spec["paths"]["/api/v1/documents/{document_id}/actions/sign"]["post"]
    assert "423" in sign["responses"] and "409" in sign["responses"]
    body = sign["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert spec["components"]["schemas"][body.rsplit("/", 1)[1]]["properties"]["pin"]
    assert sign["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Document")
    content = spec["paths"]["/api/v1/documents/{document_id}/versions/{number}/content"]["get"]
    assert content["responses"]["200"]["content"]["application/octet-stream"]["schema"][
        "format"] == "binary"
    listing = spec["paths"]["/api/v1/documents"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert listing["properties"]["items"]["type"] == "array"
    assert spec["paths"]["/api/v1/documents/{document_id}/sign"]["post"]["deprecated"]
    assert client.get("/api/v1/docs").status_code == 200


def test_every_page_action_on_documents_is_in_the_api(app: Flask, client: FlaskClient) -> None:
    """A page never offers an action the API lacks: each POST page route on a document is
    a declared action whose JSON route is documented with the same input fields."""
    from eoffice.actions.declaration import registry

    spec = client.get("/api/v1/openapi.json").get_json()
    declared_pages = {a.page_endpoint for a in registry("documents") if a.page_rule}
    page_posts = {rule.endpoint.split(".", 1)[1] for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("documents.") and "POST" in (rule.methods or ())
                  and rule.rule.startswith("/documents/<int:document_id>/")}
    # The plain steps post by name to one route; an edXML export answers a file.
    assert page_posts - declared_pages == {"act", "export_edxml"}
    for action in registry("documents"):
        operation = spec["paths"][f"/api/v1/documents/{{document_id}}/actions/{action.name}"]
        content = operation["post"]["requestBody"]["content"]
        schema_name = next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(spec["components"]["schemas"][schema_name].get("properties", {})) == set(
            action.input.model_fields)
