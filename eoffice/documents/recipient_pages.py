"""The pages of a document's internal recipients (issue #12): their inbox, "Văn bản đến nội
bộ", and what they see of an issued document — its official copy and public metadata, as
``recipient_view`` decides; nothing of how it was drafted and approved."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from eoffice.documents import validation_panel
from eoffice.documents.common import attachments_of
from eoffice.documents.models import Document
from eoffice.documents.queries import internal_inbox as inbox_of
from eoffice.documents.recipient_view import view_of
from eoffice.documents.states import STATE_LABELS

bp = Blueprint("documents_inbox", __name__, url_prefix="/documents")


@bp.get("/internal-inbox")
@login_required
def internal_inbox() -> ResponseReturnValue:
    """Issued documents delivered to the user or to their units, newest first, unread marked."""
    page = max(request.args.get("page", 1, type=int), 1)
    items, total = inbox_of(current_user, page=page)
    return render_template("documents/internal_inbox.html", items=items, total=total,
                           page=page, labels=STATE_LABELS)


def recipient_page(document: Document) -> ResponseReturnValue:
    """The document's page for a recipient (the caller found ``sees_whole`` False): the
    official copy and its signed appendices, the public metadata, and the validation panel
    of the official copy (each signature: who, role, when, valid, long-term data)."""
    view = view_of(current_user, document, attachments_of(document))
    return render_template(
        "documents/recipient_detail.html", document=document, labels=STATE_LABELS, view=view,
        official=view.versions[0] if view.versions else None,
        validation=validation_panel.panel_for(document))
