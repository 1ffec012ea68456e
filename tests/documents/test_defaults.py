"""Sensible defaults in the pickers, and no direction that reaches nobody (issue #12)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.documents import incoming, pickers
from eoffice.documents.errors import InvalidInput
from eoffice.documents.models import DocumentAssignment
from eoffice.extensions import db
from eoffice.organisation.models import Unit
from tests.conftest import login
from tests.documents.conftest import create_incoming, user
from tests.meetings.conftest import mapp  # noqa: F401  (the app with meetings plugged in)


def _unit(abbreviation: str) -> Unit:
    return db.session.execute(select(Unit).where(Unit.abbreviation == abbreviation,
                                                 Unit.organisation_id == user("vanthu")
                                                 .organisation_id)).scalar_one()


def _selected(page: str, field: str) -> str:
    """The label of the option pre-selected in the <select> named ``field``."""
    block = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S)
    assert block, field
    chosen = re.search(r'<option selected value="\d+">([^<]*)</option>|'
                       r'<option value="\d+" selected>([^<]*)</option>', block.group(0))
    assert chosen, f"nothing pre-selected in {field}"
    return chosen.group(1) or chosen.group(2)


def test_organisation_head_is_the_chairman_not_the_deputy(ctx: Flask) -> None:
    head = pickers.organisation_head(user("chutich").organisation_id)
    assert head is not None and head.username == "chutich"


def test_reviewer_is_the_drafters_unit_head(ctx: Flask) -> None:
    # chuyenvien works in Phòng Kinh tế, headed by truongphong (not the Chánh Văn phòng).
    assert pickers.unit_head_of(user("chuyenvien")).username == "truongphong"
    # The head of a unit goes up to the parent unit's head (Văn phòng).
    assert pickers.unit_head_of(user("truongphong")).username == "chanhvanphong"


def test_new_draft_form_proposes_unit_head_and_chairman(client: FlaskClient, demo: None
                                                        ) -> None:
    login(client, "chuyenvien")
    page = client.get("/documents/outgoing/new").get_data(as_text=True)
    assert _selected(page, "reviewer_id").startswith("Hoàng Văn Nam")
    assert _selected(page, "signer_id").startswith("Trần Văn Hùng")
    # The people boxes are searchable pickers, not Ctrl-click list boxes.
    assert re.search(r'<select[^>]*data-picker[^>]*name="recipient_user_ids"', page) or \
        re.search(r'<select[^>]*name="recipient_user_ids"[^>]*data-picker', page)


def test_new_meeting_is_chaired_by_a_leader_not_the_secretary(mapp: Flask) -> None:  # noqa: F811
    client = mapp.test_client()
    login(client, "thuky")
    page = client.get("/meetings/new").get_data(as_text=True)
    assert _selected(page, "chair_id").startswith("Trần Văn Hùng")
    assert _selected(page, "secretary_id").startswith("Vũ Ngọc Ánh")


def _presented(ctx: Flask) -> Any:
    document = create_incoming()
    incoming.present(user("vanthu"), document, user("chutich").id)
    db.session.commit()
    return document


def test_directing_to_a_unit_without_head_is_refused(ctx: Flask) -> None:
    document = _presented(ctx)
    th = _unit("TH")  # Phòng Tổng hợp has no head in the demo
    with pytest.raises(InvalidInput, match="chưa có trưởng đơn vị"):
        incoming.direct(user("chutich"), document, [incoming.Handling("lead", unit_id=th.id)],
                        "")
    db.session.rollback()
    assert document.state == "PRESENTED"
    with pytest.raises(InvalidInput, match="Phòng Tổng hợp"):
        incoming.direct(user("chutich"), document, [
            incoming.Handling("lead", unit_id=_unit("KT").id),
            incoming.Handling("support", unit_id=th.id)], "")
    db.session.rollback()


def test_directing_to_a_headless_unit_with_a_named_person_goes_through(ctx: Flask) -> None:
    document = _presented(ctx)
    th = _unit("TH")
    incoming.direct(user("chutich"), document, [
        incoming.Handling("lead", unit_id=th.id, user_id=user("thuky").id)], "")
    db.session.commit()
    row = db.session.execute(select(DocumentAssignment).where(
        DocumentAssignment.document_id == document.id)).scalar_one()
    assert (row.unit_id, row.user_id) == (th.id, user("thuky").id)
    assert document.state == "DIRECTED"


def test_direct_form_marks_headless_units(client: FlaskClient, demo: None, app: Flask) -> None:
    with app.app_context():
        document_id = _presented(app).id
        th = _unit("TH").id
        kt = _unit("KT").id
        db.session.remove()
    token = login(client, "chutich")
    page = client.get(f"/documents/incoming/{document_id}").get_data(as_text=True)
    assert re.search(rf'<option value="{th}" data-headless="1">', page)
    assert re.search(rf'<option value="{kt}" >', page)
    refused = client.post(f"/documents/{document_id}/direct", data={
        "csrf_token": token, "lead_unit_id": th}, follow_redirects=True)
    assert "chưa có trưởng đơn vị" in refused.get_data(as_text=True)


def test_returning_a_draft_needs_a_reason_on_page_and_api(client: FlaskClient, demo: None,
                                                          app: Flask) -> None:
    from tests.documents.conftest import create_outgoing

    with app.app_context():
        document_id = create_outgoing().id
        db.session.remove()
    token = login(client, "truongphong")
    refused = client.post(f"/documents/{document_id}/act/return",
                          data={"csrf_token": token, "note": "  "}, follow_redirects=True)
    assert "Hãy nhập lý do trả lại." in refused.get_data(as_text=True)
    api = client.post(f"/api/v1/documents/{document_id}/actions/return", json={"note": ""},
                      headers={"X-CSRFToken": token})
    assert api.status_code == 400 and api.get_json()["message"] == "Hãy nhập lý do trả lại."
    done = client.post(f"/api/v1/documents/{document_id}/actions/return",
                       json={"note": "Thiếu căn cứ pháp lý"}, headers={"X-CSRFToken": token})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["message"] == ("Đã trả lại dự thảo cho Chuyên viên Đặng Thu Trang "
                                          "để sửa.")
    assert done.get_json()["state"] == "REVISION"


def test_clerk_presents_to_the_chairman_by_default(client: FlaskClient, demo: None,
                                                   app: Flask) -> None:
    with app.app_context():
        document_id = create_incoming().id
        db.session.remove()
    login(client, "vanthu")
    page = client.get(f"/documents/incoming/{document_id}").get_data(as_text=True)
    assert _selected(page, "leader_id").startswith("Trần Văn Hùng")  # not the deputy
