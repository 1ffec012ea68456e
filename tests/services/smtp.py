"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping what it receives.

Use the ``smtp`` fixture (``(inbox, port)``) and configure the app with
``smtp_url=f"smtp://127.0.0.1:{port}"``; ``inbox.messages`` holds aiosmtpd envelopes
(``rcpt_tos``, ``content`` bytes), ``inbox.parsed()`` the same as ``EmailMessage`` objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.services.redis import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        """Received messages with headers decoded (RFC 2047 subjects) and bodies readable."""
        return [message_from_bytes(m.content, policy=policy.default)  # type: ignore[misc]
                for m in self.messages]


@pytest.fixture(name="smtp")
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """``(inbox, port)``; import ``smtp_server`` into a test module or conftest to use ``smtp``."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class TlsServer:
    """A submission server as agencies run them: STARTTLS required before anything, then
    AUTH LOGIN/PLAIN with one account. ``logins`` records (user, over_tls) of each AUTH."""

    user = "eoffice"
    password = "mat-khau-thu"

    def __init__(self, inbox: Inbox, port: int, cafile: str) -> None:
        self.inbox, self.port, self.cafile = inbox, port, cafile
        self.logins: list[tuple[str, bool]] = []

    def url(self) -> str:
        return (f"smtp://{self.user}:{self.password}@127.0.0.1:{self.port}"
                f"?cafile={self.cafile}")

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else \
            auth_data.login
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else \
            auth_data.password
        self.logins.append((login, bool(getattr(session, "ssl", None))))
        return AuthResult(success=login == self.user and password == self.password)


def _self_signed(directory: Any) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (the CA file is the certificate itself)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp.pem", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture()
def smtp_tls(tmp_path: Any) -> Iterator[TlsServer]:
    """A real SMTP server that requires STARTTLS and refuses AUTH before it."""
    import ssl

    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    server = TlsServer(inbox, free_port(), cert)
    controller = Controller(inbox, hostname="127.0.0.1", port=server.port, tls_context=context,
                            require_starttls=True, auth_require_tls=True,
                            authenticator=server.authenticate)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
