"""Reports link each document event to the document's own page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from eoffice.reports.links import link_for


def test_report_rows_link_to_the_document_page(
    ctx: Flask, new_outgoing: Callable[..., Any], new_incoming: Callable[..., Any]
) -> None:
    outgoing, incoming = new_outgoing(), new_incoming()
    with ctx.test_request_context():
        assert link_for("document", str(outgoing.id)) == f"/documents/outgoing/{outgoing.id}"
        assert link_for("document", str(incoming.id)) == f"/documents/incoming/{incoming.id}"
        assert link_for("document", "999999") is None
