"""pyHanko's own AdES validation (ETSI EN 319 102-1), offline, only our root trusted."""

from __future__ import annotations

import asyncio
import io

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import ades
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager


def _spec(root_pem_path, local_knowledge=None) -> SignatureValidationSpec:
    root = load_cert_from_pemder(str(root_pem_path))
    kw = {"local_knowledge": local_knowledge} if local_knowledge is not None else {}
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=[root]),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO)),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            RevinfoOnlineFetchingRule.LOCAL_ONLY), **kw)


def lta_verdicts(pdf: bytes, root_pem_path) -> list[str]:
    """ETSI §5.6.3 (signatures with archival data): the B-LTA process."""
    r = PdfFileReader(io.BytesIO(pdf))
    spec = PdfSignatureValidationSpec(_spec(root_pem_path))
    return [asyncio.run(ades.ades_lta_validation(s, spec)).ades_subindic.name
            for s in r.embedded_signatures if s.sig_object_type != "/DocTimeStamp"]


def with_time_verdicts(pdf: bytes, root_pem_path) -> list[str]:
    """ETSI §5.5 (signatures with time), revocation data only from the file's DSS.

    pyHanko's LTA process demands a document timestamp as proof of existence
    for the CA certificates, so a B-LT file (no document timestamp by
    definition) is judged with the process meant for it.
    """
    r = PdfFileReader(io.BytesIO(pdf))
    spec = _spec(root_pem_path, ades._dss_to_local_knowledge(reader=r))
    out = []
    for s in r.embedded_signatures:
        if s.sig_object_type == "/DocTimeStamp":
            continue
        s.compute_integrity_info()
        res = asyncio.run(ades.ades_with_time_validation(
            s.signed_data, spec, raw_digest=s.compute_digest(),
            status_cls=PdfSignatureStatus, extra_status_kwargs=s.summarise_integrity_info()))
        out.append(res.ades_subindic.name)
    return out
