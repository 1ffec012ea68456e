"""Dates and times as people here write them — dd/mm/yyyy [HH:MM] — whatever the browser's
language.

A native ``<input type="date">`` shows the browser's own format (an English Chrome shows
mm/dd/yyyy), so date fields are text fields with a dd/mm/yyyy pattern, read here on the server.
ISO yyyy-mm-dd is accepted too (the API, links, older bookmarks). This is the one parser of
entered dates: forms, the declared actions and the plain page parameters all use it.

Moments (a deadline, a meeting's start) are the same text fields with a time after the date,
``15/01/2027 14:30``, read as Asia/Ho_Chi_Minh time (the native ``datetime-local`` widget has
the same mm/dd/yyyy and 12-hour problem in an English browser); they are stored in UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from wtforms import DateField, DateTimeField
from wtforms.widgets import TextInput

from eoffice.timestamps import VIETNAM, to_local

#: What the browser checks before sending (the server checks again).
DAY_PATTERN = r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"
_DMY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")

#: Attributes of every date input (templates: ``{{ day_input_attrs|xmlattr }}``).
DAY_INPUT = {"type": "text", "inputmode": "numeric", "placeholder": "dd/mm/yyyy",
             "pattern": DAY_PATTERN, "autocomplete": "off"}


def parse_day(text: str | None) -> date | None:
    """The date written as dd/mm/yyyy (or yyyy-mm-dd); None when empty; ValueError when it is
    not a date."""
    if text is None or not text.strip():
        return None
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text.strip())


def show_day(value: date | None) -> str:
    """dd/mm/yyyy (empty for no date)."""
    return value.strftime("%d/%m/%Y") if value else ""


class DayField(DateField):
    """A WTForms date field written and shown as dd/mm/yyyy."""

    widget = TextInput()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {**{k: v for k, v in DAY_INPUT.items() if k != "type"},
                     **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, format=["%d/%m/%Y", "%Y-%m-%d"],
                         render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return show_day(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_day(str(valuelist[0]))
        except ValueError:
            self.data = None
            raise ValueError("Ngày không hợp lệ (viết theo dạng dd/mm/yyyy).") from None


#: A date with an optional time (HH:MM, 24-hour), or ISO 8601.
MOMENT_PATTERN = (r"\d{1,2}/\d{1,2}/\d{4}( \d{1,2}:\d{2})?"
                  r"|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?")
_DMY_TIME = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:hH](\d{2}))?\s*$")
#: Attributes of every date-and-time input.
MOMENT_INPUT = {"type": "text", "inputmode": "numeric", "placeholder": "dd/mm/yyyy hh:mm",
                "pattern": MOMENT_PATTERN, "autocomplete": "off"}
END_OF_DAY = time(23, 59)


def parse_moment(text: str | None, *, day_alone: time | None = END_OF_DAY) -> datetime | None:
    """The moment written as ``dd/mm/yyyy HH:MM`` (or ISO 8601), in Vietnam time unless the
    text names its zone; None when empty; ValueError when it is not a moment.

    A date without a time means ``day_alone`` on that day (the end of the day for a deadline);
    ``day_alone=None`` refuses a date without a time (a meeting's start needs its hour).
    """
    if text is None or not text.strip():
        return None
    match = _DMY_TIME.match(text)
    if match:
        day, month, year, hour, minute = match.groups()
        on = date(int(year), int(month), int(day))
        if hour is None:
            if day_alone is None:
                raise ValueError("a time is needed")
            clock = day_alone
        else:
            clock = time(int(hour), int(minute))
        return datetime.combine(on, clock, tzinfo=VIETNAM)
    stripped = text.strip()
    if len(stripped) == 10:  # ISO day alone
        return parse_moment(show_day(date.fromisoformat(stripped)), day_alone=day_alone)
    moment = datetime.fromisoformat(stripped)
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def show_moment(value: datetime | None) -> str:
    """``15/01/2027 14:30`` in Vietnam time (empty for none)."""
    local = to_local(value) if value is not None and value.tzinfo else value
    return local.strftime("%d/%m/%Y %H:%M") if local else ""


class MomentField(DateTimeField):
    """A WTForms date-and-time field written and shown as dd/mm/yyyy HH:MM, Vietnam time;
    its data is an aware datetime."""

    widget = TextInput()

    def __init__(self, label: str | None = None, validators: Any = None, *,
                 day_alone: time | None = END_OF_DAY, **kwargs: Any) -> None:
        render_kw = {**{k: v for k, v in MOMENT_INPUT.items() if k != "type"},
                     **kwargs.pop("render_kw", {})}
        self.day_alone = day_alone
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return show_moment(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = parse_moment(str(valuelist[0]), day_alone=self.day_alone)
        except ValueError:
            self.data = None
            raise ValueError("Thời gian không hợp lệ (viết theo dạng dd/mm/yyyy hh:mm, "
                             "ví dụ 15/01/2027 14:30).") from None
