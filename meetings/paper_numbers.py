"""The numbers of a meeting's papers (issue #11): the giấy mời from the organisation's GM
series, the biên bản from its BB series (Decree 30, Appendix III), each taken once per
meeting from the gapless yearly registers of ``eoffice.documents.numbering`` and kept here,
so regenerating a paper never takes a second number. The secretary's own text for the
minutes (``notes``) is kept on the BB row: editable until the first signature.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.documents.numbering import format_number, take_number
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.timestamps import to_local
from meetings.models import Meeting

INVITATION = "GM"
MINUTES = "BB"


class MeetingPaper(db.Model):  # type: ignore[name-defined,misc]
    """One numbered paper of a meeting."""

    __tablename__ = "meeting_papers"
    __table_args__ = (UniqueConstraint("meeting_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    kind: Mapped[str] = mapped_column(String(2))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    notation: Mapped[str] = mapped_column(String(50))
    notes: Mapped[str] = mapped_column(Text, default="")
    # The giấy mời as signed so far: "" (not signed), "signed" (by the convening leader),
    # "sealed" (the organisation's seal after it); ``file_id`` is that PDF.
    state: Mapped[str] = mapped_column(String(10), default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))

    file: Mapped[StoredFile | None] = relationship()

    @property
    def number_and_notation(self) -> str:
        """"05/GM-UBND"."""
        return f"{format_number(self.number)}/{self.notation}"


def paper_of(meeting: Meeting, kind: str) -> MeetingPaper | None:
    return db.session.execute(select(MeetingPaper).where(
        MeetingPaper.meeting_id == meeting.id, MeetingPaper.kind == kind)).scalar_one_or_none()


def numbered(meeting: Meeting, kind: str, when: datetime) -> MeetingPaper:
    """The paper of ``kind`` with its number, taken now (in the caller's transaction) if the
    meeting has none yet: the series of the organisation of the meeting's chair."""
    paper = paper_of(meeting, kind)
    if paper is not None:
        return paper
    organisation = meeting.chair.organisation
    local = to_local(when)
    assert local is not None
    number = take_number(organisation.id, local.year, f"series:{kind}")
    paper = MeetingPaper(meeting_id=meeting.id, kind=kind, year=local.year, number=number,
                         notation=f"{kind}-{organisation.abbreviation}", notes="", state="")
    db.session.add(paper)
    db.session.flush()
    return paper
