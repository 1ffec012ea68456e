"""Biên bản: generated from the session record, then signed by the secretary and the chair.

The minutes are built from rows written during the session (attendance, speeches, polls,
conclusions, action items), so they say what actually happened, plus the secretary's own
text (``notes``), editable until the first signature and frozen from then on. They carry
the number taken once from the organisation's BB series (``paper_numbers``). Building them
(DOCX, LibreOffice, measuring the signature boxes) runs as a job (issue #13): the click
returns at once and the page shows the PDF once made.

Each signature is a PAdES approval signature added by incremental update through the
signing library (``eoffice.signing_keys`` holds the PIN-protected keys and the lock-out),
into the empty field measured in the signer's box (between the title printed above and the
name printed below): it shows the signer's signature image alone, and the secretary's
signature stays valid when the chair signs after it. Every version is a new object in the
store; the meeting points at the latest one.
"""

from __future__ import annotations

import io

from sqlalchemy import select

import signing
from eoffice import audit
from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.service import object_store
from eoffice.jobs import Job, JobFailed, submit
from eoffice.signing_keys import (
    ImageMissing,
    SigningFailed,
    open_leader_signer,
    require_signature_image,
    signature_png,
)
from eoffice.timestamps import utcnow
from formats.conversion import ConversionError
from meetings import service
from meetings.errors import MeetingConflict, MeetingForbidden, MeetingInvalid, MeetingLocked
from meetings.models import Meeting, MeetingStatus, MinutesStatus
from meetings.paper_numbers import MINUTES, numbered, paper_of
from meetings.paperwork import (
    MinutesRecord,
    minutes_docx,
    signature_boxes,
    to_pdf,
    with_signature_boxes,
)
from meetings.preparation import store_pdf

JOB_KIND = "minutes_pdf"
SECRETARY_FIELD, CHAIR_FIELD = "ThuKy", "ChuTri"

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


def _require_editable(user: User, meeting: Meeting) -> None:
    if not service.can_manage(user, meeting):
        raise MeetingForbidden("Chỉ người chủ trì hoặc thư ký được lập biên bản.")
    if meeting.status != MeetingStatus.CLOSED:
        raise MeetingConflict("Chỉ lập biên bản sau khi cuộc họp bế mạc.")
    if meeting.minutes_status not in (MinutesStatus.NONE, MinutesStatus.GENERATED):
        raise MeetingConflict("Biên bản đã được ký; không thể lập lại hoặc sửa.")


def request(user: User, meeting: Meeting, notes: str | None = None) -> Meeting:
    """Queue the building of the minutes (a job) with the secretary's text, if given; the
    number of the BB series is taken now, once per meeting."""
    _require_editable(user, meeting)
    paper = numbered(meeting, MINUTES, meeting.closed_at or utcnow())
    if notes is not None and notes.strip() != paper.notes.strip():
        if user.id != meeting.secretary_id:
            raise MeetingForbidden("Chỉ thư ký cuộc họp được sửa nội dung biên bản.")
        paper.notes = notes.strip()[:20000]
    # One job per request: a later request (new text) builds again; a retry does not.
    submit(JOB_KIND, f"{JOB_KIND}:{meeting.id}:{utcnow().isoformat()}", requested_by=user,
           params={"meeting_id": meeting.id})
    return meeting


def minutes_job(job: Job) -> dict[str, object]:
    """Build the minutes PDF for a request, unless signing has begun meanwhile."""
    meeting = db.session.get(Meeting, job.params["meeting_id"])
    user = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if meeting is None or user is None or meeting.minutes_status not in (
            MinutesStatus.NONE, MinutesStatus.GENERATED):
        return {"skipped": True}
    try:
        generate(user, meeting)
    except (MeetingInvalid, MeetingConflict, MeetingForbidden) as error:
        raise JobFailed(str(error)) from None
    db.session.commit()
    return {"meeting_id": meeting.id, "file_id": meeting.minutes_file_id}


