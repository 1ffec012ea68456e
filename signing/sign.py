"""PAdES signing: levels B-B … B-LTA, Decree 30 roles, batches and remote signing.

Typical use (the web app does exactly this, with bytes from its storage)::

    signer = DocumentSigner(load_pkcs12(p12, pin), pki=DemoPKI.open(pki_dir))
    signed = signer.sign(pdf_bytes, role=Role.LEADER,
                         leader=LeaderAppearance(name=..., title=..., image_png=...),
                         reserve=ReservedFields(number_rect=..., date_rect=...))

Every signature is an incremental update (earlier signatures stay intact),
``/SubFilter /ETSI.CAdES.detached`` with SHA-256.  The input is never modified:
output goes to a new buffer or to the stream passed as ``output``.
"""

from __future__ import annotations

import asyncio
import io
import math
import multiprocessing
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import BinaryIO

from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields as pfields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator import ValidationContext

from . import fields as ef
from .appearance import (
    VN_TZ,
    AttachmentAppearance,
    ImageStampStyle,
    LeaderAppearance,
    LeaderStampStyle,
    SealAppearance,
    attachment_rect,
    attachment_style,
    default_leader_rect,
    iso_vn,
    leader_image_rect,
    seal_rect,
)
from .errors import (
    SigningError,
)
from .keys import CachedKeySigner, check_certificate_usable, signer_certificate
from .pdf_input import MAX_PDF_BYTES, open_pdf_for_update, read_pdf_bytes
from .pki import DemoPKI
from .tsa import HttpTimeStamper

__all__ = [
    "LEADER_FIELD",
    "MAX_PDF_BYTES",
    "ORG_FIELD",
    "BatchItem",
    "DocumentSigner",
    "Level",
    "Role",
    "free_field_name",
    "open_pdf_for_update",
    "read_pdf_bytes",
]

LEADER_FIELD = "ChuKyLanhDao"
ORG_FIELD = "ChuKyCoQuan"
ATTACHMENT_FIELD = "ChuKyDinhKem"


