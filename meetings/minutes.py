"""Biên bản: generated from the session record, then signed by the secretary and the chair.

The minutes are built only from rows written during the session (attendance, speeches, polls,
conclusions, action items), never typed afresh, so they say what actually happened. Each
signature is a PAdES approval signature added by incremental update through the signing
library (the documents module holds the users' PIN-protected PKCS#12 keys and the PIN
lock-out), so the secretary's signature stays valid when the chair signs after it. Every
version is a new object in the store; the meeting points at the latest one.
"""

from __future__ import annotations

import io

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.files.service import object_store
from eoffice.signing_keys import SigningFailed, open_leader_signer
from formats.conversion import ConversionError
from meetings import service
from meetings.errors import MeetingConflict, MeetingForbidden, MeetingInvalid, MeetingLocked
from meetings.models import Meeting, MeetingStatus, MinutesStatus
from meetings.paperwork import MinutesRecord, minutes_docx, to_pdf
from meetings.preparation import store_pdf

QUEUE_WORDS = {"speak": "phát biểu", "question": "chất vấn"}


def record_of(meeting: Meeting) -> MinutesRecord:
    titles = {item.id: item.title for item in meeting.items}
    polls = []
    for poll, voters in service.vote_records(meeting):
        named = [] if poll.secret else [
            f"{v.user.full_name}: {poll.options[v.choice]}" for v in voters if v.choice is not None
        ]
        polls.append({"question": poll.question, "secret": poll.secret,
                      "options": list(poll.options), "result": poll.result,
                      "voted": poll.voted_count, "eligible": poll.eligible_count,
                      "voters": named})
    return MinutesRecord(
        meeting=meeting,
        counts=service.attendance_counts(meeting),
        speeches=[(s.user.full_name, QUEUE_WORDS.get(s.queue, s.queue),
                   titles.get(s.item_id or 0, "")) for s in service.speeches(meeting)],
        polls=polls,
        actions=[(a.title, a.assignee.full_name, a.deadline)
                 for a in service.action_items(meeting)],
    )


def generate(user: User, meeting: Meeting) -> Meeting:
    """Build the minutes PDF (again, as long as nobody has signed it)."""
    if not service.can_manage(user, meeting):
        raise MeetingForbidden("Chỉ người chủ trì hoặc thư ký được lập biên bản.")
    if meeting.status != MeetingStatus.CLOSED:
        raise MeetingConflict("Chỉ lập biên bản sau khi cuộc họp bế mạc.")
    if meeting.minutes_status not in (MinutesStatus.NONE, MinutesStatus.GENERATED):
        raise MeetingConflict("Biên bản đã được ký; không thể lập lại.")
    try:
        pdf = to_pdf(minutes_docx(record_of(meeting)))
    except ConversionError as error:
        raise MeetingInvalid(str(error)) from None
    stored = store_pdf(user, io.BytesIO(pdf), f"bien-ban-hop-{meeting.id}.pdf")
    meeting.minutes_file_id = stored.id
    meeting.minutes_status = MinutesStatus.GENERATED.value
    audit.record(user, "minutes_generated", "meeting", meeting.id, file_id=stored.id)
    return meeting


def sign(user: User, meeting: Meeting, pin: str) -> Meeting:
    """The secretary signs first, then the chair; each with their own key and PIN."""
    if meeting.minutes_status == MinutesStatus.GENERATED and user.id == meeting.secretary_id:
        role, reason, field, after = ("secretary", "Thư ký cuộc họp ký biên bản", "ThuKy",
                                      MinutesStatus.SECRETARY_SIGNED)
    elif meeting.minutes_status == MinutesStatus.SECRETARY_SIGNED and (
        user.id == meeting.chair_id
    ):
        role, reason, field, after = ("chair", "Người chủ trì ký biên bản", "ChuTri",
                                      MinutesStatus.SIGNED)
    elif user.id in (meeting.secretary_id, meeting.chair_id):
        raise MeetingConflict("Chưa đến lượt bạn ký biên bản (thư ký ký trước, chủ trì ký sau).")
    else:
        raise MeetingForbidden("Chỉ thư ký và người chủ trì ký biên bản (thư ký ký trước, "
                               "chủ trì ký sau).")
    assert meeting.minutes_file is not None
    try:
        signer = open_leader_signer(user, pin)
        signed = signer.sign(object_store().read_bytes(meeting.minutes_file.sha256),
                             role="plain", reason=reason, field_name=field,
                             location=meeting.location or None)
    except SigningFailed as error:  # a wrong PIN or no certificate (400), PIN locked (423)
        refusal = MeetingLocked if error.status == 423 else MeetingInvalid
        raise refusal(str(error)) from None
    assert signed is not None
    stored = store_pdf(user, io.BytesIO(signed), f"bien-ban-hop-{meeting.id}.pdf")
    meeting.minutes_file_id = stored.id
    meeting.minutes_status = after.value
    audit.record(user, "minutes_signed", "meeting", meeting.id, role=role, file_id=stored.id)
    return meeting