def generate(user: User, meeting: Meeting) -> Meeting:
    """Build the minutes PDF (again, as long as nobody has signed it), numbered, with the
    secretary's and the chair's boxes as empty signature fields."""
    _require_editable(user, meeting)
    paper = numbered(meeting, MINUTES, meeting.closed_at or utcnow())
    record = record_of(meeting)
    record = MinutesRecord(record.meeting, record.counts, record.speeches, record.polls,
                           record.actions, number=paper.number_and_notation,
                           notes=paper.notes)
    try:
        pdf = to_pdf(minutes_docx(record))
    except ConversionError as error:
        raise MeetingInvalid(str(error)) from None
    pdf = with_signature_boxes(pdf, signature_boxes(pdf, {
        SECRETARY_FIELD: ("THƯ KÝ", meeting.secretary.full_name),
        CHAIR_FIELD: ("CHỦ TRÌ", meeting.chair.full_name)}))
    stored = store_pdf(user, io.BytesIO(pdf), f"bien-ban-hop-{meeting.id}.pdf")
    meeting.minutes_file_id = stored.id
    meeting.minutes_status = MinutesStatus.GENERATED.value
    audit.record(user, "minutes_generated", "meeting", meeting.id, file_id=stored.id)
    return meeting


def sign(user: User, meeting: Meeting, pin: str, otp: str | None = None) -> Meeting:
    """The secretary signs first, then the chair; each with their own key and PIN."""
    if meeting.minutes_status == MinutesStatus.GENERATED and user.id == meeting.secretary_id:
        role, reason, field, after = ("secretary", "Thư ký cuộc họp ký biên bản",
                                      SECRETARY_FIELD, MinutesStatus.SECRETARY_SIGNED)
    elif meeting.minutes_status == MinutesStatus.SECRETARY_SIGNED and (
        user.id == meeting.chair_id
    ):
        role, reason, field, after = ("chair", "Người chủ trì ký biên bản", CHAIR_FIELD,
                                      MinutesStatus.SIGNED)
    elif user.id in (meeting.secretary_id, meeting.chair_id):
        raise MeetingConflict("Chưa đến lượt bạn ký biên bản (thư ký ký trước, chủ trì ký sau).")
    else:
        raise MeetingForbidden("Chỉ thư ký và người chủ trì ký biên bản (thư ký ký trước, "
                               "chủ trì ký sau).")
    assert meeting.minutes_file is not None
    try:
        require_signature_image(user)  # told before the PIN is tried, never a placeholder
    except ImageMissing as error:
        raise MeetingInvalid(str(error)) from None
    # The page prints the heading above the box and the name below it: the image alone.
    appearance = signing.LeaderAppearance(name=user.full_name, title=user.title or "",
                                          image_png=signature_png(user), show_text=False)
    try:
        signer = open_leader_signer(user, pin, otp)  # otp: a remote key at SCAL2
        signed = signer.sign(object_store().read_bytes(meeting.minutes_file.sha256),
                             role="plain", reason=reason, field_name=field, leader=appearance,
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


def notes_of(meeting: Meeting) -> str:
    """The secretary's text in the minutes (for the edit form)."""
    paper = paper_of(meeting, MINUTES)
    return paper.notes if paper is not None else ""


def number_of(meeting: Meeting) -> str:
    """"03/BB-UBND" once the minutes have their number, else ""."""
    paper = paper_of(meeting, MINUTES)
    return paper.number_and_notation if paper is not None else ""


def being_built(meeting: Meeting) -> bool:
    """Whether a requested build of the minutes is still queued or running (for the page)."""
    return db.session.execute(select(Job.id).where(
        Job.kind == JOB_KIND, Job.state.in_(("queued", "running")),
        Job.idempotency_key.startswith(f"{JOB_KIND}:{meeting.id}:")).limit(1)
    ).first() is not None
