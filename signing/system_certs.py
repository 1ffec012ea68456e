"""Certificates a server holds for an organisation rather than a person signs with: eoffice's
edXML exchange certificates. Issued by the demo PKI like a seal, but with a subject the caller
composes (the exchange certificate names the organisation's OrganId) and a PKCS#12 protected
by the installation's passphrase instead of a PIN.

Kept beside ``pki`` rather than in it: ``DemoPKI`` is at the size one module may have.
"""

from __future__ import annotations

from cryptography import x509

from .pki import DemoPKI, IssuedCertificate


def issue_system(pki: DemoPKI, subject: x509.Name, passphrase: str, *,
                 validity_days: int = 1825) -> IssuedCertificate:
    """A certificate for ``subject`` from ``pki``'s issuing CA, recorded in its registry (kind
    ``system``, revocable like any other) and returned with a PKCS#12 under ``passphrase``."""
    return pki._issue("system", subject, subject.rfc4514_string(), passphrase, None,
                      validity_days)
