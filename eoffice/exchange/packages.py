"""The edXML bytes that leave: a package for an issued outgoing document (business type 0 new,
1 revoke, 2 update, 3 replace) and the status message about a document that arrived here.

The same bytes serve local delivery and the national axis: a package delivered inside the
installation is built, handed over and parsed on the other side exactly as a remote one. Both
are signed with the sending organisation's exchange certificate
(``signing_keys.exchange_keys``): an enveloped XML signature in the header, as QCVN 102 has it.
"""

from __future__ import annotations

import contextlib
from datetime import date

from eoffice.accounts.models import User
from eoffice.documents.exchange import (
    our_organ,
    outgoing_document_id,
    package_files,
    package_message,
)
from eoffice.documents.models import Document
from eoffice.errors import DomainError, InvalidInput
from eoffice.organisation.models import Organisation
from eoffice.signing_keys.exchange_keys import open_exchange_key
from eoffice.timestamps import utcnow
from formats import edxml
from formats.edxml.signature import sign_package

SECRET_REFUSED = ("Văn bản mật không được gửi ra ngoài cơ quan: không gửi liên thông, không xuất "
                  "gói edXML.")


def response_for(document: Document) -> edxml.ResponseFor:
    """How a package or a status names one of our issued documents."""
    assert document.issued_date is not None
    return edxml.ResponseFor(organ_id=document.organisation.organ_id,
                             code=document.number_and_notation,
                             promulgation_date=document.issued_date,
                             document_id=outgoing_document_id(document))


def signed(organisation: Organisation, data: bytes) -> bytes:
    """``data`` (a package or status we built) signed with ``organisation``'s exchange key."""
    key = open_exchange_key(organisation)
    try:
        return sign_package(data, key.key, key.chain)
    except edxml.EdxmlError as error:
        raise InvalidInput(str(error)) from None


def ready_to_sign(organisation: Organisation) -> None:
    """Have ``organisation``'s exchange key at hand before the send is committed: issuing the
    first one (the demo PKI) takes a fraction of a second a local delivery cannot spare. A key
    that cannot be had is left for the job, which records the reason on the dispatch."""
    with contextlib.suppress(DomainError):
        open_exchange_key(organisation)


def build_package(document: Document, to: edxml.OrganInfo, business_type: int, *,
                  reason: str = "", actor: User | None = None,
                  replaces: Document | None = None) -> bytes:
    """The signed package of ``document`` for one recipient; ``replaces`` is the document a
    type-3 package replaces, named in ReplacementInfoList as the official samples do (the
    recipient links the two)."""
    if document.is_secret:
        raise InvalidInput(SECRET_REFUSED)
    if document.issued_date is None:
        raise InvalidInput("Chỉ gửi liên thông văn bản đã phát hành.")
    # A revocation carries no content: the recipient withdraws what it has.
    files = [] if business_type == 1 else package_files(document)
    message = package_message(
        document, to, files, at=utcnow(),
        business=edxml.Business(
            doc_type=business_type, reason=reason[:500],
            staff=edxml.StaffInfo(staff=actor.full_name if actor else ""),
            replacements=((edxml.ReplacementInfo(outgoing_document_id(replaces),
                                                 (to.organ_id,)),)
                          if replaces is not None else ())),
    )
    try:
        data = edxml.build_package(message, files)
    except edxml.EdxmlError as error:
        raise InvalidInput(str(error)) from None
    return signed(document.organisation, data)


def build_status(document: Document, sender_organ_id: str, document_key: str,
                 code: edxml.StatusCode, description: str, staff: str) -> bytes:
    """The signed status message telling ``sender_organ_id`` how its document is handled here
    (``document`` is our incoming copy)."""
    day = document.issued_date or date.today()
    status = edxml.StatusMessage(
        response_for=edxml.ResponseFor(organ_id=sender_organ_id,
                                       code=document.number_and_notation,
                                       promulgation_date=day, document_id=document_key),
        from_org=our_organ(document), code=code, timestamp=utcnow(),
        description=description or code.label, staff=edxml.StaffInfo(staff=staff))
    return signed(document.organisation, edxml.build_status(status))
