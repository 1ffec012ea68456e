"""The documents domain's services in one namespace, for pages, the API and other packages.

Each name lives in the layer that owns it (import from there inside ``documents``; modules of
the domain never import this façade, which keeps the layers acyclic):

- ``states``, ``errors`` — state names, the refusals;
- ``rules`` — who is who on a document (drafter, lead handler, unit heads...);
- ``workflow`` — the transition tables and ``transition()``;
- ``common`` — results, notices, checked inputs, files and versions, comments;
- ``outgoing``, ``incoming``, ``case_files``, ``steps`` — the acts;
- ``consultation``, ``exchange``, ``revocation`` — their own acts, beside these;
- ``queries`` — lists, my work, search, history, overdue.
"""

from __future__ import annotations

from eoffice.documents.case_files import (
    create_case_file,
    file_into,
)
from eoffice.documents.common import (
    DRAFT_FILES,
    PDF_ONLY,
    Notice,
    Result,
    add_participant,
    add_version,
    attachments_of,
    comment,
    get_visible,
    store_file,
)
from eoffice.documents.errors import (
    IllegalTransition,
    InvalidInput,
    NotPermitted,
    NotVisible,
    WorkflowError,
)
from eoffice.documents.incoming import (
    Handling,
    IncomingMetadata,
    complete,
    direct,
    find_duplicates,
    present,
    reassign,
    register_incoming,
    register_incoming_upload,
    report_progress,
)
from eoffice.documents.outgoing import (
    OutgoingDraft,
    add_attachment,
    create_outgoing,
    issue,
    mark_opened,
    replace,
    revise_draft,
)
from eoffice.documents.queries import (
    COUNT_CAP,
    URGENCY_FIRST,
    assignments_of,
    comments_of,
    deliveries_of,
    history,
    is_overdue,
    list_documents,
    load_for_page,
    search_documents,
    sweep_overdue,
    waiting_for,
)
from eoffice.documents.rules import (
    is_assignee,
    user_ids_of_unit_heads,
    user_ids_of_units,
)
from eoffice.documents.steps import (
    act,
)

__all__ = [
    "COUNT_CAP",
    "DRAFT_FILES",
    "PDF_ONLY",
    "URGENCY_FIRST",
    "Handling",
    "IllegalTransition",
    "IncomingMetadata",
    "InvalidInput",
    "NotPermitted",
    "NotVisible",
    "Notice",
    "OutgoingDraft",
    "Result",
    "WorkflowError",
    "act",
    "add_attachment",
    "add_participant",
    "add_version",
    "assignments_of",
    "attachments_of",
    "comment",
    "comments_of",
    "complete",
    "create_case_file",
    "create_outgoing",
    "deliveries_of",
    "direct",
    "file_into",
    "find_duplicates",
    "get_visible",
    "history",
    "is_assignee",
    "is_overdue",
    "issue",
    "list_documents",
    "load_for_page",
    "mark_opened",
    "present",
    "reassign",
    "register_incoming",
    "register_incoming_upload",
    "replace",
    "report_progress",
    "revise_draft",
    "search_documents",
    "store_file",
    "sweep_overdue",
    "user_ids_of_unit_heads",
    "user_ids_of_units",
    "waiting_for",
]
