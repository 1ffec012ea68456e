"""The reports module: workload and timeliness figures from the audit trail.

``init_app`` subscribes the fact projector to the audit trail and registers the pages, the API
(/api/v1/reports/...), the navigation entries and the ``reports`` commands.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def init_app(app: Flask) -> None:
    from eoffice.audit.service import add_listener
    from eoffice.reports import models  # noqa: F401  (tables known to the metadata)
    from eoffice.reports.facts import project
    from eoffice.reports.links import register_object_name
    from eoffice.reports.names import name_document, name_task
    from eoffice.reports.numbers import vn_number
    from eoffice.reports.scope import can_see_dashboard
    from eoffice.reports.views import api, bp
    from eoffice.web.navigation import NavEntry, register_nav

    add_listener(app, project)
    app.add_template_filter(vn_number, "vn_number")  # 1.234 and 247,5 on every report page
    register_object_name(app, "document", name_document)
    register_object_name(app, "task", name_task)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    register_nav(app, NavEntry("Báo cáo", "reports.dashboard", visible=can_see_dashboard))
    register_nav(app, NavEntry("Số liệu của tôi", "reports.me",
                          visible=lambda user: not can_see_dashboard(user)))

    group = AppGroup("reports", help="Workload reports.")

    @group.command("rebuild")
    def rebuild_command() -> None:
        """Recompute the report facts from the audit trail (after changing holidays)."""
        from eoffice.extensions import db
        from eoffice.reports.facts import rebuild

        count = rebuild()
        db.session.commit()
        click.echo(f"Đã tính lại từ {count} sự kiện.")

    @group.command("seed-holidays")
    def seed_holidays_command() -> None:
        """Add the 2026 Vietnamese public holidays that are missing."""
        from eoffice.extensions import db
        from eoffice.reports.calendar import seed_holidays

        added = seed_holidays()
        db.session.commit()
        click.echo(f"Đã thêm {added} ngày nghỉ.")

    app.cli.add_command(group)
