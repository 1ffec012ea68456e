"""Paperless meetings: the meeting domain and its Socket.IO namespace.

``init_app`` plugs the module into an eoffice application; ``eoffice`` never imports this package.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages, the API (/api/v1/meetings and its OpenAPI schema), the ``/meeting``
    namespace, navigation, "my work", file rule and the demo meeting ``flask seed-demo``
    prepares."""
    if app.extensions.get("eoffice.meetings"):
        return
    from huey import crontab

    from eoffice.extension_points import register
    from eoffice.files.access import register_file_rule
    from eoffice.jobs import register_handler, register_periodic
    from eoffice.reports.links import register_object_link, register_object_name
    from eoffice.web.my_work import register_section
    from eoffice.web.navigation import NavEntry, register_nav
    from meetings import service
    from meetings.access import name_for_reports
    from meetings.api import bp as api_bp
    from meetings.demo import seed_meeting
    from meetings.namespace import init_socketio
    from meetings.reminders import remind_job
    from meetings.representation import MEETING_SCHEMA
    from meetings.transport import NoDelay
    from meetings.views import bp, my_work_section
    from meetings.work import invitations_section, minutes_section

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)  # /api/v1/meetings: reads, creation, the declared actions
    register(app, "api_schemas", {"Meeting": MEETING_SCHEMA})  # OpenAPI: what meetings answer
    init_socketio(app)
    app.wsgi_app = NoDelay(app.wsgi_app)  # type: ignore[method-assign]
    register_nav(app, NavEntry("Cuộc họp", "meetings.index"))
    register_section(app, "meetings", my_work_section)
    register_section(app, "invitations", invitations_section)
    register_section(app, "minutes", minutes_section)
    register_file_rule(app, service.file_rule)
    register_object_link(app, "meeting", meeting_link)
    register_object_name(app, "meeting", name_for_reports)  # named, never "#12"
    _register_cli(app)
    register(app, "demo_seeders", seed_meeting)  # after the documents seeder (init order)
    # Reminders go out every five minutes from the job queue (the command stays for cron).
    register_handler(app, "meetings_remind", remind_job)
    from meetings import invitation, minutes

    register_handler(app, minutes.JOB_KIND, minutes.minutes_job)  # biên bản built off-request
    app.add_template_global(minutes.notes_of, "minutes_notes")
    app.add_template_global(minutes.number_of, "minutes_number")
    app.add_template_global(minutes.being_built, "minutes_being_built")
    app.add_template_global(invitation.state_of, "invitation_state")
    app.add_template_global(invitation.may_seal, "may_seal_invitation")
    register_periodic(app, "meetings_remind", crontab(minute="*/5"))
    app.extensions["eoffice.meetings"] = True


def meeting_link(object_id: str) -> str | None:
    """Where reports send a reader of an event about meeting ``object_id``."""
    from flask import url_for

    return url_for("meetings.detail", meeting_id=int(object_id)) if object_id.isdigit() else None


def _register_cli(app: Flask) -> None:
    import click
    from flask.cli import AppGroup

    group = AppGroup("meetings", help="Cuộc họp (paperless meetings).")

    @group.command("remind")
    def remind_command() -> None:
        """Remind invitees of meetings starting within a day (each once), push and e-mail."""
        from eoffice.links import link_context
        from meetings.reminders import send_reminders

        with link_context(app):
            done = send_reminders()
        click.echo(f"Đã nhắc lịch {done.people} người, {done.meetings} cuộc họp; "
                   f"đã xếp {done.mails} thư điện tử vào hàng đợi gửi.")

    app.cli.add_command(group)
