"""Shared fixtures: one demo PKI per session, keys, sample PDFs, real external tools."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from signing import DemoPKI, DocumentSigner, load_pkcs12
from signing.samples import make_pdf
from tests.services.require import require_executable

logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)

USER_PIN = "246810"
SEAL_PIN = "135790"


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pki")
    DemoPKI.init(d, org="UBND tỉnh Hà Giang")
    return d


@pytest.fixture(scope="session")
def pki(pki_dir) -> DemoPKI:
    return DemoPKI.open(pki_dir)


@pytest.fixture(scope="session")
def leader_p12(pki):
    return pki.issue_user("Nguyễn Văn An", USER_PIN, title="Phó Chủ tịch",
                          org="UBND tỉnh Hà Giang")


@pytest.fixture(scope="session")
def seal_p12(pki):
    return pki.issue_seal("Ủy ban nhân dân tỉnh Hà Giang", SEAL_PIN)


@pytest.fixture(scope="session")
def leader_signer(pki, leader_p12) -> DocumentSigner:
    return DocumentSigner(load_pkcs12(leader_p12.pkcs12, USER_PIN), pki=pki)


@pytest.fixture(scope="session")
def seal_signer(pki, seal_p12) -> DocumentSigner:
    return DocumentSigner(load_pkcs12(seal_p12.pkcs12, SEAL_PIN), pki=pki)


@pytest.fixture(scope="session")
def pdf1() -> bytes:
    return make_pdf(1)


@pytest.fixture(scope="session")
def pdf3() -> bytes:
    return make_pdf(3)


@dataclass
class Pdfsig:
    exe: str
    nssdir: str

    def run(self, path: Path) -> str:
        res = subprocess.run([self.exe, "-nssdir", f"sql:{self.nssdir}", str(path)],
                             capture_output=True, text=True, timeout=60)
        return res.stdout + res.stderr

    def check_all_valid(self, path: Path, expected: int) -> str:
        """Every (non-timestamp) signature valid and its certificate trusted."""
        out = self.run(path)
        blocks = [b for b in out.split("Signature #")[1:] if "ETSI.RFC3161" not in b
                  and "Signature Type: unknown" not in b and "is not signed" not in b]
        assert len(blocks) == expected, out
        for b in blocks:
            assert "Signature Validation: Signature is Valid." in b, out
            assert "Certificate Validation: Certificate is Trusted." in b, out
        return out


@pytest.fixture(scope="session")
def pdfsig(pki_dir, tmp_path_factory) -> Pdfsig:
    exe = require_executable("pdfsig", "apt-get install poppler-utils")
    certutil = require_executable("certutil", "apt-get install libnss3-tools")
    nss = tmp_path_factory.mktemp("nssdb")
    subprocess.run([certutil, "-N", "--empty-password", "-d", f"sql:{nss}"], check=True)
    subprocess.run([certutil, "-A", "-n", "eoffice-root", "-t", "CT,C,C", "-i",
                    str(pki_dir / "root.pem"), "-d", f"sql:{nss}"], check=True)
    return Pdfsig(exe, str(nss))


@pytest.fixture(scope="session")
def pdfsig_untrusting(tmp_path_factory) -> Pdfsig:
    exe = require_executable("pdfsig", "apt-get install poppler-utils")
    certutil = require_executable("certutil", "apt-get install libnss3-tools")
    nss = tmp_path_factory.mktemp("nssdb-empty")
    subprocess.run([certutil, "-N", "--empty-password", "-d", f"sql:{nss}"], check=True)
    return Pdfsig(exe, str(nss))
