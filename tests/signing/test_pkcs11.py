"""A key on a PKCS#11 token (SoftHSM2): the key never leaves the token."""

from __future__ import annotations

import os
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from signing import DocumentSigner, WrongPinError, open_pkcs11_signer, validate
from signing.keys import SOFTHSM_MODULES
from tests.services.require import missing, require_executable

TOKEN_PIN = "123456"


@pytest.fixture(scope="module")
def token(tmp_path_factory, pki):
    softhsm = require_executable("softhsm2-util", "apt-get install softhsm2")
    tool = require_executable("pkcs11-tool", "apt-get install opensc")
    module = next((m for m in SOFTHSM_MODULES if os.path.exists(m)), None)
    if module is None:
        missing("libsofthsm2.so", "apt-get install softhsm2")
    d = tmp_path_factory.mktemp("softhsm")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run([softhsm, "--init-token", "--free", "--label", "eoffice", "--pin", TOKEN_PIN,
                    "--so-pin", "987654"], check=True, env=env, capture_output=True)
    issued = pki.issue_user("Phạm Token", "tok", title="Chánh Văn phòng")
    key, cert, _ = pkcs12.load_key_and_certificates(issued.pkcs12, b"tok")
    key_der = d / "key.der"
    key_der.write_bytes(key.private_bytes(serialization.Encoding.DER,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    cert_der = d / "cert.der"
    cert_der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    base = [tool, "--module", module, "--token-label", "eoffice", "--login", "--pin", TOKEN_PIN]
    for path, kind, extra in ((key_der, "privkey", ["--usage-sign"]), (cert_der, "cert", [])):
        subprocess.run([*base, "--write-object", str(path), "--type", kind, "--id", "01",
                        "--label", "signer", *extra], check=True, env=env, capture_output=True)
    key_der.unlink()  # only the token keeps it
    yield module
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def test_sign_with_softhsm_key(token, pki, pdf1, tmp_path, pdfsig):
    signer, session = open_pkcs11_signer(token, TOKEN_PIN, token_label="eoffice",
                                         key_label="signer", cert_label="signer",
                                         chain=pki.chain)
    try:
        ds = DocumentSigner(signer, pki=pki)
        data = ds.sign(pdf1, level="B-LT")
        batch = ds.sign_batch([("a", pdf1), ("b", pdf1)], level="B-T", workers=2)
    finally:
        session.close()
    rep = validate(data, pki=pki)
    assert rep.ok and rep.signatures[0].signer == "Phạm Token"
    assert all(r.ok for r in batch)
    p = tmp_path / "hsm.pdf"
    p.write_bytes(data)
    pdfsig.check_all_valid(p, expected=1)


def test_wrong_token_pin(token):
    with pytest.raises(WrongPinError):
        open_pkcs11_signer(token, "000000", token_label="eoffice", key_label="signer")
