"""The roles of the system and their Vietnamese labels."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SUPER_ADMIN = "super_admin"  # installation-wide settings: holidays, organisations
    ADMIN = "admin"  # accounts, units and settings of one organisation
    CLERK = "clerk"  # văn thư
    SPECIALIST = "specialist"  # chuyên viên
    UNIT_HEAD = "unit_head"  # trưởng/phó phòng
    LEADER = "leader"  # lãnh đạo
    MEETING_SECRETARY = "meeting_secretary"  # thư ký cuộc họp
    MANAGER = "manager"  # xem báo cáo, đánh giá cán bộ

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.SUPER_ADMIN: "Quản trị toàn hệ thống",
    Role.ADMIN: "Quản trị cơ quan",
    Role.CLERK: "Văn thư",
    Role.SPECIALIST: "Chuyên viên",
    Role.UNIT_HEAD: "Trưởng/phó đơn vị",
    Role.LEADER: "Lãnh đạo",
    Role.MEETING_SECRETARY: "Thư ký cuộc họp",
    Role.MANAGER: "Cán bộ quản lý",
}
