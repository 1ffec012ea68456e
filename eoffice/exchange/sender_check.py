"""Whether a package is signed by the organisation it says it comes from.

A package's XML signature (``formats.edxml.signature``) proves the bytes are unchanged since
someone signed them; this module decides whether that someone is the sender named in the
package's From OrganId:

- a signature that does not verify refuses the package, whoever sent it;
- a certificate naming an OrganId (``UID=EDXML:…``, ``signing_keys.exchange_keys``) other than
  the sender's refuses it: another organisation's certificate does not speak for the sender;
- a package from an organisation of this installation must be signed by a certificate that
  chains to a trusted root (the demo PKI's, or one in ``<pki dir>/exchange-trust/``), is not
  revoked, and is that organisation's (naming its OrganId, or the one installed for it);
- from outside (real senders, the official samples), an unsigned package or an unverifiable
  placeholder signature is noted, and a valid signature whose certificate we cannot tie to
  the sender is accepted with a note saying so.
"""

from __future__ import annotations

from eoffice.errors import InvalidInput
from eoffice.exchange.routing import local_organisation
from eoffice.signing_keys.exchange_keys import (
    chains_to_trusted_root,
    exchange_certificate,
    organ_id_of,
    revoked_by_demo_pki,
)
from formats.edxml.signature import (
    EdxmlSignatureError,
    EdxmlUnverifiableSignature,
    SignerIdentity,
    verify_package,
)

VALID = "Chữ ký số của gói edXML hợp lệ"


class SenderNotProven(InvalidInput):
    """The package's signature does not show it comes from the organisation it names."""


def _who(signer: SignerIdentity) -> str:
    return signer.common_name or signer.subject


def _inside(sender: str, name: str, signer: SignerIdentity | None, trusted: bool) -> str:
    """The verdict for a package from an organisation of this installation."""
    if signer is None:
        raise SenderNotProven(f"Gói edXML của {name} ({sender}) không có chữ ký số hợp lệ của "
                              "cơ quan gửi; gói giữa các cơ quan trong hệ thống phải được ký "
                              "bằng chứng thư số liên thông của cơ quan gửi.")
    if not trusted:
        raise SenderNotProven(f"Gói edXML của {name} ({sender}) được ký bằng chứng thư số "
                              f"({_who(signer)}) không do tổ chức chứng thực tin cậy của hệ "
                              "thống cấp hoặc đã hết hiệu lực; gói bị từ chối.")
    return f"{VALID}, đúng chứng thư số của cơ quan gửi ({_who(signer)})."


def sender_verdict(sender: str, data: bytes) -> str:
    """One sentence (Vietnamese) about the package's signature by ``sender`` (its From
    OrganId), kept with the message; :class:`SenderNotProven` (or ``InvalidInput``) when the
    package must be refused. SHA-1 is accepted from outside only, as older senders and the
    official samples still sign with it."""
    ours = local_organisation(sender)
    try:
        signer = verify_package(data, allow_sha1=ours is None)
    except EdxmlUnverifiableSignature as error:
        if ours is not None:
            return _inside(sender, ours.name, None, False)
        return str(error)
    except EdxmlSignatureError as error:
        raise InvalidInput(str(error)) from None
    if signer is None:
        if ours is not None:
            return _inside(sender, ours.name, None, False)
        return "Gói edXML không có chữ ký số của cơ quan gửi."
    named = organ_id_of(signer.certificate)
    if named is not None and named != sender:
        raise SenderNotProven(f"Gói edXML ghi cơ quan gửi {sender} nhưng được ký bằng chứng thư "
                              f"số của cơ quan khác ({_who(signer)}, mã định danh {named}); "
                              "gói bị từ chối.")
    if revoked_by_demo_pki(signer.certificate):
        raise SenderNotProven(f"Chứng thư số ký gói edXML ({_who(signer)}) đã bị thu hồi; "
                              "gói bị từ chối.")
    trusted = chains_to_trusted_root(signer.certificate, signer.chain)
    if ours is not None:
        installed = exchange_certificate(ours)
        if named is None and signer.certificate != installed:
            raise SenderNotProven(f"Gói edXML của {ours.name} ({sender}) không được ký bằng "
                                  f"chứng thư số liên thông của cơ quan này ({_who(signer)}); "
                                  "gói bị từ chối.")
        return _inside(sender, ours.name, signer, trusted)
    if trusted and named == sender:
        return f"{VALID}, đúng chứng thư số của cơ quan gửi ({_who(signer)})."
    if trusted:
        return (f"{VALID} (người ký: {_who(signer)}); chứng thư số không ghi mã định danh cơ "
                "quan nên chưa đối chiếu được với cơ quan gửi.")
    return (f"{VALID} (người ký: {_who(signer)}); chứng thư số không do tổ chức chứng thực tin "
            "cậy của hệ thống cấp nên chưa xác nhận được cơ quan gửi.")
