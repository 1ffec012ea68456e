"""The directory clerks pick recipients from: the installation's organisations and external
agencies in one list, found with or without diacritics, through the service and the API."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from eoffice.demo import DEMO_ORGAN_ID
from eoffice.extensions import db
from eoffice.organisation.directory import (
    DirectoryEntry,
    find_organ,
    normalise_organ_id,
    search_directory,
    search_text_for,
)
from eoffice.organisation.models import DirectoryOrgan, Organisation


def _external(organ_id: str, name: str, parent: str | None = None) -> DirectoryOrgan:
    organ = DirectoryOrgan(organ_id=organ_id, name=name, parent_organ_id=parent, source="csv",
                           search_text=search_text_for(organ_id, name))
    db.session.add(organ)
    return organ


def _seed_directory() -> Organisation:
    province = db.session.query(Organisation).filter_by(organ_id=DEMO_ORGAN_ID).one()
    department = Organisation(organ_id="000.01.00.H41", name="Sở Tài chính tỉnh Hòa Bình",
                              abbreviation="STC", place="Hòa Bình", parent_id=province.id)
    db.session.add(department)
    _external("000.00.00.G12", "Bộ Tài chính")
    _external("000.00.00.H26", "Ủy ban nhân dân tỉnh Hà Tĩnh")
    _external("000.00.00.H45", "Ủy ban nhân dân tỉnh Hưng Yên")
    # The national list names the installation's own organisation too: it stays internal.
    _external(DEMO_ORGAN_ID, "UBND tỉnh Hòa Bình (danh sách quốc gia)")
    db.session.commit()
    return department


def test_search_folds_diacritics_over_name_and_organ_id(app: Flask, demo: None) -> None:
    with app.app_context():
        department = _seed_directory()
        hits = search_directory("so tai chinh")
        assert [h.organ_id for h in hits] == ["000.01.00.H41"]
        assert hits[0] == DirectoryEntry("000.01.00.H41", "Sở Tài chính tỉnh Hòa Bình",
                                         DEMO_ORGAN_ID, True, department.id)
        # Upper case, with marks, words in any order.
        assert [h.organ_id for h in search_directory("TỈNH ủy ban")][:1] == [DEMO_ORGAN_ID]
        assert {h.organ_id for h in search_directory("uy ban tinh")} == {
            DEMO_ORGAN_ID, "000.00.00.H26", "000.00.00.H45"}
        assert [h.name for h in search_directory("hung yen")] == [
            "Ủy ban nhân dân tỉnh Hưng Yên"]
        assert [h.organ_id for h in search_directory("G12")] == ["000.00.00.G12"]
        # A LIKE wildcard typed by a user is a character, not "anything".
        assert search_directory("%") == []


def test_internal_first_and_once_and_limit(app: Flask, demo: None) -> None:
    with app.app_context():
        _seed_directory()
        everything = search_directory("")
        ids = [h.organ_id for h in everything]
        assert ids.count(DEMO_ORGAN_ID) == 1
        assert [h.internal for h in everything] == [True, True, False, False, False]
        assert all(h.organisation_id is None for h in everything if not h.internal)
        assert len(search_directory("", limit=3)) == 3
        assert len(search_directory("", limit=1)) == 1


def test_find_organ(app: Flask, demo: None) -> None:
    with app.app_context():
        department = _seed_directory()
        found = find_organ("000.01.00.h41")
        assert found is not None and found.internal and found.organisation_id == department.id
        assert found.parent_organ_id == DEMO_ORGAN_ID
        province = find_organ(DEMO_ORGAN_ID)
        assert province is not None and province.internal  # not the CSV line of the same id
        ministry = find_organ("000.00.00.G12")
        assert ministry is not None and not ministry.internal and ministry.name == "Bộ Tài chính"
        assert find_organ("000.00.00.X99") is None


def test_organ_id_shape() -> None:
    assert normalise_organ_id(" 000.00.00.h41 ") == "000.00.00.H41"
    for wrong in ("", "000.00.00.H4", "000-00-00-H41", "000.00.00.H411", "00000000H4100"):
        assert normalise_organ_id(wrong) is None


def test_directory_api(app: Flask, login_as: Callable[[str], str],
                       client: FlaskClient) -> None:
    with app.app_context():
        _seed_directory()
    assert client.get("/api/v1/organisations/directory").status_code == 401
    login_as("chuyenvien")
    answer = client.get("/api/v1/organisations/directory?q=bo%20tai%20chinh")
    assert answer.status_code == 200
    assert answer.get_json()["items"] == [{
        "organ_id": "000.00.00.G12", "name": "Bộ Tài chính", "parent_organ_id": None,
        "internal": False, "organisation_id": None, "address": "", "email": "",
        "telephone": ""}]
    assert len(client.get("/api/v1/organisations/directory?limit=2").get_json()["items"]) == 2
    assert client.get("/api/v1/organisations/directory?limit=x").status_code == 400
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/organisations/directory" in spec["paths"]
    assert "DirectoryEntry" in spec["components"]["schemas"]
