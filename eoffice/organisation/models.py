"""Organisation structure: an organisation, its units (a tree) and its positions (titles)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.extensions import db
from eoffice.timestamps import UTCDateTime, utcnow


class Organisation(db.Model):  # type: ignore[name-defined]
    """An issuing body, e.g. Ủy ban nhân dân tỉnh. ``organ_id`` is its edXML OrganId."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    # Used in notations such as 15/QĐ-UBND.
    abbreviation: Mapped[str] = mapped_column(String(20))
    parent_name: Mapped[str | None] = mapped_column(String(255))
    place: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The organisation above it in this installation (a department under the province).
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Contact details, as edXML OrganInfo carries them (OrganAdd, Email, Telephone, Fax,
    # Website).
    address: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    telephone: Mapped[str] = mapped_column(String(40), default="")
    fax: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(255), default="")

    units: Mapped[list[Unit]] = relationship(back_populates="organisation")
    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class Unit(db.Model):  # type: ignore[name-defined]
    """A department or office inside an organisation; units nest (``parent_id``)."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("organisation_id", "abbreviation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    # Used in công văn notations such as 05/UBND-VP.
    abbreviation: Mapped[str] = mapped_column(String(20))

    organisation: Mapped[Organisation] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")


class Position(db.Model):  # type: ignore[name-defined]
    """A title such as Chủ tịch, Phó Giám đốc or Chuyên viên, printed in signer blocks."""

    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("organisation_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))


class DirectoryOrgan(db.Model):  # type: ignore[name-defined]
    """An agency outside this installation, known by its edXML OrganId: one line of the
    installation-wide directory clerks pick recipients from (imported from the national
    agency list, entered by hand, or learnt from the axis)."""

    __tablename__ = "directory_organs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_organ_id: Mapped[str | None] = mapped_column(String(13))
    address: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    telephone: Mapped[str] = mapped_column(String(40), default="")
    # Where the line came from: "csv" (import), "manual", "demo", "axis".
    source: Mapped[str] = mapped_column(String(20), default="manual")
    # fold_vi(organ_id + " " + name): searched with LIKE, so queries with or without
    # diacritics find the same agencies without folding every row per query.
    search_text: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
