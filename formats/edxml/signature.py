"""The organisation's XML signature on an edXML package (W3C XMLDSig through ``signxml``).

What the official samples carry, and what we write: one enveloped signature, placed in
``edXMLHeader`` after ``TraceHeaderList``, with a single ``Reference URI=""`` (the whole
package, attachments included, minus the signature) transformed by ``enveloped-signature``
then exclusive canonicalisation, and a ``KeyInfo/X509Data`` holding the signer's subject name
and certificate(s). The samples use RSA-SHA1; we sign with SHA-256 (RSA or ECDSA, by key), and
accept SHA-1 on arrival only when the caller asks. The official library (EdXML102 0.0.3) does
not verify signatures: it reads the Signature element's fields, which it does from ours.

Hostile input as everywhere else: the bytes are opened by :func:`formats.edxml.xmlsafe.
parse_xml` before ``signxml`` sees them, the signature must cover the whole document (no
signature-wrapping: exactly one signature, one reference, ``URI=""``), and the certificate is
only the signer's claim — whether it is trusted (its CA, its organisation) is the caller's call.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature

from formats.edxml.model import EdxmlError, EdxmlSignatureError
from formats.edxml.writer import XML_DECLARATION
from formats.edxml.xmlsafe import child, envelope_of, localname, parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class EdxmlUnverifiableSignature(EdxmlSignatureError):
    """A ``Signature`` element that is not an XML signature at all — what the official
    library writes when handed placeholder values, as in every published sample. Callers
    may treat it as unsigned with a warning rather than as tampered."""


@dataclass(frozen=True)
class SignerIdentity:
    """Who signed a package, as the signature's certificate says (not yet trusted)."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    """The other certificates the sender attached (issuing CAs), as sent."""
    signature_method: str

    @property
    def subject(self) -> str:
        """The certificate's subject, RFC 4514 (``CN=…,O=…``)."""
        return self.certificate.subject.rfc4514_string()

    @property
    def common_name(self) -> str:
        """The subject's CN (the organisation's name on a seal certificate)."""
        names = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate, hex — to pin or look the signer up."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def _large_documents() -> etree.XMLParser:
    """signxml re-parses the document it signs or checks; its default parser stops at text
    nodes over 10 MB, i.e. at any attachment over 7.5 MB. The bytes were already opened by
    :func:`parse_xml` (no DTD, no entities), and signxml refuses those again."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=True)


def _placeholder(header: etree._Element) -> None:
    """Where the signature goes: right after TraceHeaderList (after MessageHeader when a
    status message has none), as in the samples."""
    anchor = child(header, "TraceHeaderList", required=False)
    anchor = anchor if anchor is not None else child(header, "MessageHeader")
    assert anchor is not None
    node = etree.Element(f"{{{DS}}}Signature", nsmap={"ds": DS}, Id="placeholder")
    anchor.addnext(node)


def _key_info(chain: Sequence[x509.Certificate]) -> etree._Element:
    key_info = etree.Element(f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    etree.SubElement(data, f"{{{DS}}}X509SubjectName").text = chain[0].subject.rfc4514_string()
    for certificate in chain:
        der = certificate.public_bytes(Encoding.DER)
        etree.SubElement(data, f"{{{DS}}}X509Certificate").text = \
            base64.b64encode(der).decode("ascii")
    return key_info


def _signature_elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str) and localname(e) == "Signature"]


def sign_package(xml: bytes, key: SigningKey,
                 certificate_chain: Sequence[x509.Certificate]) -> bytes:
    """``xml`` (a package or status we built) with the enveloped XML signature of ``key``;
    ``certificate_chain`` starts with the key's certificate, then its issuers."""
    if not certificate_chain:
        raise EdxmlError("Cần chứng thư số của cơ quan để ký gói edXML.")
    if certificate_chain[0].public_key().public_numbers() != key.public_key().public_numbers():
        raise EdxmlError("Khóa ký không khớp với chứng thư số của cơ quan.")
    if isinstance(key, rsa.RSAPrivateKey):
        method = SignatureMethod.RSA_SHA256
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        method = SignatureMethod.ECDSA_SHA256
    else:
        raise EdxmlError("Chỉ hỗ trợ ký gói edXML bằng khóa RSA hoặc ECDSA.")
    root = parse_xml(xml)
    if _signature_elements(root):
        raise EdxmlError("Gói edXML đã có chữ ký; không ký chồng.")
    header = child(envelope_of(root), "edXMLHeader")
    assert header is not None
    _placeholder(header)
    signer = XMLSigner(signature_algorithm=method, digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=EXC_C14N)
    signer._parser = _large_documents()  # no public parameter on sign() (signxml 5.2, pinned)
    signed = signer.sign(root, key=key, key_info=_key_info(certificate_chain))
    return XML_DECLARATION + etree.tostring(signed, encoding="UTF-8", xml_declaration=False)


