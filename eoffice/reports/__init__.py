"""The reports module. ``init_app`` registers its blueprints, navigation and "my work" section."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the module into the application (filled in as the module is built)."""
