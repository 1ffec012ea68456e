"""Meeting rules, one idea per module; this façade keeps ``meetings.service.X`` working for callers.

Pages, the API, the Socket.IO namespace, the demo seeder, benches and tests call the meeting
rules through this module. Each rule lives in the module of its idea, which imports only those
listed above it:

- ``meetings.errors``: the refusals (``MeetingError`` and its classes, one tree with
  ``eoffice.errors``: each carries the HTTP status its use calls for).
- ``meetings.access``: who may see a meeting, prepare it, create one, join its session in which
  role, and open which of its papers (the file's own vetoes included); a user's meetings.
- ``meetings.preparation``: create a meeting, its agenda, its papers, the invitations, the
  invitees' answers (accept, decline, send a deputy) and the reminders due a day before.
- ``meetings.live_session``: the live session kept in the database (``live_transaction``,
  commands, snapshots, the roster, publishing changes) and the private notes on the papers.
- ``meetings.polls``: prepare, open and close a poll; cast a ballot; its progress.
- ``meetings.follow_ups``: action items that become tasks, and the session's record
  (attendance, speeches, ballots, action items) the minutes are built from.

The pure state machine of the session is ``meetings.live``; the minutes are ``meetings.minutes``.
The acts of preparation, as pages and the API offer them, are declared in ``meetings.actions``.
New code may import from the modules themselves.
"""

from __future__ import annotations

from meetings.access import (
    CREATOR_ROLES,
    can_create,
    can_manage,
    can_view,
    can_view_document,
    file_rule,
    get_meeting,
    live_role,
    meetings_for,
    participant_row,
    upcoming_for,
)
from meetings.errors import MeetingError
from meetings.follow_ups import (
    action_items,
    add_action_item,
    attendance_counts,
    speeches,
    vote_records,
)
from meetings.live import Actor, Change, LiveError
from meetings.live_session import (
    RETRIES,
    Publisher,
    command,
    live_transaction,
    notes_for,
    save_note,
    set_publisher,
    snapshot,
    sync_roster,
)
from meetings.polls import (
    DEFAULT_OPTIONS,
    Ballot,
    cast_vote,
    close_poll,
    create_poll,
    open_poll,
    poll_progress,
)
from meetings.preparation import (
    REMIND_BEFORE_HOURS,
    add_agenda_item,
    attach_existing,
    attach_upload,
    create_meeting,
    due_reminders,
    respond,
    send_invitations,
)

__all__ = [
    "CREATOR_ROLES",
    "DEFAULT_OPTIONS",
    "REMIND_BEFORE_HOURS",
    "RETRIES",
    "Actor",
    "Ballot",
    "Change",
    "LiveError",
    "MeetingError",
    "Publisher",
    "action_items",
    "add_action_item",
    "add_agenda_item",
    "attach_existing",
    "attach_upload",
    "attendance_counts",
    "can_create",
    "can_manage",
    "can_view",
    "can_view_document",
    "cast_vote",
    "close_poll",
    "command",
    "create_meeting",
    "create_poll",
    "due_reminders",
    "file_rule",
    "get_meeting",
    "live_role",
    "live_transaction",
    "meetings_for",
    "notes_for",
    "open_poll",
    "participant_row",
    "poll_progress",
    "respond",
    "save_note",
    "send_invitations",
    "set_publisher",
    "snapshot",
    "speeches",
    "sync_roster",
    "upcoming_for",
    "vote_records",
]
