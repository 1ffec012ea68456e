"""Notification e-mail: queued as jobs, delivered over TLS, retried when the server is down.

Mail is a courtesy copy of what the web already shows (a document waiting, a meeting about to
start), so it never runs inside the request that caused it: ``queue_mail`` turns each message
into a job (``eoffice.jobs``) once the request's transaction commits, and the worker delivers
it, retrying with a growing delay while the server refuses or is unreachable.

Nothing is sent unless EOFFICE_SMTP_URL is set; EOFFICE_MAIL_FROM is the sender.
``smtps://`` is TLS from the first byte (port 465); ``smtp://`` upgrades with STARTTLS when the
server offers it (the submission port 587 requires it) and **never** sends a password over a
connection that is not encrypted. ``?cafile=/path/ca.pem`` trusts a private certificate
authority (an agency's internal mail server).
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, current_app

from eoffice.jobs import Job, JobFailed, register_handler, submit
from eoffice.settings import Settings


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one address."""

    to: str
    subject: str
    body: str


class MailRefused(Exception):
    """The server (or its configuration) refuses this message for good."""


def queue_mail(mails: Iterable[Mail]) -> int:
    """Queue one delivery job per message (sent once the caller's transaction commits);
    return how many were queued. Nothing happens when SMTP is not configured."""
    if not current_app.config["EOFFICE_SETTINGS"].smtp_url:
        return 0
    count = 0
    for mail in mails:
        submit("mail", f"mail:{uuid.uuid4()}",
               params={"to": mail.to, "subject": mail.subject, "body": mail.body})
        count += 1
    return count


def _context(settings: Settings) -> ssl.SSLContext:
    query = parse_qs(urlsplit(settings.smtp_url or "").query)
    cafile = (query.get("cafile") or [None])[0]
    return ssl.create_default_context(cafile=cafile)


def deliver(settings: Settings, mail: Mail) -> None:
    """Send one message now. Raises ``MailRefused`` for what a retry cannot fix, and
    ``OSError``/``smtplib.SMTPException`` for what it may (server down, busy)."""
    if not settings.smtp_url:
        raise MailRefused("EOFFICE_SMTP_URL is not set")
    parts = urlsplit(settings.smtp_url)
    host = parts.hostname or "localhost"
    context = _context(settings)
    if parts.scheme == "smtps":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30,
                                              context=context)
    else:
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=30)
    with smtp:
        smtp.ehlo()
        if parts.scheme == "smtp":
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()  # the capabilities (AUTH among them) change once encrypted
            elif parts.username:
                raise MailRefused(f"{host} offers no STARTTLS: the password is never sent "
                                  "in clear (use smtps:// or a server with STARTTLS)")
        if parts.username:
            try:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            except smtplib.SMTPAuthenticationError as error:
                raise MailRefused(f"{host} refused the login ({error.smtp_code})") from None
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise MailRefused(f"{host} refused the address {mail.to}") from None


def _mail_job(job: Job) -> dict[str, Any]:
    settings = current_app.config["EOFFICE_SETTINGS"]
    params = job.params
    try:
        deliver(settings, Mail(params["to"], params["subject"], params["body"]))
    except MailRefused as refusal:
        raise JobFailed(f"Không gửi được thư: {refusal}") from None
    return {"to": params["to"]}


def init_app(app: Flask) -> None:
    register_handler(app, "mail", _mail_job)
