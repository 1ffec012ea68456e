"""The organisation's XML signature on edXML packages: a signed package verifies and names
its signer; any change after signing, a foreign certificate, a second signature or a partial
reference is refused with a clear message; an unsigned package is reported as unsigned."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from formats.edxml import (
    NS,
    EdxmlError,
    EdxmlSignatureError,
    EdxmlUnverifiableSignature,
    StatusCode,
    StatusMessage,
    build_package,
    build_status,
    parse_package,
    parse_status,
    sign_package,
    verify_package,
)
from formats.edxml.signature import DS
from tests.formats import edxml_samples as samples

NOW = datetime.now(UTC)


@dataclass(frozen=True)
class Seal:
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca: x509.Certificate


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tỉnh Hòa Bình")])


def _certificate(subject: x509.Name, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                 issuer: x509.Name, issuer_key: rsa.RSAPrivateKey, *, ca: bool,
                 days: int = 30) -> x509.Certificate:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))


def _seal(common_name: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> Seal:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("CA thử nghiệm")
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, ca=True, days=365)
    return Seal(key, _certificate(_name(common_name), key, ca_name, ca_key, ca=False), ca)


@pytest.fixture(scope="module")
def seal() -> Seal:
    return _seal("UBND tỉnh Hòa Bình",
                 rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="module")
def signed(seal: Seal) -> bytes:
    return sign_package(build_package(samples.MESSAGE, samples.ATTACHMENTS), seal.key,
                        [seal.certificate, seal.ca])


def test_signed_package_verifies_and_names_its_signer(seal: Seal, signed: bytes) -> None:
    signer = verify_package(signed)
    assert signer is not None
    assert signer.certificate == seal.certificate and signer.chain == (seal.ca,)
    assert signer.common_name == "UBND tỉnh Hòa Bình"
    assert signer.signature_method.endswith("rsa-sha256")
    package = parse_package(signed)  # signing changes nothing a reader sees
    assert package.message == samples.MESSAGE
    assert package.attachments == tuple(samples.ATTACHMENTS)


def test_a_package_with_a_large_file_signs_and_verifies(seal: Seal) -> None:
    """Over 7.5 MB a file's base64 is a text node libxml2 refuses without its huge option."""
    big = b"%PDF-1.7\n" + bytes(range(256)) * (12 * 4096)
    data = sign_package(build_package(samples.MESSAGE, [samples.ATTACHMENTS[0].__class__(
        "ho-so.pdf", "application/pdf", big)]), seal.key, [seal.certificate])
    assert verify_package(data) is not None
    assert parse_package(data).attachments[0].data == big
    with pytest.raises(EdxmlSignatureError, match="đã bị thay đổi"):
        verify_package(data.replace(b"AAECAwQF", b"AAECAwQG", 1))


def test_signature_sits_in_the_header_as_in_the_samples(signed: bytes) -> None:
    root = etree.fromstring(signed)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert [etree.QName(c).localname for c in header] == ["MessageHeader", "TraceHeaderList",
                                                          "Signature"]
    signature = header[2]
    assert signature.tag == f"{{{DS}}}Signature"
    reference = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    assert reference.get("URI") == ""  # the whole package, attachments included
    assert [t.get("Algorithm") for t in reference.iter(f"{{{DS}}}Transform")] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/2001/10/xml-exc-c14n#"]
    assert signature.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509SubjectName") \
        .startswith("O=Tỉnh Hòa Bình,CN=UBND tỉnh Hòa Bình")


def test_unsigned_package_is_reported_as_unsigned() -> None:
    assert verify_package(build_package(samples.MESSAGE, samples.ATTACHMENTS)) is None


@pytest.mark.parametrize(("before", "after"), [
    (b"Quy ch\xe1\xba\xbf c\xc3\xb4ng t\xc3\xa1c v\xc4\x83n th\xc6\xb0</edXML:Subject>",
     b"Quy ch\xe1\xba\xbf kh\xc3\xa1c</edXML:Subject>"),
    (base64.b64encode(samples.PDF)[:40], base64.b64encode(b"%PDF-1.4\n" + b"x" * 40)[:40]),
    (b"<edXML:Priority>1<", b"<edXML:Priority>3<"),
], ids=["subject", "attachment", "priority"])
def test_any_change_after_signing_is_refused(signed: bytes, before: bytes,
                                             after: bytes) -> None:
    assert before in signed
    with pytest.raises(EdxmlSignatureError, match="đã bị thay đổi sau khi ký"):
        verify_package(signed.replace(before, after, 1))


