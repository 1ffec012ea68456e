"""Demo organisation and one user per role, so ``make run`` shows a working office at once.

Idempotent: running it again adds what is missing and changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from eoffice.accounts.models import User
from eoffice.accounts.passwords import hash_password
from eoffice.accounts.roles import Role
from eoffice.accounts.service import create_user
from eoffice.extensions import db
from eoffice.organisation.models import Organisation, Unit
from eoffice.organisation.service import create_unit, ensure_position

DEMO_PASSWORD = "matkhau123"
DEMO_ORGAN_ID = "000.00.00.H41"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    title: str
    roles: tuple[Role, ...]
    unit: str | None
    head: bool = False


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


def seed_demo() -> list[DemoUser]:
    """Create the demo organisation, its units and users where missing; commit."""
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
        )
        db.session.add(organisation)
        db.session.flush()
    units: dict[str, Unit] = {
        unit.abbreviation: unit
        for unit in db.session.execute(
            select(Unit).where(Unit.organisation_id == organisation.id)
        ).scalars()
    }
    for name, abbreviation, parent in DEMO_UNITS:
        if abbreviation not in units:
            parent_id = units[parent].id if parent else None
            units[abbreviation] = create_unit(
                None, organisation, name=name, abbreviation=abbreviation, parent_id=parent_id
            )
    shared_hash: str | None = None  # one argon2 run for all: the demo password is public anyway
    for demo in DEMO_USERS:
        exists = db.session.execute(
            select(User.id).where(func.lower(User.username) == demo.username)
        ).first()
        if exists:
            continue
        unit_ids = [units[demo.unit].id] if demo.unit else []
        shared_hash = shared_hash or hash_password(DEMO_PASSWORD)
        create_user(
            None,
            username=demo.username,
            full_name=demo.full_name,
            password="",
            password_hash=shared_hash,
            organisation_id=organisation.id,
            roles=demo.roles,
            unit_ids=unit_ids,
            head_of_unit_ids=unit_ids if demo.head else [],
            position_id=ensure_position(organisation, demo.title).id,
        )
    db.session.commit()
    return DEMO_USERS