def _certificates(signature: etree._Element) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for node in signature.iterfind(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"):
        try:
            out.append(x509.load_der_x509_certificate(
                base64.b64decode("".join((node.text or "").split()), validate=True)))
        except ValueError:
            raise EdxmlSignatureError("Chứng thư số kèm chữ ký của gói edXML bị hỏng, "
                                      "không đọc được.") from None
    if not out:
        raise EdxmlSignatureError("Chữ ký của gói edXML không kèm chứng thư số (X509Certificate)"
                                  " nên không xác định được cơ quan ký.")
    return out


def _leaf(certificates: list[x509.Certificate]) -> x509.Certificate:
    """The signer's certificate: the one that issued none of the others."""
    issuers = {c.issuer for c in certificates}
    leaves = [c for c in certificates if c.subject not in issuers or len(certificates) == 1]
    return leaves[0] if leaves else certificates[0]


def _config(allow_sha1: bool, at: datetime | None) -> SignatureConfiguration:
    methods = frozenset(m for m in SignatureMethod if allow_sha1 or "SHA1" not in m.name)
    digests = frozenset(d for d in DigestAlgorithm if allow_sha1 or "SHA1" not in d.name)
    # A reference without a canonicalisation transform is C14N 1.0 (XMLDSig §4.3.3.2), which is
    # what Java senders produce; signxml would otherwise assume C14N 1.1.
    return SignatureConfiguration(signature_methods=methods, digest_algorithms=digests,
                                  expect_references=1, ignore_ambiguous_key_info=False,
                                  verification_time=at,
                                  default_reference_c14n_method=CanonicalizationMethod.
                                  CANONICAL_XML_1_0)


def verify_package(xml: bytes, *, allow_sha1: bool = False,
                   at: datetime | None = None) -> SignerIdentity | None:
    """The identity of the package's signer when its XML signature verifies over the whole
    package; ``None`` when the package is not signed (the caller decides what that means);
    :class:`EdxmlSignatureError` (Vietnamese message) when a signature is there and does not
    verify. ``at`` checks the certificate's validity at another time than now (an archived
    package); ``allow_sha1`` accepts the SHA-1 signatures older senders still make."""
    root = parse_xml(xml)
    found = _signature_elements(root)
    if not found:
        return None
    if len(found) > 1:
        raise EdxmlSignatureError(f"Gói edXML có {len(found)} chữ ký; chỉ chấp nhận một chữ ký "
                                  "trên toàn bộ gói.")
    signature = found[0]
    if signature.tag != f"{{{DS}}}Signature":
        raise EdxmlUnverifiableSignature(
            "Chữ ký trong gói edXML không theo chuẩn chữ ký XML (W3C XMLDSig, không gian tên "
            f"{DS}) nên không kiểm tra được; coi như gói chưa được ký.")
    references = signature.findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if len(references) != 1 or references[0].get("URI") != "":
        raise EdxmlSignatureError("Chữ ký của gói edXML không bao trùm toàn bộ gói (cần đúng một"
                                  " tham chiếu URI=\"\"); gói bị từ chối.")
    method = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod")
    algorithms = [node.get("Algorithm", "") for node in signature.iter(
        f"{{{DS}}}SignatureMethod", f"{{{DS}}}DigestMethod")]
    if not allow_sha1 and any(a.lower().endswith(("sha1", "#sha1")) for a in algorithms):
        raise EdxmlSignatureError("Chữ ký của gói edXML dùng thuật toán SHA-1, không còn đủ an "
                                  "toàn; đề nghị bên gửi ký bằng SHA-256.")
    certificates = _certificates(signature)
    signer = _leaf(certificates)
    try:
        XMLVerifier().verify(root, x509_cert=signer, expect_config=_config(allow_sha1, at),
                             parser=_large_documents())
    except InvalidCertificate as error:
        raise EdxmlSignatureError("Chứng thư số ký gói edXML không còn hiệu lực tại thời điểm "
                                  f"kiểm tra ({error}).") from None
    except InvalidDigest:
        raise EdxmlSignatureError("Chữ ký số của gói edXML không hợp lệ: nội dung gói đã bị "
                                  "thay đổi sau khi ký.") from None
    except InvalidSignature:
        raise EdxmlSignatureError("Chữ ký số của gói edXML không hợp lệ: giá trị chữ ký không "
                                  "khớp với chứng thư số kèm theo.") from None
    except (InvalidInput, ValueError) as error:
        raise EdxmlSignatureError(f"Chữ ký số của gói edXML không kiểm tra được: {error}") \
            from None
    return SignerIdentity(certificate=signer,
                          chain=tuple(c for c in certificates if c is not signer),
                          signature_method=(method.get("Algorithm", "") if method is not None
                                            else ""))
