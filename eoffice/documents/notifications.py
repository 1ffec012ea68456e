"""Telling people that something new waits in their work: Socket.IO push and e-mail.

Each signed-in browser joins the room ``user:<id>`` of the ``/notify`` namespace; services
return ``Notice`` objects and the handler calls ``send`` after its commit, so nobody is told
about a change that was then rolled back. E-mail goes out only when EOFFICE_SMTP_URL is set.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, url_for
from flask_login import current_user
from flask_socketio import Namespace, join_room
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.documents.service import Notice
from eoffice.extensions import db, socketio

NAMESPACE = "/notify"


def room(user_id: int) -> str:
    return f"user:{user_id}"


class NotifyNamespace(Namespace):
    """Only signed-in users connect; each joins only their own room."""

    def on_connect(self, auth: Any = None) -> bool:
        if not current_user.is_authenticated:
            return False
        join_room(room(current_user.id))
        return True


def init_socket(app: Flask) -> None:
    socketio.on_namespace(NotifyNamespace(NAMESPACE))


def push(user_ids: Iterable[int], event: str, payload: dict[str, Any]) -> None:
    for user_id in set(user_ids):
        socketio.emit(event, payload, to=room(user_id), namespace=NAMESPACE)


def send(notices: Iterable[Notice]) -> None:
    """Push every notice to its people, and e-mail them when SMTP is configured."""
    notices = [n for n in notices if n.user_ids]
    if not notices:
        return
    settings = current_app.config["EOFFICE_SETTINGS"]
    mails: list[tuple[str, str, str]] = []
    for notice in notices:
        endpoint = "documents.outgoing_view" if notice.direction == "outgoing" else \
            "documents.incoming_view"
        url = url_for(endpoint, document_id=notice.document_id)
        push(notice.user_ids, "work", {"title": notice.title, "url": url,
                                       "document_id": notice.document_id})
        if settings.smtp_url:
            absolute = url_for(endpoint, document_id=notice.document_id, _external=True)
            for email in db.session.execute(
                select(User.email).where(User.id.in_(notice.user_ids), User.email.isnot(None))
            ).scalars():
                if email:
                    mails.append((email, notice.title, absolute))
    if mails:
        _send_mail(settings.smtp_url, settings.mail_from, mails, current_app.logger)


def _send_mail(smtp_url: str, sender: str, mails: list[tuple[str, str, str]],
               logger: Any) -> None:
    """Deliver in one SMTP session; a mail server being down must not fail the user's action."""
    parts = urlsplit(smtp_url)
    try:
        connect = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with connect(parts.hostname or "localhost", parts.port or 25, timeout=10) as smtp:
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            for to, title, url in mails:
                message = EmailMessage()
                message["From"] = sender
                message["To"] = to
                message["Subject"] = f"[eOffice] {title}"
                message.set_content(f"{title}\n\nXem tại: {url}\n")
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send notification e-mail")


