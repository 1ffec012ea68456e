"""Times are stored in UTC and shown in the configured zone (Asia/Ho_Chi_Minh by default)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware-UTC datetime on both SQLite (which keeps no zone) and PostgreSQL.

    Values are stored as naive UTC so the two databases hold and compare the same thing, and
    come back aware so no code can mistake them for local time.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timestamps.utcnow() or an aware value")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def to_local(value: datetime | None, zone: ZoneInfo = VIETNAM) -> datetime | None:
    return None if value is None else value.astimezone(zone)


def format_local(value: datetime | None, zone: ZoneInfo = VIETNAM) -> str:
    """``22/11/2026 11:42`` — the way Vietnamese offices write a date and time."""
    local = to_local(value, zone)
    return "" if local is None else local.strftime("%d/%m/%Y %H:%M")
