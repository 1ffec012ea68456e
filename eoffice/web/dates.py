"""Dates as people here write them — dd/mm/yyyy — whatever the browser's language.

A native ``<input type="date">`` shows the browser's own format (an English Chrome shows
mm/dd/yyyy), so date fields are text fields with a dd/mm/yyyy pattern, read here on the server.
ISO yyyy-mm-dd is accepted too (the API, links, older bookmarks). This is the one parser of
entered dates: forms, the declared actions and the plain page parameters all use it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wtforms import DateField
from wtforms.widgets import TextInput

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
