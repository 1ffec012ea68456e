"""Times are stored in UTC and shown in the configured zone (Asia/Ho_Chi_Minh by default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

#: How far back the clock is set in this context: zero except inside ``clock_set_back``.
_SET_BACK: ContextVar[timedelta] = ContextVar("eoffice_clock_set_back", default=timedelta(0))


def utcnow() -> datetime:
    return datetime.now(UTC) - _SET_BACK.get()


@contextmanager
def clock_set_back(delta: timedelta) -> Iterator[None]:
    """Run the block as if it were ``delta`` ago, for ``utcnow`` only (not the signing PKI's
    clock). For the demo seed alone: it builds weeks of history through the real services, so
    their rows and events carry past times. A context variable, so it never leaks into other
    threads or requests."""
    token = _SET_BACK.set(delta)
    try:
        yield
    finally:
        _SET_BACK.reset(token)


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
