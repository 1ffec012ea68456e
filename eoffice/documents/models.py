"""Official documents (outgoing and incoming), their versions, people, registers and case files.

Appendix VI metadata of Decree 30 is kept as plain columns (``organ_id``, ``code_number``,
``code_notation``, ``type_name``, ``issued_date``, ``subject``, ...) so that edXML maps onto
them one to one and registers can be printed with a single query.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.organisation.models import Organisation, Unit
from eoffice.timestamps import UTCDateTime, utcnow


class Direction(StrEnum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


class Urgency(IntEnum):
    """Độ khẩn. Anything above NORMAL is handled at once and marked everywhere."""

    NORMAL = 0
    URGENT = 1  # Khẩn
    VERY_URGENT = 2  # Thượng khẩn
    FLASH = 3  # Hỏa tốc

    @property
    def label(self) -> str:
        return URGENCY_LABELS[self]


URGENCY_LABELS = {
    Urgency.NORMAL: "Thường",
    Urgency.URGENT: "Khẩn",
    Urgency.VERY_URGENT: "Thượng khẩn",
    Urgency.FLASH: "Hỏa tốc",
}


class Secrecy(IntEnum):
    """Độ mật. Any secret document has its own register and is visible to named people only."""

    NONE = 0
    SECRET = 1  # Mật
    TOP_SECRET = 2  # Tối mật
    ULTRA_SECRET = 3  # Tuyệt mật

    @property
    def label(self) -> str:
        return SECRECY_LABELS[self]


SECRECY_LABELS = {
    Secrecy.NONE: "Thường",
    Secrecy.SECRET: "Mật",
    Secrecy.TOP_SECRET: "Tối mật",
    Secrecy.ULTRA_SECRET: "Tuyệt mật",
}


class ParticipantRole(StrEnum):
    """Why a person is named on a document; the access check and "my work" read these rows."""

    DRAFTER = "drafter"
    REVIEWER = "reviewer"  # unit head checking content
    CHECKER = "checker"  # designated format checker (usually the clerk)
    SIGNER = "signer"
    CLERK = "clerk"  # registered / numbered / issued it
    LEADER = "leader"  # incoming: presented to, directs
    HANDLER = "handler"  # incoming: lead or supporting person
    RECIPIENT = "recipient"
    NAMED = "named"  # explicitly granted (secret documents)
    CONSULTED = "consulted"  # asked for an opinion on a draft


class Document(db.Model):  # type: ignore[name-defined]
    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_org_dir_state", "organisation_id", "direction", "state"),
        Index("ix_documents_org_dir_created", "organisation_id", "direction", "created_at"),
        # Lists of clerks and admins filter on secrecy only: answered from this index alone.
        Index("ix_documents_org_dir_secrecy", "organisation_id", "direction", "secrecy"),
        # The few secret documents, found from their side (not from a clerk's many rows).
        Index("ix_documents_org_secrecy", "organisation_id", "secrecy"),
        Index("ix_documents_dup", "organisation_id", "code_number", "code_notation", "organ_id"),
        # Our own register's number (outgoing: code_number; incoming: arrival_number) is
        # unique within its series and year, whatever happens in the code above the database.
        UniqueConstraint("organisation_id", "register_kind", "register_year", "register_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    direction: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    # Appendix VI (outgoing; for incoming these describe the sender's document).
    organ_id: Mapped[str] = mapped_column(String(13), default="")  # issuing body's OrganId
    organ_name: Mapped[str] = mapped_column(String(255), default="")
    code_number: Mapped[int | None] = mapped_column(Integer)
    code_notation: Mapped[str] = mapped_column(String(50), default="")
    type_code: Mapped[str] = mapped_column(String(10), default="")  # "" = công văn
    type_name: Mapped[str] = mapped_column(String(100), default="Công văn")
    is_legal_normative: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_date: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(10), default="vi")
    page_amount: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    signer_position: Mapped[str] = mapped_column(String(120), default="")
    signer_full_name: Mapped[str] = mapped_column(String(120), default="")
    authority: Mapped[str] = mapped_column(String(60), default="")  # "KT. CHỦ TỊCH" ...
    to_places: Mapped[str] = mapped_column(Text, default="")  # Nơi nhận, one per line
    issued_amount: Mapped[int | None] = mapped_column(Integer)
    urgency: Mapped[int] = mapped_column(SmallInteger, default=0)
    secrecy: Mapped[int] = mapped_column(SmallInteger, default=0)
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Incoming only.
    arrival_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrival_number: Mapped[int | None] = mapped_column(Integer)
    reply_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # Outgoing: which register issued the number (outgoing, secret, legal:QĐ ...) and when.
    register_kind: Mapped[str] = mapped_column(String(30), default="")
    register_year: Mapped[int | None] = mapped_column(Integer)
    register_number: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    drafting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # Where the signing fields go on the PDF when the system generated it (drafting module):
    # {"number_rect": [...], "date_rect": [...], "signature_rect": [...], "page": 0, ...}.
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    drafting_unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )
    participants: Mapped[list[DocumentParticipant]] = relationship(
        back_populates="document", cascade="all, delete-orphan"
    )
    reply_document: Mapped[Document | None] = relationship(
        foreign_keys=[reply_document_id], remote_side=[id]
    )

    @property
    def is_secret(self) -> bool:
        return self.secrecy > 0

    @property
    def urgency_label(self) -> str:
        return Urgency(self.urgency).label

    @property
    def secrecy_label(self) -> str:
        return Secrecy(self.secrecy).label

    @property
    def number_and_notation(self) -> str:
        """``15/QĐ-UBND`` once numbered, else empty."""
        if self.code_number is None:
            return ""
        return f"{self.code_number:02d}/{self.code_notation}"

    @property
    def current_version(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None

    def people(self, role: ParticipantRole) -> list[User]:
        return [p.user for p in self.participants if p.role == role]

    def person(self, role: ParticipantRole) -> User | None:
        found = self.people(role)
        return found[0] if found else None


class DocumentParticipant(db.Model):  # type: ignore[name-defined]
    """A person named on a document (drafter, reviewer, signer, handler, recipient...)."""

    __tablename__ = "document_participants"
    __table_args__ = (
        UniqueConstraint("document_id", "user_id", "role"),
        Index("ix_document_participants_user_doc", "user_id", "direction", "document_id",
              "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    # The document's direction (it never changes), copied so that a person's incoming or
    # outgoing documents are one index range: the inbox reads exactly its own rows.
    direction: Mapped[str] = mapped_column(String(10), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class DocumentVersion(db.Model):  # type: ignore[name-defined]
    """Every file the document has been, in order; signed PDFs are new versions, never edits."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # draft, converted, leader_signed, numbered, org_signed, received
    kind: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(String(255), default="")
    # An incoming document the sender revoked: the row (the fact) stays, the file is not served.
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    document: Mapped[Document] = relationship(back_populates="versions")
    file: Mapped[StoredFile] = relationship()
    created_by: Mapped[User] = relationship()


