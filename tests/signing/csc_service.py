"""A real CSC signing service for tests: certomancer-csc-dummy, run as its own process.

The credentials it holds are keys and certificates issued by the tests' own demo PKI (a
Certomancer config is written in a temp dir with the pre-generated certificates and their
keys), so what it signs validates exactly like a local PKCS#12 signature: same root, same
CRLs, B-LT with the demo TSA.

The dummy authorises anything; a remote service checks the PIN (and for SCAL2 an OTP),
issues OAuth tokens to known clients and says how many attempts are left. A thin aiohttp
middleware in front of the dummy's own application adds exactly that, plus a few switches
tests use to make the service slow, make it return a signature made with another key, or
report a certificate revoked; and it counts authorisations, so a test can see that a batch
took one. Run: ``python -m tests.signing.csc_service SPEC.json`` (the spec names the
config, port, SCAL, PINs, OTP, client credentials).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from signing import DemoPKI

ARCH = "eoffice"
CLIENT_ID = "eoffice-test"
CLIENT_SECRET = "s3cret-client"
OTP = "918273"
MAX_PIN_FAILURES = 3


@dataclass
class Holder:
    """One credential: label (the credential id is ``eoffice/<label>``), key PEM, cert."""

    label: str
    pin: str
    key_pem: bytes
    cert: x509.Certificate

    @property
    def credential_id(self) -> str:
        return f"{ARCH}/{self.label}"


def holder_from_p12(label: str, p12: bytes, pin: str) -> Holder:
    key, cert, _chain = pkcs12.load_key_and_certificates(p12, pin.encode())
    assert key is not None and cert is not None
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return Holder(label, pin, pem, cert)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _public_pem(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def write_config(directory: Path, pki: DemoPKI, holders: list[Holder]) -> Path:
    """A Certomancer config whose certificates are the demo PKI's (pre-generated files)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["external-url-prefix: \"http://localhost.invalid\"", "keysets:", f"  {ARCH}:",
             f"    path-prefix: {directory}", "    keys:"]
    for stem, cert in (("root", pki.root_cert), ("issuing", pki.issuing_cert)):
        (directory / f"{stem}.pub.pem").write_bytes(_public_pem(cert))
        (directory / f"{stem}.cert.pem").write_bytes(_pem(cert))
        lines += [f"      {stem}:", f"        path: {stem}.pub.pem", "        public-only: true"]
    for holder in holders:
        (directory / f"{holder.label}.key.pem").write_bytes(holder.key_pem)
        (directory / f"{holder.label}.cert.pem").write_bytes(_pem(holder.cert))
        lines += [f"      {holder.label}:", f"        path: {holder.label}.key.pem"]
    lines += ["pki-architectures:", f"  {ARCH}:", f"    keyset: {ARCH}", "    entities:"]
    for label in ("root", "issuing", *(h.label for h in holders)):
        lines += [f"      {label}:", f"        common-name: {label}"]
    lines += ["    certs:"]
    validity = ["        validity:", "          valid-from: \"2000-01-01T00:00:00+0000\"",
                "          valid-to: \"2500-01-01T00:00:00+0000\""]
    specs = [("root", "root"), ("issuing", "root"), *((h.label, "issuing") for h in holders)]
    for label, issuer in specs:
        lines += [f"      {label}:", f"        subject: {label}", f"        issuer: {issuer}",
                  f"        certificate-file: {directory / (label + '.cert.pem')}", *validity]
    path = directory / "certomancer.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CscServer:
    """The service process and the switches tests flip."""

    config: Path
    pins: dict[str, str]
    scal: int = 1
    otp: str | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CscServer:
        spec = self.config.parent / f"spec-{self.port}.json"
        spec.write_text(json.dumps({"config": str(self.config), "port": self.port,
                                    "scal": self.scal, "pins": self.pins, "otp": self.otp}))
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen([sys.executable, "-m", "tests.signing.csc_service",
                                         str(spec)], cwd=root, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.stats()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the CSC test service exited at start") from None
                time.sleep(0.1)
        raise RuntimeError("the CSC test service did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _get(self, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body,
                                         method="POST" if body else "GET")
        with urllib.request.urlopen(request, timeout=5) as response:
            return dict(json.loads(response.read()))

    def stats(self) -> dict[str, Any]:
        """Authorisations and signHash calls per credential id."""
        return self._get("/_test/stats")

    def switch(self, **values: Any) -> None:
        """delay (s before signHash answers), corrupt (bool), revoked (credential ids),
        expire_in (signHash calls before the current SAD is refused once as expired)."""
        self._get("/_test/switch", values)


# --------------------------------------------------------------------------- the process
def _app(spec: dict[str, Any]) -> Any:
    from aiohttp import web
    from certomancer import registry
    from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

    config = registry.CertomancerConfig.from_file(spec["config"])
    csc = CSCWithCertomancer(config, service_params=DummyServiceParams(
        hash_pinning_required=spec["scal"] >= 2))
    csc.register_routes()
    pins: dict[str, str] = spec["pins"]
    state: dict[str, Any] = {"tokens": set(), "failures": {}, "authorize": {}, "sign": {},
                             "delay": 0.0, "corrupt": False, "revoked": [],
                             "expire_in": None}

    def refuse(status: int, error: str, description: str, **extra: Any) -> Any:
        return web.json_response({"error": error, "error_description": description, **extra},
                                 status=status)

    async def token(request: web.Request) -> Any:
        form = await request.post()
        if form.get("grant_type") != "client_credentials" or \
                (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return refuse(401, "invalid_client", "Unknown client")
        value = secrets.token_urlsafe(16)
        state["tokens"].add(value)
        return web.json_response({"access_token": value, "token_type": "Bearer",
                                  "expires_in": 3600})

    async def stats(_request: web.Request) -> Any:
        return web.json_response({"authorize": state["authorize"], "sign": state["sign"]})

    async def switch(request: web.Request) -> Any:
        state.update(await request.json())
        return web.json_response({"ok": True})

    @web.middleware
    async def service(request: web.Request, handler: Any) -> Any:
        path = request.path
        if not path.startswith("/csc/v1/credentials") and not path.startswith("/csc/v1/sign"):
            return await handler(request)
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in state["tokens"]:
            return refuse(401, "invalid_token", "The access token is not valid")
        body = await request.json()
        credential = str(body.get("credentialID", ""))
        if path.endswith("credentials/authorize"):
            failures = state["failures"].get(credential, 0)
            if failures >= MAX_PIN_FAILURES:
                return refuse(400, "invalid_request", "The credential PIN is locked")
            if body.get("PIN") != pins.get(credential.split("/", 1)[-1]):
                state["failures"][credential] = failures + 1
                left = MAX_PIN_FAILURES - failures - 1
                return refuse(400, "invalid_request", "The PIN is invalid",
                              remainingAttempts=left)
            if spec["otp"] and body.get("OTP") != spec["otp"]:
                return refuse(400, "invalid_request", "The OTP is invalid")
            state["failures"][credential] = 0
            state["authorize"][credential] = state["authorize"].get(credential, 0) + 1
        if path.endswith("signatures/signHash") and state["expire_in"] is not None:
            if state["expire_in"] == 0:  # the SAD outlived its validity (a long batch)
                state["expire_in"] = None
                return refuse(400, "invalid_request", "The SAD has expired")
            state["expire_in"] -= 1
        response = await handler(request)
        if path.endswith("credentials/info"):
            info = json.loads(response.body)
            info["authMode"] = "explicit"
            info["PIN"] = {"presence": "true", "format": "N", "label": "PIN"}
            if spec["otp"]:
                info["OTP"] = {"presence": "true", "type": "offline", "format": "N"}
            info["cert"]["status"] = "revoked" if credential in state["revoked"] else "valid"
            return web.json_response(info)
        if path.endswith("signatures/signHash"):
            state["sign"][credential] = state["sign"].get(credential, 0) + 1
            if state["delay"]:
                await asyncio.sleep(float(state["delay"]))
            if state["corrupt"]:
                data = json.loads(response.body)
                data["signatures"] = [base64.b64encode(bytes(len(base64.b64decode(s))) or b"x")
                                      .decode() for s in data["signatures"]]
                return web.json_response(data)
        return response

    csc.app.middlewares.append(service)
    csc.app.router.add_post("/csc/v1/oauth2/token", token)
    csc.app.router.add_get("/_test/stats", stats)
    csc.app.router.add_post("/_test/switch", switch)
    return csc.app


def main() -> None:
    from aiohttp import web

    spec = json.loads(Path(sys.argv[1]).read_text())
    web.run_app(_app(spec), host="127.0.0.1", port=int(spec["port"]), print=None)


if __name__ == "__main__":
    main()
