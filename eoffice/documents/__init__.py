"""The documents module. ``init_app`` registers its blueprints, navigation and "my work" section."""

from __future__ import annotations

import click
from flask import Flask, url_for
from flask.cli import AppGroup
from huey import crontab

from eoffice.accounts.models import User
from eoffice.extension_points import register
from eoffice.jobs import register_handler, register_periodic
from eoffice.signing_keys import DEMO_PIN, ensure_demo_credentials, issue_user_certificate


def init_app(app: Flask) -> None:
    """Plug the module into the application: models, file rule, pages, API, sockets, CLI."""
    from eoffice.documents import (
        box_placement_actions,  # noqa: F401  (declared before the routes are built)
        models,  # noqa: F401  (tables known to migrations)
        representation,
    )
    from eoffice.documents.api import bp as api_bp
    from eoffice.documents.exchange import report_after_transition
    from eoffice.documents.files_rule import (
        document_file_rule,
        edxml_record_names,
        recipient_file_veto,
        secret_document_veto,
    )
    from eoffice.documents.filing_work import to_file_section
    from eoffice.documents.indexing import reindex_after_transition
    from eoffice.documents.notifications import init_socket
    from eoffice.documents.queries import has_internal_inbox
    from eoffice.documents.recipient_pages import bp as inbox_bp
    from eoffice.documents.views import bp
    from eoffice.documents.workflow import on_transition
    from eoffice.files.access import register_file_rule, register_file_veto
    from eoffice.files.orphans import register_object_reference
    from eoffice.web.my_work import register_section
    from eoffice.web.navigation import NavEntry, register_nav

    # After every transition, in the same transaction: the index first, then the sender.
    on_transition(app, reindex_after_transition)
    on_transition(app, report_after_transition)
    register(app, "api_schemas", representation.SCHEMAS)  # OpenAPI: what documents answer
    register_file_rule(app, document_file_rule)
    register_file_veto(app, secret_document_veto)
    register_file_veto(app, recipient_file_veto)  # a recipient gets the issued copy only
    register_object_reference(app, edxml_record_names)
    app.register_blueprint(bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(api_bp)
    register_nav(app, NavEntry("Văn bản đến", "documents.incoming_list"))
    # Issued outgoing documents delivered to the user or their unit (issue #12); shown
    # once something was delivered to them.
    register_nav(app, NavEntry("Văn bản đến nội bộ", "documents_inbox.internal_inbox",
                               has_internal_inbox))
    register_nav(app, NavEntry("Văn bản đi", "documents.outgoing_list"))
    register_section(app, "documents", my_work_section)
    register_section(app, "to_file", to_file_section)  # completed, waiting to be filed
    from eoffice.reports.links import register_object_link

    register_object_link(app, "document", document_link)
    init_socket(app)
    _register_cli(app)
    register(app, "demo_seeders", seed_documents)  # runs in ``flask seed-demo``
    # The overdue sweep runs every 15 minutes on the job queue (the command stays for cron).
    from eoffice.documents import batch_signing
    from eoffice.documents.generation import convert_draft_job
    from eoffice.documents.registers import export_job
    from eoffice.documents.sweeps import overdue_job

    register_handler(app, "convert_draft", convert_draft_job)
    from eoffice.documents import box_placement, format_check, validation_panel, viewed_pdf

    viewed_pdf.init_app(app)  # the leader's approval binds the PDF he approved (issue #11)
    format_check.init_app(app)  # "Đạt thể thức" only for A4 with room for number, date, sign
    box_placement.init_app(app)  # the checker places those boxes on an upload's preview
    validation_panel.init_app(app)  # the issued copy's signatures, validated once (job)
    register_handler(app, "register_export", export_job)
    register_handler(app, "sign_batch", batch_signing.interrupted)
    register_handler(app, "documents_overdue", overdue_job)
    register_periodic(app, "documents_overdue", crontab(minute="*/15"))


def document_link(object_id: str) -> str | None:
    """Where reports send a reader of an event about document ``object_id``."""
    from eoffice.documents.models import Direction, Document
    from eoffice.extensions import db

    document = db.session.get(Document, int(object_id)) if object_id.isdigit() else None
    if document is None:
        return None
    endpoint = (
        "documents.outgoing_view"
        if document.direction == Direction.OUTGOING
        else "documents.incoming_view"
    )
    return url_for(endpoint, document_id=document.id)


def my_work_section(user: User):  # type: ignore[no-untyped-def]
    """Documents waiting for ``user``, most urgent and nearest deadline first."""
    from eoffice.documents.consultation import open_for
    from eoffice.documents.models import Direction
    from eoffice.documents.service import is_overdue, waiting_for
    from eoffice.documents.workflow import STATE_LABELS
    from eoffice.extensions import db
    from eoffice.web.my_work import WorkItem, WorkSection

    consulted = set(db.session.execute(open_for(user)).scalars())
    items = []
    for document in waiting_for(user):
        outgoing = document.direction == Direction.OUTGOING
        endpoint = "documents.outgoing_view" if outgoing else "documents.incoming_view"
        marks = [STATE_LABELS.get(document.state, document.state)]
        if document.id in consulted:
            marks.insert(0, "Xin ý kiến của bạn")
        if document.urgency:
            marks.append(document.urgency_label)
        if document.secrecy:
            marks.append(document.secrecy_label)
        items.append(WorkItem(
            title=f"{'Văn bản đi' if outgoing else 'Văn bản đến'}: {document.subject}",
            url=url_for(endpoint, document_id=document.id),
            kind="document",
            deadline=document.due_date,
            urgent=document.urgency > 0,
            overdue=is_overdue(document),
            note=" · ".join(marks),
        ))
    return WorkSection("documents", "Văn bản chờ xử lý", "Không có văn bản nào chờ bạn.", items)


def seed_documents() -> list[str]:
    """Demo signing credentials: a certificate for each leader, the organisation's seal."""
    from sqlalchemy import select

    from eoffice.extensions import db

    issued = ensure_demo_credentials(list(db.session.execute(select(User)).scalars()))
    lines = [f"Chứng thư số dùng thử (mã PIN ký số: {DEMO_PIN}):"]
    lines += [f"  {name}" for name in issued] or ["  (đã có từ trước)"]
    return lines


def _register_cli(app: Flask) -> None:
    group = AppGroup("documents", help="Official documents: demo PKI and certificates.")

    @group.command("seed-pki")
    def seed_pki() -> None:
        """Create the demo PKI and issue demo certificates (PIN 123456); idempotent."""
        for line in seed_documents():
            click.echo(line)

    @group.command("issue-certificate")
    @click.argument("username")
    @click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True)
    def issue_certificate(username: str, pin: str) -> None:
        """Issue a personal signing certificate from the embedded PKI for USERNAME."""
        from sqlalchemy import select

        from eoffice.extensions import db

        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        issue_user_certificate(user, pin)
        click.echo(f"Đã cấp chứng thư số cho {user.full_name}.")

    from eoffice.signing_keys.import_cli import import_certificate_command

    group.add_command(import_certificate_command)

    @group.command("sweep-overdue")
    def sweep_overdue_command() -> None:
        """Flag incoming documents past their deadline (audit ``overdue``) and notify."""
        from eoffice.documents.notifications import send
        from eoffice.documents.service import sweep_overdue
        from eoffice.extensions import db
        from eoffice.links import link_context

        notices = sweep_overdue()
        db.session.commit()
        with link_context(app):
            send(notices)
        click.echo(f"{len(notices)} văn bản quá hạn được ghi nhận.")

    if "documents" not in app.cli.commands:
        app.cli.add_command(group)
