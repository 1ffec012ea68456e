"""The validation panel of an issued document (issue #11): its official copy and, for each
signature, who signed (from the certificate), in which role, when (signing time and the
timestamp authority's time), whether it is valid and whether long-term validation data
(DSS with revocation data, VRI, timestamps) is in the file.

pyHanko's validation (``signing.validate``) is slow — chains, timestamps, revocation data,
difference analysis of every later revision — so it runs once per file as a job queued when
the document is issued, and the page shows the stored result (``SignatureValidation``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

import signing
from eoffice.accounts.models import User
from eoffice.documents.models import Direction, Document, DocumentVersion
from eoffice.documents.output_records import SignatureValidation
from eoffice.documents.states import Out
from eoffice.documents.workflow import Transition, on_transition
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.files.service import object_store
from eoffice.jobs import Job, JobFailed, register_handler, submit
from eoffice.signing_keys.trust import validate_pdf
from signing.sign import LEADER_FIELD, ORG_FIELD

JOB_KIND = "validate_signatures"
#: The version that is the official copy once the document is issued.
OFFICIAL_KIND = "org_signed"
ISSUED_STATES = frozenset({Out.ISSUED, Out.ARCHIVED, Out.REVOKED, Out.REPLACED})
ROLE_LABELS = {
    LEADER_FIELD: "Lãnh đạo ký ban hành",
    ORG_FIELD: "Chữ ký số của cơ quan (con dấu)",
}
TIMESTAMP_ROLE = "Dấu thời gian tài liệu"


@dataclass(frozen=True)
class SignatureRow:
    """One line of the panel."""

    field_name: str
    signer: str
    role: str
    signing_time: str
    timestamp: str
    valid: bool
    verdict: str
    level: str
    revocation_data: bool  # DSS holds CRLs/OCSP responses for it
    vri: bool  # a VRI entry names this signature
    timestamped: bool


@dataclass(frozen=True)
class Panel:
    """What the issued page shows; ``rows`` is empty while the job has not run."""

    version: DocumentVersion
    pending: bool
    ok: bool
    verdict: str
    rows: tuple[SignatureRow, ...]
    dss: bool


def official_version(document: Document) -> DocumentVersion | None:
    """The organisation-signed copy of an issued outgoing document."""
    if document.direction != Direction.OUTGOING or document.state not in ISSUED_STATES:
        return None
    # A revoked document's content is purged (the fact of revocation kept): nothing to show.
    return next((v for v in reversed(document.versions)
                 if v.kind == OFFICIAL_KIND and not v.revoked), None)


def queue_validation(actor: User | None, document: Document) -> None:
    """Queue the validation of the official copy (once per file, whoever asks)."""
    version = official_version(document)
    if version is None:
        return
    submit(JOB_KIND, f"{JOB_KIND}:{version.file_id}", requested_by=actor,
           params={"document_id": document.id, "file_id": version.file_id})


def after_issue(actor: User, document: Document, row: Transition) -> None:
    """Transition listener: validation starts as soon as the document is issued."""
    if row.action == "issue":
        queue_validation(actor, document)


def _display_time(value: str | None) -> str:
    """"2026-12-04T23:05:09+07:00" as "04/12/2026 23:05:09" (already Vietnam time)."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return value


def _ltv_facts(data: bytes) -> tuple[bool, dict[str, bool]]:
    """(whether the file has a DSS, VRI presence per signature field name)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    dss = reader.root.get("/DSS")
    if dss is None:
        return False, {}
    dss = dss.get_object()
    vri = dss.get("/VRI")
    keys = {str(k).lstrip("/").upper() for k in vri.get_object()} if vri else set()
    found: dict[str, bool] = {}
    for embedded in reader.embedded_signatures:
        contents = embedded.sig_object.get("/Contents")
        candidates = {embedded.pkcs7_content, bytes(contents) if contents is not None else b""}
        found[str(embedded.field_name)] = any(
            hashlib.sha1(c).hexdigest().upper() in keys for c in candidates if c)
    return True, found


def build_report(data: bytes) -> dict[str, Any]:
    """The stored form of the panel for ``data`` (pyHanko's validation plus DSS/VRI facts)."""
    report = validate_pdf(data)
    has_dss, vri = _ltv_facts(data)
    rows = []
    for sig in report.signatures:
        timestamp_only = sig.kind == "document_timestamp"
        rows.append({
            "field_name": sig.field_name, "signer": sig.signer,
            "role": TIMESTAMP_ROLE if timestamp_only else ROLE_LABELS.get(
                sig.field_name, "Chữ ký số"),
            "signing_time": sig.signing_time, "timestamp": sig.timestamp,
            "valid": sig.ok, "verdict": sig.verdict_vi, "level": sig.level,
            "revocation_data": sig.ltv, "vri": vri.get(sig.field_name, False),
            "timestamped": sig.timestamp is not None,
        })
    return {"ok": report.ok, "verdict": report.verdict_vi, "dss": has_dss, "signatures": rows}


def validate_job(job: Job) -> dict[str, object]:
    """Validate one stored file and keep the result; a second run finds it done."""
    file_id = int(job.params["file_id"])
    if db.session.execute(select(SignatureValidation.id).where(
            SignatureValidation.file_id == file_id)).scalar_one_or_none() is not None:
        return {"skipped": True}
    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        raise JobFailed("Không còn tệp để kiểm tra chữ ký.")
    try:
        report = build_report(object_store().read_bytes(stored.sha256))
    except signing.SigningError as error:
        raise JobFailed(f"Không kiểm tra được chữ ký số: {error.message_vi}.") from None
    db.session.add(SignatureValidation(file_id=file_id, ok=report["ok"], report=report))
    db.session.commit()
    return {"file_id": file_id, "ok": report["ok"]}


def panel_for(document: Document) -> Panel | None:
    """The panel of an issued document, or None before it is issued. A document issued
    before validation was kept gets its job queued (and committed) here."""
    version = official_version(document)
    if version is None:
        return None
    stored = db.session.execute(select(SignatureValidation).where(
        SignatureValidation.file_id == version.file_id)).scalar_one_or_none()
    if stored is None:
        queue_validation(None, document)
        db.session.commit()
        return Panel(version, True, False, "Đang kiểm tra chữ ký số…", (), False)
    rows = tuple(SignatureRow(
        field_name=r["field_name"], signer=r["signer"], role=r["role"],
        signing_time=_display_time(r["signing_time"]), timestamp=_display_time(r["timestamp"]),
        valid=bool(r["valid"]), verdict=r["verdict"], level=r["level"],
        revocation_data=bool(r["revocation_data"]), vri=bool(r["vri"]),
        timestamped=bool(r["timestamped"])) for r in stored.report["signatures"])
    return Panel(version, False, stored.ok, stored.report["verdict"], rows,
                 bool(stored.report["dss"]))


def init_app(app: Flask) -> None:
    """Queue validation at issue; register the job."""
    on_transition(app, after_issue)
    register_handler(app, JOB_KIND, validate_job)
