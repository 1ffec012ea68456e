"""Signing whose signature value comes from elsewhere (a remote signing service, a token
outside this process): prepare the document, hand over its digest, embed the CMS returned;
and document timestamps that extend a signature to B-LTA."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import cms
from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields as pfields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import ExternalSigner
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import SigningError
from .keys import check_certificate_usable
from .pdf_input import open_pdf_for_update
from .pki import to_asn1_cert
from .sign import free_field_name


@dataclass
class ExternalSigningSession:
    """Interrupted signing for remote services (VNPT SmartCA, Viettel MySign...).

    :attr:`document_digest` (SHA-256 over the byte ranges) goes to the service;
    it returns a detached CMS ``SignedData`` over that digest (PAdES signed
    attributes, signing certificate attribute), and :meth:`finish` embeds it.
    The prepared document stays in :attr:`prepared_pdf` meanwhile, so the
    session can be kept in memory or serialised with :meth:`to_dict`.
    """

    prepared_pdf: bytes
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    md_algorithm: str = "sha256"

    def finish(self, signature_cms: bytes) -> bytes:
        from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest

        try:
            ci = cms.ContentInfo.load(signature_cms)
            _ = ci["content"]["signer_infos"]
        except Exception as exc:
            raise SigningError(f"the remote service did not return a CMS object: {exc}"
                               ) from exc
        out = io.BytesIO(self.prepared_pdf)
        prep = PreparedByteRangeDigest(self.document_digest, self.reserved_region_start,
                                       self.reserved_region_end)
        try:
            PdfTBSDocument.finish_signing(out, prep, ci)
        except (PyHankoSigningError, PdfError, ValueError) as exc:
            raise SigningError(f"cannot embed the remote signature: {exc}") from exc
        return out.getvalue()

    def to_dict(self) -> dict:
        return {"prepared_pdf": self.prepared_pdf, "document_digest": self.document_digest,
                "reserved_region_start": self.reserved_region_start,
                "reserved_region_end": self.reserved_region_end,
                "md_algorithm": self.md_algorithm}

    @classmethod
    def from_dict(cls, d: dict) -> ExternalSigningSession:
        return cls(**d)


def begin_external_signing(pdf, signing_cert: x509.Certificate,
                           chain: Iterable[x509.Certificate] = (), *,
                           field_name: str | None = None, reason: str | None = None,
                           bytes_reserved: int = 32 * 1024) -> ExternalSigningSession:
    """Prepare an invisible B-B signature whose CMS comes from elsewhere.

    (A remote service that timestamps its CMS yields B-T; extend to B-LTA
    afterwards with :func:`add_document_timestamp` if needed.)
    """
    check_certificate_usable(signing_cert)
    writer = open_pdf_for_update(pdf)
    store = SimpleCertificateStore()
    store.register_multiple([to_asn1_cert(c) for c in chain])
    ext = ExternalSigner(to_asn1_cert(signing_cert), store, signature_value=256)
    name = field_name or free_field_name("Signature", writer)
    meta = PdfSignatureMetadata(field_name=name, md_algorithm="sha256",
                                subfilter=pfields.SigSeedSubFilter.PADES, reason=reason)
    pdf_signer = PdfSigner(meta, ext, new_field_spec=pfields.SigFieldSpec(name))
    out = io.BytesIO()
    try:
        prep, _tbs, out = asyncio.run(pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=bytes_reserved, output=out))
    except (PyHankoSigningError, PdfError, ValueError) as exc:
        raise SigningError(f"cannot prepare the document: {exc}") from exc
    return ExternalSigningSession(out.getvalue(), prep.document_digest,
                                  prep.reserved_region_start, prep.reserved_region_end)


def add_document_timestamp(pdf, timestamper: TimeStamper,
                           validation_context: ValidationContext | None = None) -> bytes:
    """Append a document timestamp (with DSS update when a context is given): B-LTA."""
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    writer = open_pdf_for_update(pdf)
    out = io.BytesIO()
    try:
        if validation_context is not None:
            from pyhanko.sign.validation import add_validation_info  # noqa: F401
        PdfTimeStamper(timestamper).timestamp_pdf(
            writer, "sha256", validation_context=validation_context, output=out)
    except (PyHankoSigningError, PdfError, ValueError) as exc:
        raise SigningError(f"cannot add the document timestamp: {exc}") from exc
    return out.getvalue()


