"""Demo installation: the provincial People's Committee with one user per role, so
``make run`` shows a working office at once; beside it two organisations of the same
installation (a department and a district, each with its admin, leader, clerk, unit head and
specialist) and a few external agencies in the directory, so documents can travel between
organisations.

Idempotent: running it again adds what is missing and changes nothing else. Logins of the
other organisations end with the organisation's short name: ``vanthu.stc``, ``vanthu.lacson``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import func, select

from eoffice.accounts.models import User
from eoffice.accounts.passwords import hash_password
from eoffice.accounts.roles import Role
from eoffice.accounts.service import create_user
from eoffice.extensions import db
from eoffice.organisation.directory import search_text_for
from eoffice.organisation.models import DirectoryOrgan, Organisation, Unit
from eoffice.organisation.organisations import OrganisationDetails, create_organisation
from eoffice.organisation.service import create_unit, ensure_position
from eoffice.signing_keys import DEMO_PIN, ensure_demo_credentials

DEMO_PASSWORD = "matkhau123"
DEMO_ORGAN_ID = "000.00.00.H41"


@dataclass(frozen=True)
class DemoUser:
    """A demo login: who, their title and roles, their unit (by abbreviation), where."""

    username: str
    full_name: str
    title: str
    roles: tuple[Role, ...]
    unit: str | None
    head: bool = False
    #: The organisation the user works in (the province unless said otherwise).
    organ_id: str = DEMO_ORGAN_ID


DEMO_UNITS = [
    ("Văn phòng", "VP", None),
    ("Phòng Tổng hợp", "TH", "VP"),
    ("Phòng Kinh tế", "KT", "VP"),
    ("Phòng Nội chính", "NC", "VP"),
]

DEMO_USERS = [
    DemoUser("quantri", "Ngô Quốc Bảo", "Quản trị toàn hệ thống", (Role.SUPER_ADMIN,), None),
    DemoUser("admin", "Phạm Minh Tuấn", "Quản trị hệ thống", (Role.ADMIN,), "VP"),
    DemoUser("chutich", "Trần Văn Hùng", "Chủ tịch", (Role.LEADER, Role.MANAGER), None),
    DemoUser("phochutich", "Lê Thị Hoa", "Phó Chủ tịch", (Role.LEADER,), None),
    DemoUser("vanthu", "Nguyễn Thị Lan", "Văn thư", (Role.CLERK,), "VP"),
    DemoUser("truongphong", "Hoàng Văn Nam", "Trưởng phòng", (Role.UNIT_HEAD,), "KT", head=True),
    DemoUser("chuyenvien", "Đặng Thu Trang", "Chuyên viên", (Role.SPECIALIST,), "KT"),
    DemoUser(
        "thuky", "Vũ Ngọc Ánh", "Chuyên viên", (Role.MEETING_SECRETARY, Role.SPECIALIST), "TH"
    ),
    DemoUser(
        "chanhvanphong", "Bùi Đức Thắng", "Chánh Văn phòng",
        (Role.MANAGER, Role.UNIT_HEAD), "VP", head=True,
    ),
]

STC_ORGAN_ID = "000.01.00.H41"
LACSON_ORGAN_ID = "000.20.00.H41"

#: The other organisations of the demo installation, under the province.
DEMO_ORGANISATIONS = [
    OrganisationDetails(
        organ_id=STC_ORGAN_ID, name="Sở Tài chính tỉnh Hòa Bình", abbreviation="STC",
        parent_organ_id=DEMO_ORGAN_ID, parent_name="Ủy ban nhân dân tỉnh Hòa Bình",
        place="Hòa Bình", address="Số 8 đường An Dương Vương, phường Phương Lâm, Hòa Bình",
        email="stc@hoabinh.gov.vn", telephone="0218 3852 136"),
    OrganisationDetails(
        organ_id=LACSON_ORGAN_ID, name="Ủy ban nhân dân huyện Lạc Sơn", abbreviation="UBND",
        parent_organ_id=DEMO_ORGAN_ID, parent_name="", place="Lạc Sơn",
        address="Khu phố 2, thị trấn Vụ Bản, huyện Lạc Sơn, Hòa Bình",
        email="ubndlacson@hoabinh.gov.vn", telephone="0218 3861 226"),
]

DEMO_ORGANISATION_UNITS = {
    STC_ORGAN_ID: [("Văn phòng Sở", "VP", None),
                   ("Phòng Quản lý ngân sách", "NS", None)],
    LACSON_ORGAN_ID: [("Văn phòng HĐND và UBND huyện", "VP", None),
                      ("Phòng Tài chính - Kế hoạch", "TCKH", None)],
}

DEMO_USERS += [
    DemoUser("admin.stc", "Lương Văn Khải", "Quản trị hệ thống", (Role.ADMIN,), "VP",
             organ_id=STC_ORGAN_ID),
    DemoUser("giamdoc.stc", "Đinh Công Sơn", "Giám đốc", (Role.LEADER, Role.MANAGER), None,
             organ_id=STC_ORGAN_ID),
    DemoUser("vanthu.stc", "Quách Thị Mai", "Văn thư", (Role.CLERK,), "VP",
             organ_id=STC_ORGAN_ID),
    DemoUser("truongphong.stc", "Bạch Văn Toàn", "Trưởng phòng", (Role.UNIT_HEAD,), "NS",
             head=True, organ_id=STC_ORGAN_ID),
    DemoUser("chuyenvien.stc", "Hà Thị Ngọc", "Chuyên viên", (Role.SPECIALIST,), "NS",
             organ_id=STC_ORGAN_ID),
    DemoUser("admin.lacson", "Xa Văn Lực", "Quản trị hệ thống", (Role.ADMIN,), "VP",
             organ_id=LACSON_ORGAN_ID),
    DemoUser("chutich.lacson", "Bùi Văn Thắm", "Chủ tịch", (Role.LEADER, Role.MANAGER), None,
             organ_id=LACSON_ORGAN_ID),
    DemoUser("vanthu.lacson", "Đinh Thị Hương", "Văn thư", (Role.CLERK,), "VP",
             organ_id=LACSON_ORGAN_ID),
    DemoUser("truongphong.lacson", "Quách Công Minh", "Trưởng phòng", (Role.UNIT_HEAD,),
             "TCKH", head=True, organ_id=LACSON_ORGAN_ID),
    DemoUser("chuyenvien.lacson", "Bùi Thị Thu", "Chuyên viên", (Role.SPECIALIST,), "TCKH",
             organ_id=LACSON_ORGAN_ID),
]

#: External agencies in the directory (not in this installation), as an imported national
#: list would give them.
DEMO_DIRECTORY = [
    ("000.00.00.G12", "Bộ Tài chính", None),
    ("000.00.01.G12", "Kho bạc Nhà nước", "000.00.00.G12"),
    ("000.00.00.G09", "Bộ Nội vụ", None),
    ("000.00.00.H43", "Ủy ban nhân dân tỉnh Phú Thọ", None),
    ("000.00.00.H50", "Ủy ban nhân dân tỉnh Sơn La", None),
]


def seed_demo() -> list[DemoUser]:
    """Create the demo organisation (the province), its units and users where missing;
    commit. Returns the province's demo users (the other organisations come with
    ``seed_other_organisations``, run by ``flask seed-demo`` as a demo seeder)."""
    organisation = db.session.execute(
        select(Organisation).where(Organisation.organ_id == DEMO_ORGAN_ID)
    ).scalar_one_or_none()
    if organisation is None:
        organisation = Organisation(
            organ_id=DEMO_ORGAN_ID,
            name="Ủy ban nhân dân tỉnh Hòa Bình",
            abbreviation="UBND",
            parent_name=None,
            place="Hòa Bình",
            address="Số 1 đường Trần Hưng Đạo, phường Phương Lâm, Hòa Bình",
            email="ubnd@hoabinh.gov.vn",
            telephone="0218 3852 049",
        )
        db.session.add(organisation)
        db.session.flush()
    users = _seed_people(organisation, DEMO_UNITS)
    db.session.commit()
    return users


def _seed_people(organisation: Organisation,
                 unit_specs: list[tuple[str, str, str | None]]) -> list[DemoUser]:
    """The organisation's demo units and users, where missing."""
    units: dict[str, Unit] = {
        unit.abbreviation: unit
        for unit in db.session.execute(
            select(Unit).where(Unit.organisation_id == organisation.id)
        ).scalars()
    }
    for name, abbreviation, parent in unit_specs:
        if abbreviation not in units:
            parent_id = units[parent].id if parent else None
            units[abbreviation] = create_unit(
                None, organisation, name=name, abbreviation=abbreviation, parent_id=parent_id
            )
    people = [demo for demo in DEMO_USERS if demo.organ_id == organisation.organ_id]
    for demo in people:
        exists = db.session.execute(
            select(User.id).where(func.lower(User.username) == demo.username)
        ).first()
        if exists:
            continue
        unit_ids = [units[demo.unit].id] if demo.unit else []
        create_user(
            None,
            username=demo.username,
            full_name=demo.full_name,
            password="",
            password_hash=_shared_hash(),
            organisation_id=organisation.id,
            roles=demo.roles,
            unit_ids=unit_ids,
            head_of_unit_ids=unit_ids if demo.head else [],
            position_id=ensure_position(organisation, demo.title).id,
        )
    return people