def test_a_certificate_that_did_not_sign_is_refused(signed: bytes) -> None:
    other = _seal("Kẻ giả mạo", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    root = etree.fromstring(signed)
    node = root.find(f".//{{{DS}}}X509Certificate")
    node.text = base64.b64encode(other.certificate.public_bytes(Encoding.DER)).decode()
    with pytest.raises(EdxmlSignatureError, match="không khớp với chứng thư"):
        verify_package(etree.tostring(root))


def test_a_signature_over_part_of_the_package_is_refused(signed: bytes) -> None:
    """Signature wrapping: a reference to one element would leave the rest unsigned."""
    with pytest.raises(EdxmlSignatureError, match="không bao trùm toàn bộ gói"):
        verify_package(signed.replace(b'<ds:Reference URI="">', b'<ds:Reference URI="#x">'))


def test_a_second_signature_is_refused(signed: bytes) -> None:
    root = etree.fromstring(signed)
    signature = root.find(f".//{{{DS}}}Signature")
    root.append(etree.fromstring(etree.tostring(signature)))
    with pytest.raises(EdxmlSignatureError, match="có 2 chữ ký"):
        verify_package(etree.tostring(root))


def test_the_library_placeholder_signature_is_reported_as_unverifiable() -> None:
    """The official library writes ``Signature`` in the edXML namespace with whatever values
    it is handed (the samples: a SHA-1 digest of nothing and a truncated certificate)."""
    root = etree.fromstring(build_package(samples.MESSAGE, samples.ATTACHMENTS))
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    etree.SubElement(header, f"{{{NS}}}Signature").append(etree.fromstring(
        f'<SignedInfo xmlns="{NS}"><SignatureMethod Algorithm="rsa-sha1"/></SignedInfo>'))
    with pytest.raises(EdxmlUnverifiableSignature, match="không theo chuẩn chữ ký XML"):
        verify_package(etree.tostring(root))
    assert isinstance(EdxmlUnverifiableSignature(""), EdxmlSignatureError)


def test_sha1_signatures_are_refused_unless_allowed(signed: bytes) -> None:
    sha1 = signed.replace(b"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                          b"http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    with pytest.raises(EdxmlSignatureError, match="SHA-1"):
        verify_package(sha1)
    with pytest.raises(EdxmlSignatureError, match="không khớp"):  # allowed, but forged here
        verify_package(sha1, allow_sha1=True)


def test_certificate_validity_is_checked_at_the_given_time(seal: Seal, signed: bytes) -> None:
    assert verify_package(signed, at=NOW) is not None
    with pytest.raises(EdxmlSignatureError, match="không còn hiệu lực"):
        verify_package(signed, at=NOW + timedelta(days=90))


def test_ecdsa_seal_and_signed_status_message() -> None:
    seal = _seal("Sở Nội vụ", ec.generate_private_key(ec.SECP256R1()))
    status = StatusMessage(samples.MESSAGE.response_for[0], samples.SNV, StatusCode.ASSIGNED,
                           datetime(2026, 2, 6, 8, 0, tzinfo=samples.VN), "Đã giao Phòng Tổ chức")
    data = sign_package(build_status(status), seal.key, [seal.certificate])
    signer = verify_package(data)
    assert signer is not None and signer.signature_method.endswith("ecdsa-sha256")
    assert parse_status(data) == status
    with pytest.raises(EdxmlSignatureError):
        verify_package(data.replace(b">04<", b">06<"))


def test_signing_refuses_a_key_that_is_not_the_certificate_s(seal: Seal) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = build_package(samples.MESSAGE, [])
    with pytest.raises(EdxmlError, match="không khớp"):
        sign_package(data, stranger, [seal.certificate])
    with pytest.raises(EdxmlError, match="đã có chữ ký"):
        sign_package(sign_package(data, seal.key, [seal.certificate]), seal.key,
                     [seal.certificate])
