"""Creating and editing the installation's organisations: the rules, what a new organisation
is given to work (registers, seal certificate), the audit trail, and the shell commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.roles import Role
from eoffice.audit.models import Event
from eoffice.demo import DEMO_ORGAN_ID
from eoffice.documents.models import DocumentRegister
from eoffice.errors import Forbidden, InvalidInput
from eoffice.extensions import db
from eoffice.organisation.directory import find_organ, search_directory
from eoffice.organisation.models import DirectoryOrgan, Organisation
from eoffice.organisation.organisations import (
    OrganisationDetails,
    create_first_admin,
    create_organisation,
    update_organisation,
)
from eoffice.signing_keys import demo_pki, has_seal_certificate, pki_dir

STC = OrganisationDetails(organ_id="000.01.00.h41", name="  Sở Tài chính ", abbreviation="STC",
                          parent_organ_id=DEMO_ORGAN_ID, place="Hòa Bình",
                          parent_name="Ủy ban nhân dân tỉnh Hòa Bình",
                          address="Số 1 đường Trần Hưng Đạo, TP. Hòa Bình",
                          email="stc@hoabinh.gov.vn", telephone="0218 3852 000")


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_super_admin_creates_an_organisation_ready_to_work(app: Flask, demo: None) -> None:
    with app.app_context():
        demo_pki()  # the demo PKI is in use: the new organisation gets its seal certificate
        province = db.session.execute(
            select(Organisation).where(Organisation.organ_id == DEMO_ORGAN_ID)).scalar_one()
        created = create_organisation(_user("quantri"), STC)
        db.session.commit()
        assert created.organ_id == "000.01.00.H41"  # normalised
        assert created.name == "Sở Tài chính"
        assert created.parent_id == province.id
        assert created.parent_name == province.name  # printed above the name in headers
        assert (created.address, created.email) == (STC.address, STC.email)
        kinds = set(db.session.execute(
            select(DocumentRegister.kind).where(DocumentRegister.organisation_id == created.id)
        ).scalars())
        assert kinds == {"outgoing", "incoming", "secret", "incoming_secret"}
        assert has_seal_certificate(created)
        event = db.session.execute(
            select(Event).where(Event.action == "organisation_created")).scalar_one()
        assert event.actor_id == _user("quantri").id
        assert event.details["organ_id"] == "000.01.00.H41"
        assert event.details["parent_organ_id"] == DEMO_ORGAN_ID
        entry = find_organ("000.01.00.H41")
        assert entry is not None and entry.internal and entry.parent_organ_id == DEMO_ORGAN_ID


def test_without_the_demo_pki_no_certificate_is_made(app: Flask, demo: None) -> None:
    with app.app_context():
        created = create_organisation(None, STC)
        assert not has_seal_certificate(created)
        assert not (pki_dir() / "root.pem").exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"organ_id": "000.01.00.H4"}, "000.00.00.H41"),
    ({"organ_id": DEMO_ORGAN_ID}, "đã được dùng"),
    ({"name": " "}, "bắt buộc"),
    ({"abbreviation": ""}, "bắt buộc"),
    ({"abbreviation": "X" * 21}, "Tên viết tắt"),
    ({"parent_organ_id": "000.99.00.H41"}, "Không có cơ quan 000.99.00.H41"),
    ({"email": "stc-at-hoabinh"}, "Thư điện tử"),
])
def test_refused_details(app: Flask, demo: None, change: dict[str, str], message: str) -> None:
    with app.app_context():
        values = {**STC.__dict__, **change}
        with pytest.raises(InvalidInput, match=message):
            create_organisation(None, OrganisationDetails(**values))


def test_only_the_super_admin_manages_organisations(app: Flask, demo: None) -> None:
    with app.app_context():
        for username in ("admin", "chutich", "vanthu"):
            with pytest.raises(Forbidden):
                create_organisation(_user(username), STC)
        created = create_organisation(None, STC)
        with pytest.raises(Forbidden):
            update_organisation(_user("admin"), created, STC)
        with pytest.raises(Forbidden):
            create_first_admin(_user("admin"), created, username="admin.stc",
                               full_name="Quản trị STC", password="mat-khau-dai-1")


def test_update_keeps_the_tree_a_tree(app: Flask, demo: None) -> None:
    with app.app_context():
        quantri = _user("quantri")
        department = create_organisation(quantri, STC)
        district = create_organisation(quantri, OrganisationDetails(
            organ_id="000.20.00.H41", name="Ủy ban nhân dân huyện Lạc Sơn",
            abbreviation="UBND", parent_organ_id="000.01.00.H41"))
        province = department.parent
        assert province is not None
        assert district.place == province.place == "Hòa Bình"  # none given: the parent's
        # The province under its own grandchild would make a loop.
        with pytest.raises(InvalidInput, match="cấp dưới"):
            update_organisation(quantri, province, OrganisationDetails(
                organ_id=DEMO_ORGAN_ID, name=province.name, abbreviation="UBND",
                parent_organ_id="000.20.00.H41"))
        with pytest.raises(InvalidInput, match="chính cơ quan"):
            update_organisation(quantri, district, OrganisationDetails(
                organ_id="000.20.00.H41", name=district.name, abbreviation="UBND",
                parent_organ_id="000.20.00.H41"))
        moved = update_organisation(quantri, district, OrganisationDetails(
            organ_id="000.20.00.H41", name="UBND huyện Lạc Sơn", abbreviation="UBND",
            parent_organ_id=DEMO_ORGAN_ID, telephone="0218 3861 111"))
        db.session.commit()
        assert moved.parent_id == province.id and moved.telephone == "0218 3861 111"
        event = db.session.execute(
            select(Event).where(Event.action == "organisation_updated")).scalar_one()
        assert event.details["changed"] == ["name", "parent_organ_id"]


def test_first_admin_belongs_to_the_new_organisation(app: Flask, demo: None) -> None:
    with app.app_context():
        created = create_organisation(None, STC)
        admin = create_first_admin(_user("quantri"), created, username="admin.stc",
                                   full_name="Quản trị Sở Tài chính", password="mat-khau-dai-1")
        assert admin.organisation_id == created.id and admin.roles == {Role.ADMIN}
        with pytest.raises(InvalidInput, match="đã tồn tại"):
            create_first_admin(None, created, username="admin", full_name="X",
                               password="mat-khau-dai-1")


# --------------------------------------------------------------------------- commands
def test_create_command(app: Flask, demo: None) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["organisations", "create", "000.01.00.H41", "Sở Tài chính",
                                 "STC", "--parent", DEMO_ORGAN_ID, "--place", "Hòa Bình"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo cơ quan 000.01.00.H41 Sở Tài chính" in result.output
    again = runner.invoke(args=["organisations", "create", "000.01.00.H41", "Khác", "K"])
    assert again.exit_code == 1 and "đã được dùng" in again.output
    wrong = runner.invoke(args=["organisations", "create", "H41", "Sở Nội vụ", "SNV"])
    assert wrong.exit_code == 1 and "000.00.00.H41" in wrong.output
    listing = runner.invoke(args=["organisations", "list"])
    assert listing.output.splitlines() == [
        f"{DEMO_ORGAN_ID}  UBND     Ủy ban nhân dân tỉnh Hòa Bình",
        "  000.01.00.H41  STC      Sở Tài chính"]
    with app.app_context():
        created = db.session.execute(select(Organisation).where(
            Organisation.organ_id == "000.01.00.H41")).scalar_one()
        assert created.parent is not None and created.parent.organ_id == DEMO_ORGAN_ID
        assert created.place == "Hòa Bình"
        assert db.session.execute(select(Organisation.id)).all().__len__() == 2


GOOD_CSV = ("OrganId,name,parent\n"
            "000.00.00.G12,Bộ Tài chính,\n"
            "000.00.01.G12,Tổng cục Thuế,000.00.00.G12\n"
            "000.00.00.H26,\"Ủy ban nhân dân tỉnh Hà Tĩnh\",\n")


def test_import_directory_with_and_without_bom(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    with_bom = tmp_path / "danhba.csv"
    with_bom.write_bytes(GOOD_CSV.encode("utf-8-sig"))
    result = runner.invoke(args=["organisations", "import-directory", str(with_bom)])
    assert result.exit_code == 0, result.output
    assert "thêm 3, cập nhật 0, không đổi 0" in result.output
    renamed = tmp_path / "danhba2.csv"
    renamed.write_text(GOOD_CSV.replace("Tổng cục Thuế", "Cục Thuế"), encoding="utf-8")
    result = runner.invoke(args=["organisations", "import-directory", str(renamed)])
    assert "thêm 0, cập nhật 1, không đổi 2" in result.output
    # The national axis's agency list names its columns code, name, pcode (any order).
    axis = tmp_path / "axis.csv"
    axis.write_text("id;pcode;code;name\n7;000.00.00.G12;000.00.02.G12;Kho bạc Nhà nước\n",
                    encoding="utf-8")
    result = runner.invoke(args=["organisations", "import-directory", str(axis)])
    assert "thêm 1, cập nhật 0, không đổi 0" in result.output
    with app.app_context():
        treasury = find_organ("000.00.02.G12")
        assert treasury is not None and treasury.parent_organ_id == "000.00.00.G12"
        assert [e.name for e in search_directory("cuc thue")] == ["Cục Thuế"]
        tax = find_organ("000.00.01.G12")
        assert tax is not None and tax.parent_organ_id == "000.00.00.G12"


def test_import_refuses_the_whole_file_naming_bad_lines(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "loi.csv"
    bad.write_text(GOOD_CSV + "00.00.H26,Sai mã,\n000.00.00.G12,Trùng mã,\n"
                   "000.00.00.H45,,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["organisations", "import-directory", str(bad)])
    assert result.exit_code == 1
    assert "dòng 5: mã định danh “00.00.H26” không đúng dạng" in result.output
    assert "dòng 6: mã định danh 000.00.00.G12 trùng với dòng 2" in result.output
    assert "dòng 7: thiếu tên cơ quan" in result.output
    assert "Không nhập gì: 3 lỗi" in result.output
    with app.app_context():
        assert db.session.execute(select(DirectoryOrgan.id)).first() is None  # nothing half-written
