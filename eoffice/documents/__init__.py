"""The documents module. ``init_app`` registers its blueprints, navigation and "my work" section."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the module into the application: models, file rule, pages, API, sockets, CLI."""
    from eoffice.documents import models  # noqa: F401  (tables known to migrations)
    from eoffice.documents.files_rule import document_file_rule
    from eoffice.files.access import register_file_rule

    register_file_rule(document_file_rule)
    try:
        from eoffice.documents.web import init_web
    except ImportError:  # pages not built yet
        return
    init_web(app)