class DocumentAttachment(db.Model):  # type: ignore[name-defined]
    """A separate-file appendix; the clerk signs each one (text-only signature) at issue."""

    __tablename__ = "document_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    signed_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id])
    signed_file: Mapped[StoredFile | None] = relationship(foreign_keys=[signed_file_id])


class DocumentComment(db.Model):  # type: ignore[name-defined]
    """Comments on drafts, directions, opinions and progress notes: the handling history."""

    __tablename__ = "document_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20), default="comment")  # comment/direction/progress
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()


class DocumentAssignment(db.Model):  # type: ignore[name-defined]
    """An incoming document's handling: lead or supporting unit/person, each with a deadline."""

    __tablename__ = "document_assignments"
    __table_args__ = (
        Index("ix_document_assignments_user_doc", "user_id", "document_id", "completed_at"),
        Index("ix_document_assignments_unit_doc", "unit_id", "document_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # lead / support
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship()
    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class DocumentDelivery(db.Model):  # type: ignore[name-defined]
    """An issued document delivered to a person or a unit: delivered-at and first-opened-at."""

    __tablename__ = "document_deliveries"
    __table_args__ = (
        Index("ix_document_deliveries_user", "user_id", "delivered_at"),
        Index("ix_document_deliveries_unit_doc", "unit_id", "document_id", "delivered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # None until the document is issued: a planned recipient sees nothing before that.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    document: Mapped[Document] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    unit: Mapped[Unit | None] = relationship()


class DocumentRegister(db.Model):  # type: ignore[name-defined]
    """One numbering series per organisation, year and kind; ``last_number`` is the counter."""

    __tablename__ = "document_registers"
    __table_args__ = (UniqueConstraint("organisation_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class CaseFile(db.Model):  # type: ignore[name-defined]
    """A hồ sơ; documents belong to any number of case files without being copied."""

    __tablename__ = "case_files"
    __table_args__ = (UniqueConstraint("organisation_id", "year", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseFileEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "case_file_entries"
    __table_args__ = (UniqueConstraint("case_file_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_file_id: Mapped[int] = mapped_column(ForeignKey("case_files.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case_file: Mapped[CaseFile] = relationship()
    document: Mapped[Document] = relationship()


class ExternalOrgan(db.Model):  # type: ignore[name-defined]
    """The organisation's address book of other agencies (edXML To/From), known by their
    13-char OrganId: the contact details a clerk typed for a recipient outside the directory,
    found again for the next document."""

    __tablename__ = "document_external_organs"
    __table_args__ = (UniqueConstraint("organisation_id", "organ_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    organ_id: Mapped[str] = mapped_column(String(13))
    name: Mapped[str] = mapped_column(String(255))
    organ_add: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    telephone: Mapped[str] = mapped_column(String(40), default="")
    fax: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(255), default="")


class EdxmlRecord(db.Model):  # type: ignore[name-defined]
    """An edXML file kept for a document: the raw package received (``package_in``), a status
    message we produced (``status_out``) or one we were sent (``status_in``). The bytes live in
    the object store under ``object_key`` (their SHA-256)."""

    __tablename__ = "document_edxml_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[str] = mapped_column(String(2), default="")
    # The recipient a status file is about (``exchange_recipients``: the exchange's table).
    external_recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("exchange_recipients.id"))
    object_key: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)  # content removed on revocation
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocumentConsultation(db.Model):  # type: ignore[name-defined]
    """A request for opinion (lấy ý kiến) on a draft, to one person, with its answer."""

    __tablename__ = "document_consultations"
    __table_args__ = (Index("ix_document_consultations_user_open", "user_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opinion: Mapped[str] = mapped_column(String(10), default="")  # agree / comments
    answer: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
