"""Working days skip weekends, public holidays and compensatory days off."""

from __future__ import annotations

from datetime import date, datetime

from eoffice.reports.calendar import (
    VIETNAM_HOLIDAYS_2026,
    add_working_days_pure,
    working_days_between_pure,
)
from eoffice.timestamps import VIETNAM

HOLIDAYS = {day for day, _ in VIETNAM_HOLIDAYS_2026}


def local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VIETNAM)


def test_three_working_days_from_friday_skip_the_weekend() -> None:
    due = add_working_days_pure(local("2026-06-05 10:00"), 3, HOLIDAYS)
    assert due == datetime(2026, 6, 10, 23, 59, 59, tzinfo=VIETNAM)  # Wednesday


def test_holidays_and_the_compensatory_day_are_skipped() -> None:
    # Fri 24/4 → skip Sat 25, Sun 26 (Giỗ Tổ), Mon 27 (nghỉ bù): 28, 29, then 30/4, 1/5 and
    # the weekend are off, so the third working day is Monday 4/5.
    due = add_working_days_pure(local("2026-04-24 09:00"), 3, HOLIDAYS)
    assert due.astimezone(VIETNAM).date() == date(2026, 5, 4)
    # Tết: 3 working days from Friday 13/2 end on Wednesday 25/2.
    assert add_working_days_pure(local("2026-02-13 09:00"), 3, HOLIDAYS).astimezone(
        VIETNAM).date() == date(2026, 2, 25)


def test_lateness_counts_working_days_only() -> None:
    deadline = local("2026-04-29 23:59")
    assert working_days_between_pure(deadline, local("2026-05-04 08:00"), HOLIDAYS) == 1
    assert working_days_between_pure(deadline, local("2026-04-29 23:59"), HOLIDAYS) == 0
    assert working_days_between_pure(local("2026-08-28 17:00"), local("2026-09-03 09:00"),
                                     HOLIDAYS) == 2  # Mon 31/8 and Thu 3/9


def test_the_2026_list_has_the_statutory_days() -> None:
    assert len(HOLIDAYS) == 12
    assert all(day.year == 2026 for day in HOLIDAYS)
    assert {date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 1), date(2026, 9, 2)} <= HOLIDAYS
