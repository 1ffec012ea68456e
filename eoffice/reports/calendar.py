"""Working days: Monday to Friday, minus public holidays kept in the ``holidays`` table.

Deadlines counted in working days end at the close of the local (Vietnam) day, so "3 working days
from Friday" skips the weekend and any holiday or compensatory day off in between.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from eoffice.extensions import db
from eoffice.reports.models import Holiday
from eoffice.timestamps import VIETNAM

# Vietnamese public holidays for 2026 (Labour Code 2019, Art. 112) as civil servants take them.
# Checked against the calendar: 1/1 is a Thursday; Tết (lunar new year's day 17/2/2026) is taken
# Mon 16/2–Fri 20/2 per the 2026 schedule announced for civil servants; Giỗ Tổ 10/3 âm lịch falls
# on Sun 26/4/2026, so Mon 27/4 is given as a compensatory day (nghỉ bù); 30/4 Thu, 1/5 Fri;
# Quốc khánh is 2/9 plus an adjacent day, taken Tue 1/9–Wed 2/9. UNCERTAIN: the government's
# final 2026 decisions (e.g. any swap of working days, or a new holiday such as 24/11) must be
# confirmed by the administrator; the table is editable on the admin page.
VIETNAM_HOLIDAYS_2026: list[tuple[date, str]] = [
    (date(2026, 1, 1), "Tết Dương lịch"),
    (date(2026, 2, 16), "Tết Nguyên đán"),
    (date(2026, 2, 17), "Tết Nguyên đán"),
    (date(2026, 2, 18), "Tết Nguyên đán"),
    (date(2026, 2, 19), "Tết Nguyên đán"),
    (date(2026, 2, 20), "Tết Nguyên đán"),
    (date(2026, 4, 26), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
    (date(2026, 4, 30), "Ngày Chiến thắng"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
]


def local_date(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def is_working_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=VIETNAM).astimezone(UTC)


def add_working_days_pure(start: datetime, days: int, holidays: set[date]) -> datetime:
    """The end of the ``days``-th working day after ``start``'s local date."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = local_date(start)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return end_of_local_day(day)


def working_days_between_pure(start: datetime, end: datetime, holidays: set[date]) -> int:
    """Working days d with local(start) < d <= local(end); 0 when end is not after start."""
    first, last = local_date(start), local_date(end)
    count = 0
    day = first + timedelta(days=1)
    while day <= last:
        if is_working_day(day, holidays):
            count += 1
        day += timedelta(days=1)
    return count


def holidays_between(first: date, last: date) -> set[date]:
    return set(db.session.execute(
        select(Holiday.day).where(Holiday.day >= first, Holiday.day <= last)
    ).scalars())


def add_working_days(start: datetime, days: int) -> datetime:
    # Generous window: even long Tết breaks cannot push 'days' working days beyond twice + 30.
    first = local_date(start)
    holidays = holidays_between(first, first + timedelta(days=days * 2 + 30))
    return add_working_days_pure(start, days, holidays)


def working_days_between(start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    return working_days_between_pure(start, end, holidays_between(local_date(start),
                                                                  local_date(end)))


def seed_holidays(entries: Iterable[tuple[date, str]] = VIETNAM_HOLIDAYS_2026) -> int:
    """Add the listed holidays that are missing; return how many were added (idempotent)."""
    entries = list(entries)
    existing = holidays_between(min(d for d, _ in entries), max(d for d, _ in entries))
    added = 0
    for day, name in entries:
        if day not in existing:
            db.session.add(Holiday(day=day, name=name))
            added += 1
    db.session.flush()
    return added
