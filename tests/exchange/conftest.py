"""Fixtures for the exchange tests: the demo province plus a department of the same
installation (Sở Tài chính, as the demo seeds it), documents issued to it, and the job queue
run here and now."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.accounts.passwords import hash_password
from eoffice.accounts.roles import Role
from eoffice.accounts.service import create_user
from eoffice.documents import outgoing, service
from eoffice.documents.models import Document
from eoffice.exchange import recipients
from eoffice.extensions import db
from eoffice.jobs import queue
from eoffice.organisation.models import Organisation, Unit
from eoffice.organisation.service import create_unit, ensure_position
from eoffice.timestamps import utcnow
from tests.conftest import login
from tests.documents.conftest import make_pdf, user
from tests.exchange.ministry import installation  # noqa: F401  (a fixture)

PROVINCE = "000.00.00.H41"
DEPARTMENT = "000.01.00.H41"
#: An agency in no directory, with no national axis configured: reached by hand.
UNCONNECTED = "000.00.00.G15"
DISTRICT = "000.20.00.H41"

#: username, full name, title, roles, unit abbreviation (None: no unit), head of it
_PEOPLE = {
    DEPARTMENT: ("Sở Tài chính tỉnh Hòa Bình", "STC", [
        ("vanthu.stc", "Quách Thị Mai", "Văn thư", (Role.CLERK,), "VP", False),
        ("giamdoc.stc", "Đinh Công Sơn", "Giám đốc", (Role.LEADER, Role.MANAGER), None, False),
        ("truongphong.stc", "Bạch Văn Toàn", "Trưởng phòng", (Role.UNIT_HEAD,), "NS", True),
        ("chuyenvien.stc", "Hà Thị Ngọc", "Chuyên viên", (Role.SPECIALIST,), "NS", False),
    ]),
    DISTRICT: ("Ủy ban nhân dân huyện Lạc Sơn", "UBND", [
        ("vanthu.lacson", "Đinh Thị Hương", "Văn thư", (Role.CLERK,), "VP", False),
        ("chutich.lacson", "Bùi Văn Thắm", "Chủ tịch", (Role.LEADER,), None, False),
    ]),
}


def ensure_organisation(organ_id: str) -> Organisation:
    """The demo's department or district with its clerk and leader (what the demo seeds; made
    here when the demo at hand does not have it yet). Commits."""
    name, abbreviation, people = _PEOPLE[organ_id]
    organisation = db.session.execute(select(Organisation).where(
        Organisation.organ_id == organ_id)).scalar_one_or_none()
    if organisation is None:
        organisation = Organisation(organ_id=organ_id, name=name, abbreviation=abbreviation,
                                    parent_name="Ủy ban nhân dân tỉnh Hòa Bình", place="Hòa Bình")
        db.session.add(organisation)
        db.session.flush()
    units = {u.abbreviation: u for u in db.session.execute(
        select(Unit).where(Unit.organisation_id == organisation.id)).scalars()}
    for abbr in {p[4] for p in people if p[4]} - set(units):
        units[abbr] = create_unit(None, organisation, name=f"Phòng {abbr}", abbreviation=abbr)
    password = hash_password("matkhau123")
    for username, full_name, title, roles, unit, head in people:
        if db.session.execute(select(User.id).where(User.username == username)).first():
            continue
        unit_ids = [units[unit].id] if unit else []
        create_user(None, username=username, full_name=full_name, password="",
                    password_hash=password, organisation_id=organisation.id, roles=roles,
                    unit_ids=unit_ids, head_of_unit_ids=unit_ids if head else [],
                    position_id=ensure_position(organisation, title).id)
    db.session.commit()
    return organisation


@pytest.fixture()
def xctx(app: Flask, demo: None) -> Iterator[Flask]:
    """An app context with the province, the department and the district; the tests run the
    job queue themselves (``run_jobs``), so exchange jobs are not also started at once."""
    app.config["EXCHANGE_AT_ONCE"] = False
    with app.app_context():
        ensure_organisation(DEPARTMENT)
        ensure_organisation(DISTRICT)
        yield app
        db.session.remove()


def run_jobs() -> int:
    """Run queued jobs until none is left (a delivery queues the status that follows it)."""
    total = 0
    for _ in range(10):
        ran = queue.drain()
        if not ran:
            return total
        total += ran
    return total


def ready_to_issue(subject: str = "Về việc lập dự toán ngân sách năm 2027",
                   pdf: bytes | None = None, **overrides: Any) -> Document:
    """An outgoing document of the province as the signing path leaves it: numbered, dated,
    sealed (ORG_SIGNED), its PDF a version. Commits."""
    drafter = user("chuyenvien")
    fields: dict[str, Any] = {
        "subject": subject, "type_code": "", "reviewer_id": user("truongphong").id,
        "checker_id": user("vanthu").id, "signer_id": user("chutich").id,
    }
    fields.update(overrides)
    stored = service.store_file(drafter, io.BytesIO(pdf or make_pdf(2)), "du-thao.pdf")
    document = service.create_outgoing(drafter, service.OutgoingDraft(**fields), stored).document
    document.state = "ORG_SIGNED"
    document.code_number = 12 + document.id
    document.code_notation = "UBND-KT"
    document.issued_date = date(2026, 12, 4)
    document.signer_full_name, document.signer_position = "Trần Văn Hùng", "Chủ tịch"
    document.authority = "TM. ỦY BAN NHÂN DÂN"
    db.session.commit()
    return document


def issue(document: Document) -> None:
    """The clerk issues it (the transition that sends it), and commits."""
    document.issued_at = utcnow()
    outgoing.issue(user("vanthu"), document)
    db.session.commit()


def delivered_to(organ_id: str, chooser: str = "vanthu") -> tuple[Document, Document]:
    """A document issued to ``organ_id`` alone (picked as recipient by ``chooser``) and
    delivered: the sender's document and its arrival in the recipient organisation."""
    document = ready_to_issue()
    recipients.add_recipient(user(chooser), document, organ_id)
    db.session.commit()
    issue(document)
    run_jobs()
    [arrived] = incoming_of(organ_id)
    return document, arrived


def incoming_of(organ_id: str) -> list[Document]:
    organisation = db.session.execute(select(Organisation).where(
        Organisation.organ_id == organ_id)).scalar_one()
    return list(db.session.execute(select(Document).where(
        Document.organisation_id == organisation.id,
        Document.direction == "incoming").order_by(Document.id)).scalars())


def switch(client: FlaskClient, username: str) -> str:
    """The same browser, now logged in as ``username``; returns its CSRF token."""
    client._cookies.clear()  # type: ignore[attr-defined]
    return login(client, username)


def fresh_g(app: Flask) -> None:
    """Forget ``g`` after each request of the test client, as a real request would."""
    @app.teardown_request
    def forget(_exc: BaseException | None) -> None:
        for name in list(g):
            g.pop(name)
