"""Per-application extension points: where modules plug their rules, links and page parts.

Modules built on top of the core (documents, tasks, reports, meetings) register here in their
``init_app(app)``, so the core calls them without importing them. Registrations live in the
application they were made on (``app.extensions``), never in module globals: two apps in one
process — tests make many, with and without meetings — must not see each other's parts.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

_KEY = "eoffice.extension_points"


def registered(point: str, app: Flask | None = None) -> list[Any]:
    """The items registered at ``point`` on ``app`` (default: the current app), in order."""
    target = app if app is not None else current_app
    points: dict[str, list[Any]] = target.extensions.setdefault(_KEY, {})
    return points.setdefault(point, [])


def register(app: Flask, point: str, item: Any) -> None:
    """Add ``item`` at ``point`` once (registering the same item again changes nothing)."""
    items = registered(point, app)
    if item not in items:
        items.append(item)
