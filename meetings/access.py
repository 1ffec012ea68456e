"""Who may see and act on a meeting and on its papers.

``can_view`` is the one check for a meeting: its organisers and its invitees (deputies included),
within the meeting's organisation. Everything else builds on it: who prepares the meeting
(``can_manage``), who may create one, the role someone has in the live session, and which papers
they may open, where the file's own vetoes (a secret document, a revoked one) win over the
meeting's rules. ``file_rule`` is how ``eoffice.files.access`` asks about a file a meeting holds.
``get_meeting`` is the one way pages and the API load a meeting: ``MeetingNotFound`` (a 404) for
one the user may not see.
The lists of a user's meetings live here too, because they are this same rule applied as a query.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import or_, select

from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.files.access import is_vetoed
from eoffice.files.models import StoredFile
from eoffice.reports.links import ObjectName
from eoffice.timestamps import format_local, utcnow
from meetings.errors import MeetingNotFound
from meetings.models import (
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Response,
)

CREATOR_ROLES = (Role.LEADER, Role.MEETING_SECRETARY, Role.UNIT_HEAD, Role.MANAGER, Role.CLERK)


def participant_row(user: User, meeting: Meeting) -> Participant | None:
    # A query, not a scan of ``meeting.participants``: a session may have a thousand invitees.
    return db.session.execute(
        select(Participant).where(Participant.meeting_id == meeting.id,
                                  Participant.user_id == user.id)
    ).scalar_one_or_none()


def can_view(user: User, meeting: Meeting) -> bool:
    """The one check for meetings: organisers and invitees (deputies included) see it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.organisation_id != meeting.organisation_id:
        return False
    if user.id in (meeting.created_by_id, meeting.chair_id, meeting.secretary_id):
        return True
    return participant_row(user, meeting) is not None


def can_manage(user: User, meeting: Meeting) -> bool:
    """Who prepares the meeting: its creator, chair and secretary."""
    return can_view(user, meeting) and user.id in (
        meeting.created_by_id, meeting.chair_id, meeting.secretary_id
    )


def can_create(user: User) -> bool:
    return has_role(user, *CREATOR_ROLES)


def live_role(user: User, meeting: Meeting) -> str | None:
    """The role in the session, or None when the user may not join it."""
    if not can_view(user, meeting):
        return None
    if user.id == meeting.chair_id:
        return ParticipantRole.CHAIR.value
    if user.id == meeting.secretary_id:
        return ParticipantRole.SECRETARY.value
    row = participant_row(user, meeting)
    if row is None or row.response == Response.DELEGATED:
        return None  # the creator who is not invited, or someone who sent a deputy
    return row.role


def can_view_document(user: User, document: MeetingDocument) -> bool:
    """Meeting rules (invitee; restricted items for the named few) *and* the file's vetoes:
    a secret incoming document attached by its chair stays secret from the other members,
    and a revoked one is served to nobody."""
    if is_vetoed(user, document.file):
        return False
    item = document.item
    meeting = item.meeting
    if not can_view(user, meeting):
        return False
    if not item.restricted or can_manage(user, meeting):
        return True
    return any(access.user_id == user.id for access in item.access)


def file_rule(user: User, stored: StoredFile) -> bool:
    """Registered with ``eoffice.files.access``: meeting files follow the meeting's rules."""
    documents = db.session.execute(
        select(MeetingDocument).where(MeetingDocument.file_id == stored.id)
    ).scalars().all()
    if any(can_view_document(user, document) for document in documents):
        return True
    meetings = db.session.execute(
        select(Meeting).where(
            or_(Meeting.minutes_file_id == stored.id, Meeting.invitation_file_id == stored.id)
        )
    ).scalars().all()
    return any(can_view(user, meeting) for meeting in meetings)


def get_meeting(user: User, meeting_id: int) -> Meeting:
    """The one access helper: the meeting ``user`` may see, else ``MeetingNotFound`` (a 404
    alike for a meeting that does not exist and one that is not theirs to see)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_view(user, meeting):
        raise MeetingNotFound("Không tìm thấy cuộc họp, hoặc bạn không được xem cuộc họp này.")
    return meeting


def meetings_for(user: User) -> list[Meeting]:
    invited = select(Participant.meeting_id).where(Participant.user_id == user.id)
    return list(db.session.execute(
        select(Meeting).where(
            Meeting.organisation_id == user.organisation_id,
            or_(Meeting.id.in_(invited), Meeting.created_by_id == user.id,
                Meeting.chair_id == user.id, Meeting.secretary_id == user.id),
        ).order_by(Meeting.starts_at.desc()).limit(300)
    ).scalars())


def upcoming_for(user: User, now: datetime | None = None) -> list[Meeting]:
    now = now or utcnow()
    return [
        m for m in meetings_for(user)
        if m.status in (MeetingStatus.INVITED, MeetingStatus.LIVE)
        and (m.status == MeetingStatus.LIVE or (m.ends_at or m.starts_at) >= now)
        and live_role(user, m) is not None
    ][::-1]


def name_for_reports(object_id: str, viewer: User | None) -> ObjectName | None:
    """A meeting as reports and notifications name it: "Cuộc họp: <title> (dd/mm/yyyy HH:MM)",
    with its page for a viewer who may see it."""
    meeting = db.session.get(Meeting, int(object_id)) if object_id.isdigit() else None
    if meeting is None:
        return None
    if viewer is None or viewer.organisation_id != meeting.organisation_id:
        return ObjectName("Cuộc họp")
    when = format_local(meeting.starts_at)
    if not can_view(viewer, meeting):  # its title only for those who may see it
        return ObjectName(f"Cuộc họp ngày {when}")
    try:
        url: str | None = url_for("meetings.detail", meeting_id=meeting.id)
    except RuntimeError:  # no request and no link context: the name alone
        url = None
    return ObjectName(f"Cuộc họp: {meeting.title} ({when})", url)
