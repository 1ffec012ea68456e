"""The demo installation (``flask seed-demo``, as ``make run`` runs it): the province and two
organisations under it, each able to work on its own (people, units, registers, seal), the
directory's external agencies; and each organisation sees only its own documents."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.roles import Role
from eoffice.demo import (
    DEMO_ORGAN_ID,
    DEMO_USERS,
    LACSON_ORGAN_ID,
    STC_ORGAN_ID,
    seed_other_organisations,
)
from eoffice.documents.models import DocumentRegister
from eoffice.extensions import db
from eoffice.organisation.directory import search_directory
from eoffice.organisation.models import Organisation
from eoffice.signing_keys import has_seal_certificate, pki_dir, seal_file
from tests.conftest import login
from tests.documents.conftest import create_incoming


def test_seed_demo_makes_three_organisations_ready_to_work(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for login_name in ("vanthu", "vanthu.stc", "giamdoc.stc", "vanthu.lacson",
                       "chutich.lacson"):
        assert f"  {login_name} " in result.output
    with app.app_context():
        province = db.session.execute(select(Organisation).where(
            Organisation.organ_id == DEMO_ORGAN_ID)).scalar_one()
        for organ_id in (STC_ORGAN_ID, LACSON_ORGAN_ID):
            organisation = db.session.execute(select(Organisation).where(
                Organisation.organ_id == organ_id)).scalar_one()
            assert organisation.parent_id == province.id
            people = db.session.execute(select(User).where(
                User.organisation_id == organisation.id)).scalars().all()
            roles = set().union(*(person.roles for person in people))
            assert {Role.ADMIN, Role.LEADER, Role.CLERK, Role.UNIT_HEAD,
                    Role.SPECIALIST} <= roles
            assert all(len(person.memberships) <= 1 and all(
                m.unit.organisation_id == organisation.id for m in person.memberships)
                for person in people)
            assert len(db.session.execute(select(DocumentRegister.id).where(
                DocumentRegister.organisation_id == organisation.id)).all()) == 4
            assert seal_file(organisation) is not None
            assert has_seal_certificate(organisation)
        external = [e for e in search_directory("") if not e.internal]
        assert {"Bộ Tài chính", "Ủy ban nhân dân tỉnh Sơn La"} <= {e.name for e in external}
        users_before = len(db.session.execute(select(User.id)).all())
        assert users_before == len(DEMO_USERS)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert len(db.session.execute(select(User.id)).all()) == users_before
        assert len(db.session.execute(select(Organisation.id)).all()) == 3


def test_each_organisation_sees_only_its_own_documents(app: Flask) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        create_incoming(subject="Công văn của tỉnh VANBANTINH", code_number=11)
        create_incoming(subject="Công văn của Sở VANBANSO", clerk="vanthu.stc", code_number=12)
        db.session.commit()
    pages = ("/documents/incoming", "/documents/search?q=VANBAN",
             "/api/v1/organisations/directory")
    seen = {}
    for username in ("vanthu", "vanthu.stc", "vanthu.lacson"):
        client = app.test_client()
        login(client, username)
        seen[username] = "".join(client.get(page).get_data(as_text=True) for page in pages)
    assert "VANBANTINH" in seen["vanthu"] and "VANBANSO" not in seen["vanthu"]
    assert "VANBANSO" in seen["vanthu.stc"] and "VANBANTINH" not in seen["vanthu.stc"]
    assert "VANBANTINH" not in seen["vanthu.lacson"]
    assert "VANBANSO" not in seen["vanthu.lacson"]
    # Every organisation picks recipients from the same directory.
    for text in seen.values():
        assert "Ủy ban nhân dân huyện Lạc Sơn" in text and "Bộ Tài chính" in text


def test_other_organisations_without_signing_for_quick_tests(app: Flask, demo: None) -> None:
    with app.app_context():
        lines = seed_other_organisations(credentials=False)
        assert any("vanthu.lacson" in line for line in lines)
        assert {e.organ_id for e in search_directory("") if e.internal} == {
            DEMO_ORGAN_ID, STC_ORGAN_ID, LACSON_ORGAN_ID}
        assert not (pki_dir() / "root.pem").exists()  # no demo PKI was made
