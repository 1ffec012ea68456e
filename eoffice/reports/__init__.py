"""The reports module: workload and timeliness figures from the audit trail.

``init_app`` subscribes the fact projector to the audit trail and registers the pages, the API,
the navigation entry and the ``reports`` commands.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from eoffice.audit.service import add_listener
    from eoffice.reports import models  # noqa: F401  (tables known to the metadata)
    from eoffice.reports.facts import project

    add_listener(project)
