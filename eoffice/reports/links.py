"""Where an object of each kind lives in the web pages, and what it is called, told by the
module that owns it.

Reports link every event to its document, meeting or task without importing those modules:
``register_object_link(app, "meeting", lambda object_id: url_for(...))`` and
``register_object_name(app, "meeting", namer)`` at ``init_app``. A namer answers, for one
viewer, the object's plain name ("Văn bản đến số 7 — Về việc …") and the page to open when
that viewer may open it; otherwise reports open their own page about the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from eoffice.extension_points import register, registered

LinkBuilder = Callable[[str], "str | None"]


@dataclass(frozen=True)
class ObjectName:
    """An object as a reader of a report sees it: its name, and its page if they may open it."""

    label: str
    url: str | None = None


Namer = Callable[[str, Any], "ObjectName | None"]

#: What an object is called when its module names nothing better (never its id).
KIND_LABELS = {"document": "Văn bản", "meeting": "Cuộc họp", "task": "Công việc",
               "user": "Tài khoản", "unit": "Đơn vị", "file": "Tệp", "holiday": "Ngày nghỉ",
               "organisation": "Cơ quan", "api_token": "Khóa API", "store": "Kho tệp",
               "notification": "Thông báo"}


def register_object_link(app: Flask, kind: str, builder: LinkBuilder) -> None:
    register(app, "object_links", (kind, builder))


def register_object_name(app: Flask, kind: str, namer: Namer) -> None:
    """``namer(object_id, viewer)`` names an object of ``kind`` for reports."""
    register(app, "object_names", (kind, namer))


def link_for(kind: str, object_id: str) -> str | None:
    builders = [b for k, b in registered("object_links") if k == kind]
    if not builders:
        return None
    builder = builders[-1]
    try:
        return builder(str(object_id))
    except Exception:  # a broken builder must not break the report; the row just has no link
        return None


def name_for(kind: str, object_id: str, viewer: Any) -> ObjectName:
    """The object's plain name for ``viewer`` and, if they may open it, its page."""
    namers = [n for k, n in registered("object_names") if k == kind]
    named = None
    if namers:
        try:
            named = namers[-1](str(object_id), viewer)
        except Exception:  # a broken namer must not break the report; the kind still reads
            named = None
    return named or ObjectName(KIND_LABELS.get(kind, "Đối tượng"))
