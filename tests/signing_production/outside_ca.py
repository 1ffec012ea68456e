"""An outside certification authority for tests, as a licensed Vietnamese CA would be: its own
root and issuing CA, an RFC 3161 timestamp authority, an OCSP responder and CRLs, all served
over HTTP by certomancer's Animator in a process of its own.

The CA issues a leader's certificate, an organisation's seal certificate and a revoked
one; :meth:`OutsideCA.pkcs12` hands each out as a password-protected PKCS#12 file as the CA
would deliver it. Certomancer derives every certificate from the config and the keys (same
serials, same signatures), so the files made here and the server's answers agree.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.signing.csc_service import free_port

ARCH = "vnca"
ENTITIES = {
    "root": "Tổ chức chứng thực thử nghiệm Root CA",
    "ca": "Tổ chức chứng thực thử nghiệm Issuing CA",
    "tsa": "Tổ chức chứng thực thử nghiệm TSA",
    "leader": "Nguyễn Văn Lãnh Đạo",
    "seal": "Ủy ban nhân dân tỉnh Thử Nghiệm",
    "revoked": "Trần Thị Thu Hồi",
}
VALIDITY = ["        validity:", '          valid-from: "2020-01-01T00:00:00+0000"',
            '          valid-to: "2045-01-01T00:00:00+0000"']
REVOCATION_INFO = [
    "          - id: crl_distribution_points",
    "            smart-value: {schema: crl-dist-url, params: {crl-repo-names: [ca]}}",
    "          - id: authority_information_access",
    "            smart-value: {schema: aia-urls, params: {ocsp-responder-names: [ca-ocsp]}}",
]


def _key_usage(*usages: str) -> list[str]:
    return ["          - id: key_usage", "            critical: true",
            f"            smart-value: {{schema: key-usage, params: [{', '.join(usages)}]}}"]


def _ca(label: str, issuer: str, crl_repo: str | None) -> list[str]:
    lines = [f"      {label}:", f"        subject: {label}", f"        issuer: {issuer}",
             *VALIDITY, "        extensions:", "          - id: basic_constraints",
             "            critical: true", "            value: {ca: true}",
             *_key_usage("digital_signature", "key_cert_sign", "crl_sign")]
    if crl_repo:
        lines += ["          - id: crl_distribution_points",
                  f"            smart-value: {{schema: crl-dist-url, params: "
                  f"{{crl-repo-names: [{crl_repo}]}}}}"]
    return lines


def _leaf(label: str, *extra: str) -> list[str]:
    return [f"      {label}:", f"        subject: {label}", "        issuer: ca", *VALIDITY,
            "        extensions:", *REVOCATION_INFO, *extra]


def write_config(directory: Path, port: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f'external-url-prefix: "http://127.0.0.1:{port}"', "keysets:", f"  {ARCH}:",
             f"    path-prefix: {directory}", "    keys:"]
    for label in ENTITIES:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (directory / f"{label}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        lines += [f"      {label}:", f"        path: {label}.key.pem"]
    lines += ["pki-architectures:", f"  {ARCH}:", f"    keyset: {ARCH}",
              "    entity-defaults:", "      country-name: VN",
              '      organization-name: "Tổ chức chứng thực thử nghiệm"', "    entities:"]
    for label, name in ENTITIES.items():
        lines += [f"      {label}:", f'        common-name: "{name}"']
    signing_usage = _key_usage("digital_signature", "non_repudiation")
    lines += ["    certs:", *_ca("root", "root", None), *_ca("ca", "root", "root"),
              *_leaf("tsa", *_key_usage("digital_signature"),
                     "          - id: extended_key_usage", "            critical: true",
                     "            value: [time_stamping]"),
              *_leaf("leader", *signing_usage), *_leaf("seal", *signing_usage),
              *_leaf("revoked", *signing_usage),
              "        revocation:", '          revoked-since: "2021-06-01T00:00:00+0000"',
              "          reason: key_compromise",
              "    services:", "      ocsp:", "        ca-ocsp:", "          for-issuer: ca",
              "          responder-cert: ca", "          signing-key: ca",
              "      crl-repo:"]
    for repo in ("root", "ca"):
        lines += [f"        {repo}:", f"          for-issuer: {repo}",
                  f"          signing-key: {repo}", '          simulated-update-schedule: "P1D"']
    # Like a licensed CA's TSA, its tokens carry the issuing CA's certificate beside its own.
    lines += ["      time-stamping:", "        tsa:", "          signing-key: tsa",
              "          signing-cert: tsa", "          certs-to-embed: [ca]"]
    path = directory / "certomancer.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class OutsideCA:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    config: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ARCH}"

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/tsa/tsa"

    def _arch(self):  # type: ignore[no-untyped-def]
        from certomancer.registry import ArchLabel, CertomancerConfig

        assert self.config is not None
        return CertomancerConfig.from_file(str(self.config)).get_pki_arch(ArchLabel(ARCH))

    def start(self) -> OutsideCA:
        self.config = write_config(self.directory, self.port)
        (self.directory / "root.pem").write_bytes(self.certificate_pem("root"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "certomancer", "--config", str(self.config), "animate",
             "--port", str(self.port), "--no-web-ui"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/crls/ca/latest.crl", timeout=2):
                    return self
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None:
                    raise RuntimeError("certomancer's Animator exited at start") from None
                time.sleep(0.1)
        raise RuntimeError("certomancer's Animator did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def root_pem(self) -> Path:
        return self.directory / "root.pem"

    def root_asn1(self):  # type: ignore[no-untyped-def]
        from asn1crypto import x509 as asn1_x509

        return asn1_x509.Certificate.load(x509.load_pem_x509_certificate(
            self.root_pem.read_bytes()).public_bytes(serialization.Encoding.DER))

    def serial(self, label: str) -> int:
        return x509.load_pem_x509_certificate(self.certificate_pem(label)).serial_number

    def certificate_pem(self, label: str) -> bytes:
        from certomancer.registry import CertLabel

        der = self._arch().get_cert(CertLabel(label)).dump()
        return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)

    def pkcs12(self, label: str, password: str) -> bytes:
        """``label``'s key, certificate and chain (issuing CA, root) as its CA delivers it."""
        from certomancer.registry import CertLabel

        return self._arch().package_pkcs12(  # type: ignore[no-any-return]
            CertLabel(label), password=password.encode())
