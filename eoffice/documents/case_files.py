"""Case files (hồ sơ): created per year with a code; documents are filed into them without
copies, and a completed incoming document is then FILED."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from eoffice import audit
from eoffice.accounts.models import User
from eoffice.documents.common import Result
from eoffice.documents.errors import InvalidInput, NotPermitted
from eoffice.documents.models import (
    CaseFile,
    CaseFileEntry,
    Direction,
    Document,
)
from eoffice.documents.rules import handler_or_clerk
from eoffice.documents.states import In
from eoffice.documents.workflow import transition
from eoffice.extensions import db
from eoffice.timestamps import VIETNAM, utcnow


def create_case_file(actor: User, code: str, title: str, year: int | None = None) -> CaseFile:
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise InvalidInput("Hồ sơ cần có mã và tiêu đề.")
    year = year or utcnow().astimezone(VIETNAM).year
    exists = db.session.execute(
        select(CaseFile.id).where(
            CaseFile.organisation_id == actor.organisation_id,
            CaseFile.year == year,
            CaseFile.code == code,
        )
    ).first()
    if exists:
        raise InvalidInput("Mã hồ sơ đã tồn tại trong năm.")
    row = CaseFile(
        organisation_id=actor.organisation_id,
        year=year,
        code=code[:50],
        title=title[:500],
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def file_into(actor: User, document: Document, case_file_ids: Sequence[int]) -> Result:
    """Put a document into one or more case files (no copies); a completed incoming one is
    then FILED."""
    if not case_file_ids:
        raise InvalidInput("Hãy chọn ít nhất một hồ sơ.")
    added: list[int] = []
    for case_file_id in case_file_ids:
        case_file = db.session.get(CaseFile, case_file_id)
        if case_file is None or case_file.organisation_id != document.organisation_id:
            raise InvalidInput("Hồ sơ không hợp lệ.")
        exists = db.session.execute(
            select(CaseFileEntry.id).where(
                CaseFileEntry.case_file_id == case_file.id, CaseFileEntry.document_id == document.id
            )
        ).first()
        if not exists:
            db.session.add(
                CaseFileEntry(
                    case_file_id=case_file.id, document_id=document.id, added_by_id=actor.id
                )
            )
            added.append(case_file.id)
    db.session.flush()
    if document.direction == Direction.INCOMING and document.state == In.COMPLETED:
        transition(actor, document, "file", _service=True, case_file_ids=added)
    else:
        if not (
            handler_or_clerk(actor, document)
            or any(p.user_id == actor.id for p in document.participants)
        ):
            raise NotPermitted("Bạn không được lập hồ sơ cho văn bản này.")
        audit.record(
            actor,
            "filed",
            "document",
            document.id,
            direction=document.direction,
            case_file_ids=added,
        )
    return Result(document)


def case_files_of(user: User) -> list[CaseFile]:
    """The case files of the user's organisation, newest year first."""
    return list(db.session.execute(
        select(CaseFile).where(CaseFile.organisation_id == user.organisation_id)
        .order_by(CaseFile.year.desc(), CaseFile.code)
    ).scalars())
