"""The tasks module (giao việc). ``init_app`` registers its pages, navigation, "my work" section,
file rule and the ``tasks remind`` command.

Other modules create tasks through ``eoffice.tasks.service.assign_task`` (meetings' action items,
incoming documents) so that "my work" needs no import of them.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def init_app(app: Flask) -> None:
    from flask import url_for
    from huey import crontab

    from eoffice.extension_points import register
    from eoffice.extensions import db
    from eoffice.files.access import register_file_rule
    from eoffice.jobs import Job, register_handler, register_periodic
    from eoffice.reports.links import register_object_link
    from eoffice.tasks import models  # noqa: F401  (tables known to the metadata)
    from eoffice.tasks.api import api
    from eoffice.tasks.representation import TASK_SCHEMA
    from eoffice.tasks.service import remind_due
    from eoffice.tasks.views import bp
    from eoffice.tasks.work import may_see_task_file, task_section
    from eoffice.web.my_work import register_section
    from eoffice.web.navigation import NavEntry, register_nav

    app.register_blueprint(bp)
    app.register_blueprint(api)
    register(app, "api_schemas", {"Task": TASK_SCHEMA})  # OpenAPI: what the tasks API answers
    register_nav(app, NavEntry("Công việc", "tasks.index"))
    register_section(app, "tasks", task_section)
    register_file_rule(app, may_see_task_file)
    register_object_link(app, "task", lambda object_id: url_for("tasks.detail",
                                                           task_id=int(object_id)))

    def remind_job(_job: Job) -> dict[str, int]:
        """Reminders before and after deadlines, each once (a periodic job)."""
        counts = remind_due()
        db.session.commit()
        return dict(counts)

    # Every 15 minutes from the job queue (the command stays for cron).
    register_handler(app, "tasks_remind", remind_job)
    register_periodic(app, "tasks_remind", crontab(minute="*/15"))

    group = AppGroup("tasks", help="Tasks (giao việc).")

    @group.command("remind")
    def remind_command() -> None:
        """Send due reminders (before and after deadlines), each once; record each one."""
        counts = remind_due()
        db.session.commit()
        click.echo(
            f"Nhắc trước hạn: {counts['task_reminded']}; nhắc quá hạn: {counts['task_overdue']}"
        )

    app.cli.add_command(group)
