"""Sending notification e-mail: the one place that talks SMTP, for every module.

Mail is a courtesy copy of what the web already shows (a document waiting, a meeting about to
start), so a mail server being down is logged and never fails the action that caused the mail.
Nothing is sent unless EOFFICE_SMTP_URL is set; EOFFICE_MAIL_FROM is the sender.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from logging import Logger
from urllib.parse import unquote, urlsplit

from eoffice.settings import Settings


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


def send_mail(settings: Settings, mails: Iterable[Mail], logger: Logger) -> int:
    """Deliver ``mails`` in one SMTP session and return how many the server accepted.

    Returns 0 without connecting when SMTP is not configured or there is nothing to send. One
    session because a sweep may mail dozens of people and the server may rate-limit logins.
    """
    mails = list(mails)
    if not settings.smtp_url or not mails:
        return 0
    parts = urlsplit(settings.smtp_url)
    sent = 0
    try:
        connect = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with connect(parts.hostname or "localhost", parts.port or 25, timeout=10) as smtp:
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            for mail in mails:
                message = EmailMessage()
                message["From"] = settings.mail_from
                message["To"] = mail.to
                message["Subject"] = mail.subject
                message.set_content(mail.body)
                smtp.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send notification e-mail (%d of %d sent)", sent, len(mails))
    return sent
