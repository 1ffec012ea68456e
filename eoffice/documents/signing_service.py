"""Digital signatures on outgoing documents, through the ``signing`` library's public API.

Order (Decree 30, Appendix I): the leader signs with a PIN (a certification signature that
reserves the number/date form fields and the seal's field); the clerk then has the system
fill in the number and date (``NUMBERED``) and applies the organisation signature
(``ORG_SIGNED``), also signing each separate-file attachment. Every step writes a NEW PDF
version; nothing is overwritten, and a failed step leaves the previous version as it was.

Appearances (Appendix I): the leader's signature shows the signer's own signature image and
the organisation's shows its seal image (``signing_keys.images``); without them signing is
refused before anything is signed, never done with a placeholder. On a draft generated from
our template the page prints authority, title and name around a reserved box (``layout``):
the leader's appearance is then the image alone inside that box, with the seal over its left
third inside the same box, and the number and date are reserved on the baselines of "Số:"
and of the place-and-date line (the date italic). An uploaded PDF without a layout keeps the
appearance with authority, title, image and name.

The embedded demo PKI lives under ``EOFFICE_PKI_DIR`` (default ``instance/pki``) and is
created on first use; demo users' PKCS#12 files use the PIN ``123456``.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from pypdf import PdfReader
from sqlalchemy import select

import signing
from eoffice.accounts.models import User
from eoffice.cpu_bound import run_off_loop
from eoffice.documents import numbering
from eoffice.documents.common import (
    Result,
    add_version,
    attachments_of,
    get_visible,
    notice,
    store_file,
)
from eoffice.documents.errors import InvalidInput, WorkflowError
from eoffice.documents.models import Document
from eoffice.documents.placed_boxes import layout_for
from eoffice.documents.viewed_pdf import pdf_to_sign
from eoffice.documents.workflow import check, transition
from eoffice.extensions import db
from eoffice.files.content_check import PDF
from eoffice.files.models import StoredFile
from eoffice.files.service import object_store
from eoffice.organisation.models import Organisation
from eoffice.signing_keys import (
    SigningFailed,
    open_leader_signer,
    open_seal_signer,
    require_seal_image,
    require_signature_image,
    seal_png,
    signature_png,
)
from eoffice.timestamps import VIETNAM, utcnow

# Where the number ("Số: 15/QĐ-UBND") and the date line sit on an A4 page (PDF points), under
# the issuing body on the left and under the national motto on the right (Appendix I), inside
# its margins: from 30 mm of the left edge (86 pt) to 16 mm of the right one (550 pt).
NUMBER_RECT = (86.0, 712.0, 290.0, 732.0)
DATE_RECT = (300.0, 690.0, 550.0, 710.0)
PDF_FILES = frozenset({PDF})
# On our template the place-and-date line is the empty line under the motto (13 pt bold,
# 6 pt after it, then a 13 pt line of exactly 14.95 pt): its baseline lies this far under the
# motto's, as LibreOffice sets it (tests/documents/test_signing.py renders the line to check).
DATE_BELOW_MOTTO = 23.0


# --------------------------------------------------------------------------- helpers
def _current_pdf(document: Document) -> tuple[StoredFile, bytes]:
    version = document.current_version
    if version is None:
        raise InvalidInput("Văn bản chưa có tệp.")
    if version.file.content_type != PDF:
        raise InvalidInput("Bản cuối cùng phải là tệp PDF trước khi ký số; hãy tải lên bản PDF.")
    return version.file, object_store().read_bytes(version.file.sha256)


def _rect(values: object) -> tuple[float, float, float, float] | None:
    if not isinstance(values, list) or len(values) != 4:
        return None
    return (float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def page_prints_signer(layout: dict[str, object]) -> bool:
    """Whether the page itself prints authority, title and name around the signature box.

    A layout may say so (``prints_signer``); a draft generated from our template always
    does (its layout is measured on the page: ``number_only`` and ``signature_rect``)."""
    if "prints_signer" in layout:
        return bool(layout["prints_signer"])
    return bool(layout.get("number_only")) and _rect(layout.get("signature_rect")) is not None


def _baselines(pdf: bytes, page: int) -> list[tuple[float, float, str]]:
    """(x, baseline y, text) of every text run on ``page``, in PDF points."""
    found: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text.strip()))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def header_baselines(pdf: bytes, layout: dict[str, object]) -> tuple[float | None, float | None]:
    """The baselines the number and the date sit on (None where not found).

    The number: the baseline of the printed "Số:" inside the reserved number box. The date:
    the empty line under the motto, ``DATE_BELOW_MOTTO`` under the motto's baseline (the
    lowest text line above the reserved date box, in its column)."""
    number_rect, date_rect = _rect(layout.get("number_rect")), _rect(layout.get("date_rect"))
    if number_rect is None or date_rect is None:
        return None, None
    try:
        runs = _baselines(pdf, int(layout.get("header_page", 0)))  # type: ignore[call-overload]
    except (IndexError, ValueError, KeyError, TypeError):
        return None, None
    number = next((y for x, y, _text in runs
                   if number_rect[1] <= y <= number_rect[3] and x < number_rect[0]), None)
    above = [y for x, y, _text in runs
             if date_rect[0] - 1 <= x <= date_rect[2] and y > date_rect[3]]
    date = min(above) - DATE_BELOW_MOTTO if above else None
    return number, date


def _store_pdf(actor: User, data: bytes, name: str) -> StoredFile:
    return store_file(actor, io.BytesIO(data), name, PDF_FILES)


def _file_name(document: Document, suffix: str) -> str:
    return f"van-ban-{document.id}-{suffix}.pdf"


def _sign(signer: signing.DocumentSigner, data: bytes, **kwargs: object) -> bytes:
    try:
        out = signer.sign(data, **kwargs)  # type: ignore[arg-type]
    except signing.SigningError as exc:
        raise SigningFailed(f"Không ký được văn bản: {exc.message_vi}.") from None
    assert out is not None
    return out


def date_line(organisation: Organisation, day: date) -> str:
    """"Hòa Bình, ngày 05 tháng 02 năm 2026" (zero before days < 10 and months 1–2)."""
    from formats.drafting import format_place_date

    return format_place_date(organisation.place, day)


# --------------------------------------------------------------------------- steps
def sign_as_leader(actor: User, document: Document, pin: str,
                   signer: signing.DocumentSigner | None = None,
                   viewed_sha256: str | None = None, otp: str | None = None) -> Result:
    """The signer's visible signature, reserving the number/date fields and the seal's place.

    Refused before anything is signed (and before the PIN is tried) when the signer has no
    signature image. What is signed is the PDF rendered at submission, exactly: refused when
    ``viewed_sha256`` (the PDF on the signer's screen) is not it, or when it is not the PDF
    approved (``viewed_pdf``); nothing is rendered at signing."""
    check(actor, document, "sign")
    require_signature_image(actor)
    data = pdf_to_sign(actor, document, viewed_sha256)
    signer = signer or open_leader_signer(actor, pin, otp)
    # Boxes the checker placed on an upload are bound to this PDF's hash (box_placement).
    layout = layout_for(document, hashlib.sha256(data).hexdigest())
    leader_kwargs: dict[str, object] = {}
    if _rect(layout.get("signature_rect")):
        leader_kwargs = {"rect": _rect(layout["signature_rect"]),
                         "page": int(layout.get("signature_page", 0))}
    prints_signer = page_prints_signer(layout)
    # Baselines are read from our template's lines; boxes placed by the checker are used as is.
    number_baseline, date_baseline = (header_baselines(data, layout)
                                      if prints_signer and not layout.get("placed")
                                      else (None, None))
    signed = _sign(
        signer, data, role=signing.Role.LEADER,
        leader=signing.LeaderAppearance(
            name=actor.full_name, title=(actor.title or "").upper(),
            image_png=signature_png(actor), show_text=not prints_signer,
            authority=document.authority or None, **leader_kwargs,  # type: ignore[arg-type]
        ),
        reserve=signing.ReservedFields(
            number_rect=_rect(layout.get("number_rect")) or NUMBER_RECT,
            date_rect=_rect(layout.get("date_rect")) or DATE_RECT,
            page=int(layout.get("header_page", 0)),
            number_baseline=number_baseline, date_baseline=date_baseline,
            # "Số:" gap "/QĐ-UBND": the number goes against the notation it belongs to.
            number_align="right" if layout.get("number_only") else "center"),
        reason="Ký ban hành văn bản", location=actor.organisation.place or None,
    )
    stored = _store_pdf(actor, signed, _file_name(document, "lanh-dao-ky"))
    add_version(actor, document, stored, "leader_signed", "Lãnh đạo đã ký số")
    document.signer_full_name = actor.full_name
    document.signer_position = actor.title
    transition(actor, document, "sign", _service=True)
    clerks = _clerk_ids(document)
    return Result(document, [notice(clerks, "Văn bản đã ký, chờ cấp số", document)])


def _clerk_ids(document: Document) -> list[int]:
    from eoffice.accounts.models import UserRole

    if document.is_secret:
        from eoffice.documents.models import ParticipantRole

        return [u.id for u in document.people(ParticipantRole.CHECKER)]
    return list(db.session.execute(
        select(User.id).join(UserRole).where(User.organisation_id == document.organisation_id,
                                              UserRole.role == "clerk")
    ).scalars())


def assign_number(actor: User, document: Document) -> Result:
    """Issue the number and date from the register and write them into the reserved fields."""
    check(actor, document, "number")
    _file, data = _current_pdf(document)
    # Parsing and rewriting the PDF run off the event loop: a burst of numberings must not
    # hold up every other request of the process (eoffice.cpu_bound).
    fields = run_off_loop(signing.list_text_fields, data)
    if signing.NUMBER_FIELD not in fields:
        raise InvalidInput("Tệp đã ký không có ô dành sẵn cho số và ngày; không thể cấp số.")
    organisation = document.organisation
    today = utcnow().astimezone(VIETNAM).date()
    kind = numbering.register_kind_for(document)
    number = numbering.take_number(organisation.id, today.year, kind)
    notation = numbering.notation_for(document, organisation, document.drafting_unit)
    document.code_number = number
    document.code_notation = notation
    document.register_kind = kind
    document.register_year = today.year
    document.register_number = number
    document.issued_date = today
    # A generated draft prints "Số: ..../QĐ-UBND" and reserves only the number's gap.
    number_text = numbering.format_number(number)
    if not (document.layout or {}).get("number_only"):
        number_text = f"Số: {number_text}/{notation}"
    values = {signing.NUMBER_FIELD: number_text}
    if signing.DATE_FIELD in fields:
        values[signing.DATE_FIELD] = date_line(organisation, today)
    try:
        filled = run_off_loop(signing.fill_fields, data, values)
    except signing.SigningError as exc:
        raise SigningFailed(f"Không điền được số, ngày vào văn bản: {exc.message_vi}.") from None
    assert filled is not None
    stored = _store_pdf(actor, filled, _file_name(document, "cap-so"))
    add_version(actor, document, stored, "numbered",
                f"Cấp số {document.number_and_notation}")
    transition(actor, document, "number", _service=True, number=number, notation=notation)
    return Result(document)


def org_sign(actor: User, document: Document, pin: str,
             signer: signing.DocumentSigner | None = None, otp: str | None = None) -> Result:
    """The organisation's signature (seal) on the main file and on every separate attachment."""
    check(actor, document, "org_sign")
    organisation = document.organisation
    require_seal_image(organisation)  # refused before the PIN is tried
    _file, data = _current_pdf(document)
    signer = signer or open_seal_signer(organisation, pin, otp,
                                        signatures=1 + len(attachments_of(document)))
    seal = signing.SealAppearance(seal_png(organisation))
    signed = _sign(signer, data, role=signing.Role.ORG, seal=seal,
                   reason="Ký số của cơ quan, tổ chức",
                   location=organisation.place or None)
    for attachment in attachments_of(document):
        if attachment.file.content_type != PDF:
            raise InvalidInput("Phụ lục phải là tệp PDF để ký số.")
        raw = object_store().read_bytes(attachment.file.sha256)
        signed_attachment = _sign(
            signer, raw, role=signing.Role.ATTACHMENT,
            attachment=signing.AttachmentAppearance(number=document.number_and_notation,
                                                    org_name=organisation.name))
        attachment.signed_file_id = _store_pdf(
            actor, signed_attachment, f"phu-luc-{attachment.id}-da-ky.pdf").id
    stored = _store_pdf(actor, signed, _file_name(document, "co-quan-ky"))
    add_version(actor, document, stored, "org_signed", "Đã ký số cơ quan")
    transition(actor, document, "org_sign", _service=True, number=document.number_and_notation)
    return Result(document)


@dataclass(frozen=True)
class BatchOutcome:
    document_id: int
    ok: bool
    message: str


def sign_batch(actor: User, document_ids: Sequence[int], pin: str,
               progress: Callable[[int, int, BatchOutcome], None] | None = None,
               signer: signing.DocumentSigner | None = None) -> list[BatchOutcome]:
    """Sign several approved documents with one PIN entry; each commits on its own, so one
    failure does not stop (or undo) the others. This service owns its transactions.
    ``signer`` is the leader's key already unlocked with ``pin`` (batch signing in the
    background opens it in the request and passes it on: the PIN goes nowhere else).
    Without a signature image nothing is tried: refused at once when the key is still to be
    opened here, else each document answers why."""
    if signer is None:
        require_signature_image(actor)
    # One PIN check (one remote authorisation where allowed) for the whole batch.
    signer = signer or open_leader_signer(actor, pin, signatures=len(document_ids))
    outcomes: list[BatchOutcome] = []
    total = len(document_ids)
    for index, document_id in enumerate(document_ids, start=1):
        try:
            document = get_visible(actor, document_id)
            sign_as_leader(actor, document, pin, signer=signer)
            db.session.commit()
            outcome = BatchOutcome(document_id, True, "Đã ký")
        except WorkflowError as error:
            db.session.rollback()
            outcome = BatchOutcome(document_id, False, error.message)
        except Exception:  # one document's fault must not stop the batch
            db.session.rollback()
            current_app.logger.exception("batch signing failed for document %s", document_id)
            outcome = BatchOutcome(document_id, False, "Lỗi hệ thống khi ký văn bản này.")
        outcomes.append(outcome)
        if progress:
            progress(index, total, outcome)
    return outcomes
