"""Documents travelling between organisations: inside this installation (local delivery) and to
other installations through a national-axis style transport (``axis``), as edXML packages and
status messages. ``ports`` is the seam between the two halves.

``init_app`` plugs the exchange core in: its tables, the transition listeners (issue, revoke
and replace leave through the outbox; an incoming document's handling flows back as status
messages), the outbox job, the pages and API, what the document page's partial reads, and
``flask exchange set-certificate``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the exchange core into ``app`` (after the documents module)."""
    from eoffice.documents.workflow import on_transition
    from eoffice.exchange import (
        at_once,
        certificate_cli,
        models,  # noqa: F401  (tables known to migrations)
        outbox,
        statuses,
    )
    from eoffice.exchange.dispatches import JOB_KIND
    from eoffice.exchange.views import api, bp, exchange_panel
    from eoffice.files.orphans import register_object_reference
    from eoffice.jobs import register_handler

    on_transition(app, outbox.after_transition)
    on_transition(app, statuses.after_transition)
    register_handler(app, JOB_KIND, outbox.run_dispatch)
    register_object_reference(app, outbox.names_object)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    app.jinja_env.globals["exchange_panel"] = exchange_panel
    at_once.listen()
    certificate_cli.register_commands(app)  # flask exchange set-certificate
