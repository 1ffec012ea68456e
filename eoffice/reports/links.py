"""Where an object of each kind lives in the web pages, told by the module that owns it.

Reports link every event to its document, meeting or task without importing those modules:
``register_object_link("meeting", lambda object_id: url_for(...))`` at ``init_app``.
"""

from __future__ import annotations

from collections.abc import Callable

LinkBuilder = Callable[[str], "str | None"]
_builders: dict[str, LinkBuilder] = {}


def register_object_link(kind: str, builder: LinkBuilder) -> None:
    _builders[kind] = builder


def link_for(kind: str, object_id: str) -> str | None:
    builder = _builders.get(kind)
    if builder is None:
        return None
    try:
        return builder(str(object_id))
    except Exception:  # a broken builder must not break the report; the row just has no link
        return None
