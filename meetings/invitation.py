"""The giấy mời as an official paper (issue #11): numbered from the organisation's GM series,
signed by the convening leader (the chair) with his signature image in the place between the
title and the name the page prints, then sealed by the clerk with the organisation's
signature (the red seal over the image's left third, in the place the leader's signature
reserved); invitees get that signed PDF when the invitations are sent.

As for documents (Decree 30, Appendix I), the leader signs first and the seal follows; each
step writes a new PDF and a refusal changes nothing. An invitation sent before it is signed
still carries its GM number.
"""

from __future__ import annotations

import io

import signing
from eoffice import audit
from eoffice.accounts.models import User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.files.service import object_store
from eoffice.signing_keys import (
    ImageMissing,
    SigningFailed,
    open_leader_signer,
    open_seal_signer,
    require_seal_image,
    require_signature_image,
    seal_png,
    signature_png,
)
from eoffice.timestamps import utcnow
from formats.conversion import ConversionError
from meetings.errors import MeetingConflict, MeetingForbidden, MeetingInvalid, MeetingLocked
from meetings.models import Meeting, MeetingStatus
from meetings.paper_numbers import INVITATION, MeetingPaper, numbered, paper_of
from meetings.paperwork import invitation_docx, signature_boxes, to_pdf
from meetings.preparation import store_pdf

SIGNED, SEALED = "signed", "sealed"
OPEN_STATES = (MeetingStatus.DRAFT, MeetingStatus.INVITED)


def _refusal(error: SigningFailed) -> MeetingInvalid | MeetingLocked:
    return MeetingLocked(str(error)) if error.status == 423 else MeetingInvalid(str(error))


def unsigned_pdf(meeting: Meeting) -> bytes:
    """The numbered giấy mời as it stands now (sent as is when nobody signs it)."""
    paper = numbered(meeting, INVITATION, utcnow())
    try:
        return to_pdf(invitation_docx(meeting, utcnow(), paper.number_and_notation))
    except ConversionError as error:
        raise MeetingInvalid(str(error)) from None


def sign(user: User, meeting: Meeting, pin: str, otp: str | None = None) -> Meeting:
    """The convening leader signs the numbered giấy mời (his image in its place)."""
    if user.id != meeting.chair_id:
        raise MeetingForbidden("Chỉ lãnh đạo chủ trì cuộc họp ký giấy mời.")
    if meeting.status not in OPEN_STATES:
        raise MeetingConflict("Cuộc họp đã diễn ra; không ký giấy mời nữa.")
    paper = paper_of(meeting, INVITATION)
    if paper is not None and paper.state:
        raise MeetingConflict("Giấy mời đã được ký.")
    try:
        require_signature_image(user)  # told before the PIN is tried, never a placeholder
    except ImageMissing as error:
        raise MeetingInvalid(str(error)) from None
    pdf = unsigned_pdf(meeting)
    paper = numbered(meeting, INVITATION, utcnow())
    heading = user.title or "Người chủ trì"
    place = signature_boxes(pdf, {"leader": (heading, user.full_name)}).get("leader")
    if place is None:
        raise MeetingInvalid("Không tìm thấy chỗ ký giữa chức vụ và họ tên trên giấy mời.")
    page, rect = place
    appearance = signing.LeaderAppearance(
        name=user.full_name, title=heading.upper(), image_png=signature_png(user),
        show_text=False, page=page, rect=rect)
    try:
        signed = open_leader_signer(user, pin, otp).sign(
            pdf, role=signing.Role.LEADER, leader=appearance, reason="Ký ban hành giấy mời",
            location=user.organisation.place or None)
    except SigningFailed as error:
        raise _refusal(error) from None
    except signing.SigningError as error:
        raise MeetingInvalid(f"Không ký được giấy mời: {error.message_vi}.") from None
    assert signed is not None
    _keep(user, meeting, paper, signed, SIGNED)
    audit.record(user, "signed", "meeting", meeting.id, paper="invitation",
                 number=paper.number_and_notation, file_id=paper.file_id)
    return meeting


def seal(user: User, meeting: Meeting, pin: str, otp: str | None = None) -> Meeting:
    """The clerk applies the organisation's signature (the seal) after the leader's."""
    organisation = meeting.chair.organisation
    if user.organisation_id != organisation.id or not has_role(user, Role.CLERK):
        raise MeetingForbidden("Chỉ văn thư của cơ quan đóng dấu (ký số cơ quan) giấy mời.")
    paper = paper_of(meeting, INVITATION)
    if paper is None or paper.state != SIGNED or paper.file_id is None:
        raise MeetingConflict("Lãnh đạo chủ trì phải ký giấy mời trước khi đóng dấu.")
    try:
        require_seal_image(organisation)
    except ImageMissing as error:
        raise MeetingInvalid(str(error)) from None
    assert paper.file is not None
    try:
        sealed = open_seal_signer(organisation, pin, otp).sign(
            object_store().read_bytes(paper.file.sha256), role=signing.Role.ORG,
            seal=signing.SealAppearance(seal_png(organisation)),
            reason="Ký số của cơ quan, tổ chức", location=organisation.place or None)
    except SigningFailed as error:
        raise _refusal(error) from None
    except signing.SigningError as error:
        raise MeetingInvalid(f"Không đóng dấu được giấy mời: {error.message_vi}.") from None
    assert sealed is not None
    _keep(user, meeting, paper, sealed, SEALED)
    meeting.invitation_file_id = paper.file_id  # what invitees download from now on
    audit.record(user, "org_signed", "meeting", meeting.id, paper="invitation",
                 number=paper.number_and_notation, file_id=paper.file_id)
    return meeting


def _keep(user: User, meeting: Meeting, paper: MeetingPaper, pdf: bytes, state: str) -> None:
    stored = store_pdf(user, io.BytesIO(pdf), f"giay-moi-hop-{meeting.id}-{state}.pdf")
    paper.file_id, paper.state = stored.id, state


def sealed_file_id(meeting: Meeting) -> int | None:
    """The signed and sealed giấy mời, if it is."""
    paper = paper_of(meeting, INVITATION)
    return paper.file_id if paper is not None and paper.state == SEALED else None


def state_of(meeting: Meeting) -> str:
    """"", "signed" or "sealed" (for the page)."""
    paper = paper_of(meeting, INVITATION)
    return paper.state if paper is not None else ""


def may_seal(user: User, meeting: Meeting) -> bool:
    """Whether the page offers ``user`` the seal form (a clerk of the organisation, once
    the leader signed)."""
    return (state_of(meeting) == SIGNED and user.organisation_id == meeting.chair.organisation_id
            and has_role(user, Role.CLERK))
