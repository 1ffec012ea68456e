"""Interrupted signing: the digest goes out, a CMS comes back (remote signing services)."""

from __future__ import annotations

import asyncio

import pytest

from signing import SigningError, begin_external_signing, load_pkcs12, validate
from signing.external import ExternalSigningSession

from .conftest import USER_PIN


def _remote_service(p12: bytes, digest: bytes) -> bytes:
    """Stands in for VNPT SmartCA & co: signs a document digest, returns CMS."""
    signer = load_pkcs12(p12, USER_PIN)
    cms = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
    return cms.dump()


def test_interrupted_signing_round_trip(leader_p12, pki, pdf1, tmp_path, pdfsig):
    session = begin_external_signing(pdf1, leader_p12.certificate, pki.chain)
    assert len(session.document_digest) == 32
    # the session can be parked (e.g. in the web app's DB) between requests
    parked = ExternalSigningSession.from_dict(session.to_dict())
    cms = _remote_service(leader_p12.pkcs12, parked.document_digest)
    signed = parked.finish(cms)
    rep = validate(signed, pki=pki)
    assert rep.ok, rep.verdict_en
    p = tmp_path / "remote.pdf"
    p.write_bytes(signed)
    pdfsig.check_all_valid(p, expected=1)


def test_remote_cms_over_wrong_digest_is_invalid(leader_p12, pki, pdf1):
    session = begin_external_signing(pdf1, leader_p12.certificate, pki.chain)
    cms = _remote_service(leader_p12.pkcs12, b"\x00" * 32)
    rep = validate(session.finish(cms), pki=pki)
    assert not rep.ok and not rep.signatures[0].intact


def test_garbage_from_remote_service(leader_p12, pki, pdf1):
    session = begin_external_signing(pdf1, leader_p12.certificate, pki.chain)
    with pytest.raises(SigningError):
        session.finish(b"not a cms")
