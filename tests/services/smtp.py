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
