"""What was approved and what was found when the issued copy was validated (issue #11).

``ApprovedPdf``: the leader approves a rendered PDF, not a draft in general; its SHA-256 is
kept so that signing can tell whether the PDF in front of the leader is still the one
approved. ``SignatureValidation``: pyHanko's validation of one stored file, computed once
(it is slow: chains, timestamps, revocation data, difference analysis) and shown from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow


class ApprovedPdf(db.Model):  # type: ignore[name-defined,misc]
    """The rendered PDF (by hash) a signer approved with "Duyệt ban hành"."""

    __tablename__ = "document_approved_pdfs"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignatureValidation(db.Model):  # type: ignore[name-defined,misc]
    """The validation report of one stored file (a version's PDF), kept once computed."""

    __tablename__ = "signature_validations"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), unique=True)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