@functools.cache
def _shared_hash() -> str:
    # One argon2 run for all demo users: the demo password is public anyway.
    return hash_password(DEMO_PASSWORD)


def seed_other_organisations(*, credentials: bool = True) -> list[str]:
    """The ``demo_seeders`` hook: the department and the district under the province, with
    their registers, units and people; the external agencies of the directory; and, unless
    ``credentials`` is False (tests that need no signing skip the demo PKI's cost), their
    leaders' and clerks' demo certificates, signature and seal images. Returns the lines
    ``flask seed-demo`` prints."""
    lines = [f"Cơ quan khác trong hệ thống (mật khẩu chung: {DEMO_PASSWORD}):"]
    people: list[str] = []
    if db.session.execute(select(Organisation.id).where(
            Organisation.organ_id == DEMO_ORGAN_ID)).first() is None:
        return []  # the province comes first (seed_demo)
    for details in DEMO_ORGANISATIONS:
        organisation = db.session.execute(
            select(Organisation).where(Organisation.organ_id == details.organ_id)
        ).scalar_one_or_none()
        if organisation is None:
            organisation = create_organisation(None, details)
        lines.append(f"  {organisation.name} ({organisation.organ_id}):")
        for demo in _seed_people(organisation, DEMO_ORGANISATION_UNITS[details.organ_id]):
            roles = ", ".join(role.label for role in demo.roles)
            lines.append(f"    {demo.username:<19} {demo.full_name} — {roles}")
            people.append(demo.username)
    known = set(db.session.execute(select(DirectoryOrgan.organ_id)).scalars())
    for organ_id, name, parent in DEMO_DIRECTORY:
        if organ_id not in known:
            db.session.add(DirectoryOrgan(
                organ_id=organ_id, name=name, parent_organ_id=parent, source="demo",
                address="", email="", telephone="", search_text=search_text_for(organ_id, name)))
    db.session.commit()
    lines.append(f"Danh bạ cơ quan ngoài hệ thống: {len(DEMO_DIRECTORY)} cơ quan mẫu.")
    if not credentials:
        return lines
    # Leaders sign, clerks seal: certificates (PIN 123456) and the images signatures show.
    issued = ensure_demo_credentials(list(db.session.execute(
        select(User).where(User.username.in_(people))).scalars()))
    db.session.commit()
    if issued:
        lines.append(f"Chứng thư số và ảnh chữ ký, con dấu dùng thử (mã PIN {DEMO_PIN}): "
                     + ", ".join(issued))
    return lines
