"""Where an object of each kind lives in the web pages, told by the module that owns it.

Reports link every event to its document, meeting or task without importing those modules:
``register_object_link(app, "meeting", lambda object_id: url_for(...))`` at ``init_app``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from eoffice.extension_points import register, registered

LinkBuilder = Callable[[str], "str | None"]


def register_object_link(app: Flask, kind: str, builder: LinkBuilder) -> None:
    register(app, "object_links", (kind, builder))


def link_for(kind: str, object_id: str) -> str | None:
    builders = [b for k, b in registered("object_links") if k == kind]
    if not builders:
        return None
    builder = builders[-1]
    try:
        return builder(str(object_id))
    except Exception:  # a broken builder must not break the report; the row just has no link
        return None
