"""What a new organisation needs to work, provided when it is created: this year's
registers (outgoing, incoming and the secret ones: Decree 30 keeps each its own series)
and, where the installation signs with the embedded demo PKI, its seal certificate.

Registered at ``organisation_provisioners`` by ``eoffice.organisation.init_app``; the
organisation service calls them without knowing documents or keys.
"""

from __future__ import annotations

from eoffice.documents.models import DocumentRegister
from eoffice.documents.numbering import INCOMING, INCOMING_SECRET, OUTGOING, SECRET
from eoffice.extensions import db
from eoffice.organisation.models import Organisation
from eoffice.signing_keys import DEMO_PIN, issue_seal_certificate, pki_dir
from eoffice.signing_keys.exchange_keys import issue_demo_exchange_certificate
from eoffice.timestamps import VIETNAM, utcnow

DEFAULT_REGISTER_KINDS = (OUTGOING, INCOMING, SECRET, INCOMING_SECRET)


def default_registers(organisation: Organisation) -> None:
    """This year's registers, each starting at number 1 (later years open on first use)."""
    year = utcnow().astimezone(VIETNAM).year
    for kind in DEFAULT_REGISTER_KINDS:
        db.session.add(DocumentRegister(organisation_id=organisation.id, year=year, kind=kind,
                                        last_number=0))
    db.session.flush()


def demo_pki_in_use() -> bool:
    """True when the installation's embedded demo PKI exists (``make run``, the demo); a
    production installation brings its certificates from a real CA instead."""
    return (pki_dir() / "root.pem").exists()


def demo_seal_certificate(organisation: Organisation) -> None:
    """The organisation's seal certificate from the demo PKI (PIN 123456) and its exchange
    certificate (``signing_keys.exchange_keys``), when in use.
    Issued afresh even when a file exists: one left by a rolled-back creation that held
    the same id belongs to another name."""
    if demo_pki_in_use():
        issue_seal_certificate(organisation, DEMO_PIN)
        # and the server-held key that signs its edXML packages (issued afresh likewise)
        issue_demo_exchange_certificate(organisation)


__all__ = ["DEFAULT_REGISTER_KINDS", "default_registers", "demo_pki_in_use",
           "demo_seal_certificate"]
