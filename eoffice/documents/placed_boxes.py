"""Boxes the format checker placed on an uploaded draft's rendered PDF (issue #11).

An upload that lacks the reserved places for the number, the date and the signature is
shown to the checker as a page preview where she places those boxes (``box_placement``).
They are metadata of that PDF, bound to its SHA-256: the PDF is not touched (its hash, and so
sign-what-you-see, still holds), and boxes placed on another PDF are never used for this one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.documents.models import Document
from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow


class PlacedBoxes(db.Model):  # type: ignore[name-defined,misc]
    """One placement of the number, date and signature boxes on one rendered PDF.

    ``layout`` has the keys signing reads (``number_rect``, ``date_rect``, ``header_page``,
    ``signature_rect``, ``signature_page``; PDF points, origin bottom left, pages from 0)
    plus ``signature_area`` (the signature with the seal's reach at its left) and ``sha256``.
    """

    __tablename__ = "document_placed_boxes"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    layout: Mapped[dict[str, Any]] = mapped_column(JSON)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def placed_layout(document_id: int, sha256: str) -> dict[str, Any] | None:
    """The latest boxes placed on the PDF whose hash is ``sha256``, or None."""
    row = db.session.execute(
        select(PlacedBoxes).where(PlacedBoxes.document_id == document_id,
                                  PlacedBoxes.sha256 == sha256)
        .order_by(PlacedBoxes.id.desc()).limit(1)).scalar_one_or_none()
    return dict(row.layout) if row is not None else None


def layout_for(document: Document, sha256: str) -> dict[str, Any]:
    """Where signing writes into the PDF ``sha256`` of ``document``: the boxes placed on that
    very PDF, else the document's layout, unless that layout was placed on another PDF."""
    placed = placed_layout(document.id, sha256)
    if placed is not None:
        return placed
    layout = dict(document.layout or {})
    if layout.get("placed") and layout.get("sha256") != sha256:
        return {}
    return layout
