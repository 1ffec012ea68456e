"""Validation report per signature, with one-line verdicts in Vietnamese and English.

:func:`validate` runs pyHanko's signature validation (integrity, signature
value, chain of trust, timestamp, revocation, difference analysis of later
incremental updates) fully offline: trust anchors are what the caller passes
(our demo root, or a national root), revocation data is what the document
embeds (DSS, B-LT) plus any CRL/OCSP the caller adds (e.g. the demo PKI's
current CRL, so that a revocation recorded today shows up).
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .appearance import iso_vn
from .errors import BadPdfError, EncryptedPdfError
from .pdf_input import MAX_PDF_BYTES, check_pdf_bytes, read_pdf_bytes

__all__ = ["CertInfo", "SignatureReport", "ValidationReport", "validate"]

log = logging.getLogger(__name__)


@dataclass
class CertInfo:
    subject: str
    common_name: str
    issuer: str
    serial: str
    not_before: str
    not_after: str

    @classmethod
    def of(cls, cert: asn1_x509.Certificate) -> CertInfo:
        cn = cert.subject.native.get("common_name", "")
        return cls(cert.subject.human_friendly, cn if isinstance(cn, str) else cn[0],
                   cert.issuer.human_friendly, format(cert.serial_number, "x"),
                   cert["tbs_certificate"]["validity"]["not_before"].native.isoformat(),
                   cert["tbs_certificate"]["validity"]["not_after"].native.isoformat())


@dataclass
class SignatureReport:
    """Everything a clerk or auditor needs to know about one signature."""

    field_name: str
    kind: str  # "signature" | "certification" | "document_timestamp"
    signer: str
    chain: list[CertInfo]
    intact: bool  # the signed bytes hash to the value in the CMS
    signature_valid: bool  # the cryptographic signature verifies
    trusted: bool  # chain to a trust anchor, usable at validation time
    trust_problem: str | None
    signing_time: str | None  # claimed by the signer (Vietnam time)
    timestamp: str | None  # from the TSA, if any
    timestamp_trusted: bool | None
    coverage: str  # ENTIRE_FILE | ENTIRE_REVISION | ...
    modification_level: str | None  # NONE | LTA_UPDATES | FORM_FILLING | ANNOTATIONS | OTHER
    modifications_allowed: bool  # later updates comply with the DocMDP/diff policy
    revocation: str  # "good" | "revoked" | "unknown"
    revoked_at: str | None
    revocation_reason: str | None
    level: str  # PAdES level detected: B-B, B-T, B-LT, B-LTA
    ltv: bool  # revocation data embedded (B-LT or better)
    ok: bool
    verdict_vi: str
    verdict_en: str
    problems: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    signatures: list[SignatureReport]
    ok: bool
    verdict_vi: str
    verdict_en: str

    def to_dict(self) -> dict:
        return asdict(self)


def _load_roots(trust_roots) -> list[asn1_x509.Certificate]:
    out = []
    for r in trust_roots or ():
        if isinstance(r, asn1_x509.Certificate):
            out.append(r)
        elif hasattr(r, "public_bytes"):  # cryptography certificate
            from cryptography.hazmat.primitives.serialization import Encoding
            out.append(asn1_x509.Certificate.load(r.public_bytes(Encoding.DER)))
        else:
            data = bytes(r)
            if b"-----BEGIN" in data:
                from cryptography import x509

                for c in x509.load_pem_x509_certificates(data):
                    out.extend(_load_roots([c]))
            else:
                out.append(asn1_x509.Certificate.load(data))
    return out


def _fmt_dt(dt: datetime | None) -> str | None:
    return iso_vn(dt) if dt else None


def validate(pdf, *, trust_roots=(), crls=(), ocsps=(), pki=None,
             max_bytes: int = MAX_PDF_BYTES) -> ValidationReport:
    """Validate every signature and document timestamp in ``pdf`` (bytes or stream).

    ``trust_roots``: PEM/DER bytes or certificate objects; ``pki``: a
    :class:`signing.pki.DemoPKI` whose root is trusted and whose current CRLs are
    consulted.  Raises :class:`BadPdfError` for unusable input; a document
    without signatures gives ``ok=False``.
    """
    data = read_pdf_bytes(pdf, max_bytes=max_bytes)
    check_pdf_bytes(data)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
    except Exception as exc:
        raise BadPdfError(f"unreadable PDF: {exc}", message_vi="Tệp PDF bị hỏng") from exc
    if reader.encrypted:
        raise EncryptedPdfError("the PDF is encrypted")
    roots = _load_roots(trust_roots)
    crls, ocsps = list(crls), list(ocsps)
    if pki is not None:
        roots += _load_roots([pki.root_cert])
        crls += pki.crls()
    try:
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise BadPdfError(f"unreadable signature dictionaries: {exc}") from exc
    if not embedded:
        return ValidationReport([], False, "Tài liệu không có chữ ký số",
                                "The document carries no digital signature")
    kwargs = dict(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail",
                  crls=crls, ocsps=ocsps)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        vc = dss.as_validation_context(kwargs)
        dss_has_revinfo = bool(dss.crls or dss.ocsps)
    except NoDSSFoundError:
        vc = ValidationContext(**kwargs)
        dss_has_revinfo = False
    except Exception as exc:
        log.warning("ignoring unreadable DSS: %s", exc)
        vc = ValidationContext(**kwargs)
        dss_has_revinfo = False

    reports: list[SignatureReport] = []
    doc_ts_valid_after: list[int] = []  # indices of valid doc timestamps
    for idx, emb in enumerate(embedded):
        try:
            rep = _validate_one(emb, vc, dss_has_revinfo)
        except Exception as exc:  # a broken signature must not hide the others
            rep = _broken(emb, exc)
        if rep.kind == "document_timestamp" and rep.ok:
            doc_ts_valid_after.append(idx)
        reports.append(rep)
    for idx, rep in enumerate(reports):
        if rep.kind != "document_timestamp" and rep.ltv and any(
                j > idx for j in doc_ts_valid_after):
            rep.level = "B-LTA"
    ok = all(r.ok for r in reports)
    n = len([r for r in reports if r.kind != "document_timestamp"])
    if ok:
        vi, en = f"Tất cả {n} chữ ký hợp lệ", f"All {n} signature(s) valid"
    else:
        bad = [r for r in reports if not r.ok]
        vi = f"{len(bad)}/{len(reports)} chữ ký không hợp lệ: " + bad[0].verdict_vi
        en = f"{len(bad)}/{len(reports)} signature(s) not valid: " + bad[0].verdict_en
    return ValidationReport(reports, ok, vi, en)


def _broken(emb, exc: Exception) -> SignatureReport:
    vi = f"Không hợp lệ: không đọc được chữ ký ({exc})"
    en = f"INVALID: the signature cannot be processed ({exc})"
    return SignatureReport(
        field_name=str(emb.field_name), kind="signature", signer="", chain=[], intact=False,
        signature_valid=False, trusted=False, trust_problem=None, signing_time=None,
        timestamp=None, timestamp_trusted=None, coverage="UNCLEAR", modification_level=None,
        modifications_allowed=False, revocation="unknown", revoked_at=None,
        revocation_reason=None, level="?", ltv=False, ok=False, verdict_vi=vi, verdict_en=en,
        problems=[str(exc)])


def _validate_one(emb, vc: ValidationContext, dss_has_revinfo: bool) -> SignatureReport:
    is_doc_ts = emb.sig_object_type == "/DocTimeStamp"
    if is_doc_ts:
        st = validate_pdf_timestamp(emb, validation_context=vc)
        kind = "document_timestamp"
    else:
        st = validate_pdf_signature(emb, signer_validation_context=vc,
                                    ts_validation_context=vc)
        kind = "certification" if emb.docmdp_level is not None else "signature"
    cert = st.signing_cert
    chain = [CertInfo.of(c) for c in st.validation_path.iter_certs(include_root=True)][::-1] \
        if st.validation_path is not None else [CertInfo.of(cert)]
    signer = CertInfo.of(cert).common_name or cert.subject.human_friendly
    diff = st.diff_result
    suspicious = isinstance(diff, SuspiciousModification)
    mod_level = st.modification_level
    coverage = st.coverage or SignatureCoverageLevel.UNCLEAR
    mods_ok = (coverage >= SignatureCoverageLevel.ENTIRE_REVISION and not suspicious
               and st.docmdp_ok is not False
               and (mod_level is None or mod_level != ModificationLevel.OTHER))
    if is_doc_ts:
        ts_dt, ts_trusted, signing_dt = st.timestamp, st.trusted, st.timestamp
    else:
        tsv = st.timestamp_validity
        ts_dt = tsv.timestamp if tsv is not None else None
        ts_trusted = (tsv.trusted if tsv is not None else None)
        signing_dt = st.signer_reported_dt
    rev = st.revocation_details
    revocation = "revoked" if rev is not None else ("good" if st.trusted else "unknown")
    has_ts = ts_dt is not None
    ltv = has_ts and dss_has_revinfo
    level = "B-LT" if ltv else ("B-T" if has_ts else "B-B")
    if is_doc_ts:
        level = "DTS"
    problems = []
    trust_problem = st.trust_problem_indic.name if st.trust_problem_indic else None

    when = _fmt_dt(ts_dt or signing_dt)
    if not st.intact:
        problems.append("digest mismatch")
        vi = "Không hợp lệ: nội dung đã ký bị thay đổi (dữ liệu không khớp chữ ký)"
        en = "INVALID: the signed content was altered (digest mismatch)"
    elif not st.valid:
        problems.append("bad signature value")
        vi = "Không hợp lệ: giá trị chữ ký số sai"
        en = "INVALID: the cryptographic signature does not verify"
    elif not mods_ok:
        what = mod_level.name if mod_level else coverage.name
        problems.append(f"modified after signing ({what})")
        vi = "Không hợp lệ: tài liệu đã bị sửa đổi sau khi ký"
        en = "INVALID: the document was modified after signing"
    elif rev is not None:
        problems.append("signer certificate revoked")
        rdate = _fmt_dt(rev.revocation_date)
        vi = f"Không hợp lệ: chứng thư số của người ký đã bị thu hồi ({rdate})"
        en = f"INVALID: the signer's certificate was revoked ({rdate})"
    elif not st.trusted:
        problems.append(f"untrusted ({trust_problem or 'no path to a trust anchor'})")
        vi = "Không tin cậy: chứng thư số không dẫn tới CA gốc được tin cậy"
        en = "UNTRUSTED: the certificate chain does not lead to a trusted root"
        if trust_problem and "EXPIRED" in trust_problem:
            vi = "Không tin cậy: chứng thư số đã hết hạn tại thời điểm kiểm tra"
            en = "UNTRUSTED: the certificate was expired at validation time"
    elif has_ts and ts_trusted is False:
        problems.append("untrusted timestamp")
        vi = "Không tin cậy: dấu thời gian không được tin cậy"
        en = "UNTRUSTED: the timestamp is not trusted"
    elif is_doc_ts:
        vi = f"Dấu thời gian tài liệu hợp lệ ({when})"
        en = f"VALID document timestamp ({when})"
    else:
        vi = f"Hợp lệ: ký bởi {signer} lúc {when}"
        en = f"VALID: signed by {signer} at {when}"
        if mod_level is not None and mod_level > ModificationLevel.NONE:
            extra = {"LTA_UPDATES": ("chỉ bổ sung dữ liệu kiểm tra dài hạn", "LTV data only"),
                     "FORM_FILLING": ("chỉ điền biểu mẫu/ký tiếp", "form filling/signing only"),
                     "ANNOTATIONS": ("chỉ thêm chú thích", "annotations only")}.get(
                         mod_level.name)
            if extra:
                vi += f"; thay đổi sau khi ký được phép: {extra[0]}"
                en += f"; later changes allowed: {extra[1]}"
    ok = not problems
    return SignatureReport(
        field_name=str(emb.field_name), kind=kind, signer=signer, chain=chain,
        intact=bool(st.intact), signature_valid=bool(st.valid), trusted=bool(st.trusted),
        trust_problem=trust_problem, signing_time=_fmt_dt(signing_dt), timestamp=_fmt_dt(ts_dt),
        timestamp_trusted=ts_trusted, coverage=coverage.name,
        modification_level=mod_level.name if mod_level is not None else None,
        modifications_allowed=mods_ok, revocation=revocation,
        revoked_at=_fmt_dt(rev.revocation_date) if rev else None,
        revocation_reason=(rev.revocation_reason.native if rev else None),
        level=level, ltv=ltv, ok=ok, verdict_vi=vi, verdict_en=en, problems=problems)