class Level(StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Role(StrEnum):
    PLAIN = "plain"  # invisible approval signature
    LEADER = "leader"  # certification (FILL_FORMS) + reserved number/date/seal fields
    ORG = "org"  # seal image into the field reserved by the leader
    ATTACHMENT = "attachment"  # text-only org signature, top right of page 1


def _page_box(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, ...]:
    page_ref = writer.find_page_for_modification(page)[0]
    obj = page_ref.get_object()
    while "/MediaBox" not in obj and "/Parent" in obj:
        obj = obj["/Parent"]
    return tuple(float(v) for v in obj.get("/MediaBox", (0, 0, 595.28, 841.89)))


def _page_index(writer: IncrementalPdfFileWriter, page: int) -> int:
    count = int(writer.root["/Pages"]["/Count"])
    if page < 0:
        page += count
    if not 0 <= page < count:
        raise SigningError(f"page {page + 1} does not exist (the document has {count})")
    return page


# --------------------------------------------------------------------------- signer
class _TimedPdfSigner(PdfSigner):
    """PdfSigner whose signing time is fixed by us (Vietnam time, shown in appearances)."""

    def __init__(self, *args, system_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._system_time
        return session


@dataclass
class BatchItem:
    """Outcome for one document of :meth:`DocumentSigner.sign_batch`."""

    name: str
    ok: bool
    output: bytes | None = None
    error: str | None = None
    error_code: str | None = None
    ms: float = 0.0


@dataclass
class _Plan:
    meta: PdfSignatureMetadata
    stamp_style: object | None = None
    new_field_spec: pfields.SigFieldSpec | None = None
    text_params: dict = field(default_factory=dict)


_BATCH_SIGNER: DocumentSigner | None = None
_BATCH_KWARGS: dict = {}


def _batch_worker(job: tuple[int, str, bytes]) -> tuple[int, BatchItem]:
    idx, name, data = job
    assert _BATCH_SIGNER is not None
    return idx, _BATCH_SIGNER._sign_one(name, data, _BATCH_KWARGS)


class DocumentSigner:
    """Signs documents with one opened key (one PIN entry for many documents).

    :param signer: a pyHanko ``Signer``: from :func:`signing.keys.load_pkcs12`,
        :func:`signing.keys.open_pkcs11_signer`, or any custom one.
    :param pki: the embedded demo PKI: gives the TSA, the CRLs for B-LT and the
        revocation check before signing.
    :param tsa_url: an external RFC 3161 TSA (production) instead of the demo one.
    :param validation_context: trust anchors and revocation data for B-LT when
        not using the demo PKI (e.g. a real CA with fetching enabled).
    :param level: default level; B-LT when a TSA and revocation data exist.
    """

    def __init__(self, signer: Signer, *, pki: DemoPKI | None = None,
                 tsa_url: str | None = None, timestamper: TimeStamper | None = None,
                 validation_context: ValidationContext | None = None,
                 level: Level | str | None = None, max_bytes: int = MAX_PDF_BYTES):
        self.signer = signer
        self.pki = pki
        self.max_bytes = max_bytes
        if timestamper is None and tsa_url:
            timestamper = HttpTimeStamper(tsa_url)
        if timestamper is None and pki is not None:
            timestamper = pki.timestamper()
        self.timestamper = timestamper
        self._fixed_vc = validation_context
        self._vc_cache: tuple[tuple, ValidationContext] | None = None
        self._reserved: dict[Level, int] = {}
        if level is None:
            has_revinfo = pki is not None or validation_context is not None
            level = Level.B_LT if (timestamper and has_revinfo) else (
                Level.B_T if timestamper else Level.B_B)
        self.default_level = Level(level)
        self.certificate: x509.Certificate = signer_certificate(signer)
        self.check_certificate()

    @property
    def signer_name(self) -> str:
        attrs = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(attrs[0].value) if attrs else self.certificate.subject.rfc4514_string()

    def check_certificate(self) -> None:
        """Expired / not yet valid / revoked (when the PKI knows) → CertificateRefusedError."""
        revocation = None
        if self.pki is not None:
            issuer = self.certificate.issuer
            if issuer == self.pki.issuing_cert.subject:
                revocation = self.pki.status
        check_certificate_usable(self.certificate, revocation=revocation)

    def validation_context(self) -> ValidationContext | None:
        if self._fixed_vc is not None:
            return self._fixed_vc
        if self.pki is None:
            return None
        crls = self.pki.crls()
        key = tuple(id(c) for c in crls)
        if self._vc_cache is None or self._vc_cache[0] != key:
            self._vc_cache = (key, self.pki.validation_context())
        return self._vc_cache[1]

    def _reserve(self, lv: Level) -> int:
        """Space for the CMS, in hex digits, computed once per level.

        pyHanko otherwise builds a complete throw-away CMS (and asks the TSA
        for a dummy token) on every signature just to measure it: a third of
        the signing time.  The certificates, the RSA signature and the
        timestamp token have a known size; the margin covers the attributes.
        """
        if lv in self._reserved:
            return self._reserved[lv]
        certs = [self.signer.signing_cert, *self.signer.cert_registry]
        size = sum(len(c.dump()) for c in certs) + 1280
        if lv.rank >= Level.B_T.rank and self.timestamper is not None:
            dummy = asyncio.run(self.timestamper.async_dummy_response("sha256"))
            size += len(dummy.dump()) + 512
        self._reserved[lv] = size * 2
        return self._reserved[lv]

    def _resolve_level(self, level) -> Level:
        lv = Level(level) if level else self.default_level
        if lv.rank >= Level.B_T.rank and self.timestamper is None:
            raise SigningError(f"{lv} needs a timestamp authority (--pki or --tsa)")
        if lv.rank >= Level.B_LT.rank and self.validation_context() is None:
            raise SigningError(f"{lv} needs revocation data (--pki or a validation context)")
        return lv

    # ------------------------------------------------------------------ planning
    def _plan(self, writer: IncrementalPdfFileWriter, lv: Level, role: Role, *,
              leader: LeaderAppearance | None, seal: SealAppearance | None,
              attachment: AttachmentAppearance | None, reserve: ef.ReservedFields | None,
              reason: str | None, location: str | None, field_name: str | None,
              now: datetime) -> _Plan:
        filled = list(pfields.enumerate_sig_fields(writer, filled_status=True))
        empty = {name for name, _, _ in pfields.enumerate_sig_fields(writer, filled_status=False)}
        usage = {"non_repudiation"}
        try:
            ku = self.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
            if not ku.content_commitment:
                usage = {"digital_signature"}
        except x509.ExtensionNotFound:
            usage = set()
        meta = dict(
            md_algorithm="sha256", subfilter=pfields.SigSeedSubFilter.PADES,
            reason=reason, location=location,
            embed_validation_info=lv.rank >= Level.B_LT.rank,
            use_pades_lta=lv == Level.B_LTA,
            validation_context=self.validation_context() if lv.rank >= Level.B_LT.rank else None,
            signer_key_usage=usage,
        )
        plan = _Plan(meta=None)  # type: ignore[arg-type]
        if role == Role.LEADER:
            leader = leader or LeaderAppearance(name=self.signer_name, title="")
            page = _page_index(writer, leader.page)
            rect = leader.rect or default_leader_rect(_page_box(writer, page))
            name = field_name or free_field_name(LEADER_FIELD, writer)
            pfields.append_signature_field(
                writer, pfields.SigFieldSpec(name, on_page=page, box=_int_box(rect)))
            if ORG_FIELD not in empty:
                # A page that prints title and name around the box: the seal stays inside it.
                srect = seal_rect(leader_image_rect(rect, leader), seal or SealAppearance(b""),
                                  within=None if leader.show_text else rect)
                pfields.append_signature_field(
                    writer, pfields.SigFieldSpec(ORG_FIELD, on_page=page, box=_int_box(srect)))
            if reserve is not None:
                ef.reserve(writer, reserve)
            meta.update(field_name=name, certify=not filled,
                        docmdp_permissions=pfields.MDPPerm.FILL_FORMS)
            plan.stamp_style = LeaderStampStyle(spec=leader)
        elif role == Role.ORG:
            if seal is None:
                raise SigningError("the organisation signature needs the seal image")
            name = field_name or ORG_FIELD
            if name not in empty:
                raise SigningError(
                    f"no empty field {name!r}: the leader must sign first (it reserves the "
                    "seal's place); use role=attachment for separate files",
                    message_vi="Lãnh đạo phải ký trước khi đóng dấu cơ quan")
            meta.update(field_name=name)
            plan.stamp_style = ImageStampStyle(image_png=seal.image_png)
        elif role == Role.ATTACHMENT:
            if attachment is None:
                raise SigningError("an attachment signature needs the number and notation")
            rect = attachment_rect(_page_box(writer, 0), attachment)
            name = field_name or free_field_name(ATTACHMENT_FIELD, writer)
            meta.update(field_name=name)
            plan.new_field_spec = pfields.SigFieldSpec(name, on_page=0, box=_int_box(rect))
            plan.stamp_style = attachment_style(attachment)
            plan.text_params = {"vn_ts": iso_vn(now)}
        else:
            name = field_name or free_field_name("Signature", writer)
            meta.update(field_name=name)
            if name not in empty:
                plan.new_field_spec = pfields.SigFieldSpec(name)
            if leader is not None:  # a visible approval signature (minutes): image, text
                plan.stamp_style = LeaderStampStyle(spec=leader)
        plan.meta = PdfSignatureMetadata(**meta)
        return plan

    # ------------------------------------------------------------------ signing
    def sign(self, pdf, *, level: Level | str | None = None, role: Role | str = Role.PLAIN,
             leader: LeaderAppearance | None = None, seal: SealAppearance | None = None,
             attachment: AttachmentAppearance | None = None,
             reserve: ef.ReservedFields | None = None, reason: str | None = None,
             location: str | None = None, field_name: str | None = None,
             output: BinaryIO | None = None) -> bytes | None:
        """Sign one PDF (bytes or binary stream).  Returns the signed bytes, or
        writes them to ``output`` and returns ``None``.

        Nothing is written when an error is raised before the signature is
        complete, so a failure never leaves a half-signed file behind.
        """
        lv = self._resolve_level(level)
        role = Role(role)
        self.check_certificate()
        writer = open_pdf_for_update(pdf, max_bytes=self.max_bytes)
        now = datetime.now(VN_TZ).replace(microsecond=0)
        try:
            plan = self._plan(writer, lv, role, leader=leader, seal=seal,
                              attachment=attachment, reserve=reserve, reason=reason,
                              location=location, field_name=field_name, now=now)
            pdf_signer = _TimedPdfSigner(
                plan.meta, self.signer,
                timestamper=self.timestamper if lv.rank >= Level.B_T.rank else None,
                stamp_style=plan.stamp_style, new_field_spec=plan.new_field_spec,
                system_time=now)
            buf = io.BytesIO()
            pdf_signer.sign_pdf(writer, output=buf, appearance_text_params=plan.text_params,
                                bytes_reserved=self._reserve(lv))
        except SigningError:
            raise
        except (PyHankoSigningError, PdfError, ValueError, KeyError, OSError) as exc:
            raise SigningError(f"signing failed: {exc}") from exc
        data = buf.getvalue()
        if output is None:
            return data
        output.write(data)
        return None

    def _sign_one(self, name: str, pdf, kwargs: dict) -> BatchItem:
        t0 = time.perf_counter()
        try:
            if not isinstance(pdf, bytes | bytearray | memoryview) and not hasattr(pdf, "read"):
                with open(pdf, "rb") as fh:
                    pdf = read_pdf_bytes(fh, max_bytes=self.max_bytes)
            out = self.sign(pdf, **kwargs)
            return BatchItem(name, True, out, ms=(time.perf_counter() - t0) * 1000)
        except SigningError as exc:
            return BatchItem(name, False, None, str(exc), exc.code,
                             (time.perf_counter() - t0) * 1000)
        except Exception as exc:  # one bad document must not stop the batch
            return BatchItem(name, False, None, f"unexpected error: {exc}", "internal",
                             (time.perf_counter() - t0) * 1000)

    def sign_batch(self, documents: Iterable[tuple[str, object]], *,
                   progress: Callable[[int, int, BatchItem], None] | None = None,
                   workers: int = 1, **kwargs) -> list[BatchItem]:
        """Sign many documents with this (already unlocked) key.

        ``documents`` yields ``(name, pdf)`` where ``pdf`` is bytes, a stream or
        a path.  Each failure is reported in its :class:`BatchItem` and the
        others carry on.  ``progress(done, total, item)`` is called per document.
        ``workers > 1`` forks processes that inherit the unlocked key (Linux);
        keys on a PKCS#11 token always sign sequentially.
        """
        docs = list(documents)
        total = len(docs)
        results: list[BatchItem | None] = [None] * total
        parallel = (workers > 1 and total > 1 and isinstance(self.signer, CachedKeySigner)
                    and "fork" in multiprocessing.get_all_start_methods())
        if not parallel:
            for i, (name, pdf) in enumerate(docs):
                item = self._sign_one(name, pdf, kwargs)
                results[i] = item
                if progress:
                    progress(i + 1, total, item)
            return results  # type: ignore[return-value]
        global _BATCH_SIGNER, _BATCH_KWARGS
        _BATCH_SIGNER, _BATCH_KWARGS = self, kwargs
        self.validation_context()  # build caches before forking
        if self.timestamper is not None:
            asyncio.run(self.timestamper.async_dummy_response("sha256"))
        try:
            ctx = multiprocessing.get_context("fork")
            jobs = [(i, n, p) for i, (n, p) in enumerate(docs)]
            done = 0
            with ctx.Pool(workers) as pool:
                for idx, item in pool.imap_unordered(_batch_worker, jobs,
                                                     chunksize=max(1, total // (workers * 8))):
                    results[idx] = item
                    done += 1
                    if progress:
                        progress(done, total, item)
        finally:
            _BATCH_SIGNER, _BATCH_KWARGS = None, {}
        return results  # type: ignore[return-value]


def _int_box(rect) -> tuple[int, int, int, int]:
    """Whole points, rounded inwards: a field never reaches outside the place reserved."""
    x1, y1, x2, y2 = rect
    return (math.ceil(x1 - 0.01), math.ceil(y1 - 0.01), math.floor(x2 + 0.01),
            math.floor(y2 + 0.01))


def free_field_name(base: str, writer) -> str:
    names = {name for name, _, _ in pfields.enumerate_sig_fields(writer)}
    if base not in names:
        return base
    n = 2
    while f"{base}{n}" in names:
        n += 1
    return f"{base}{n}"
