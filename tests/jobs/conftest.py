"""Fixtures for the job tests: real SMTP servers (plain, and one that requires STARTTLS)."""

from tests.services.smtp import smtp_server, smtp_tls  # noqa: F401
