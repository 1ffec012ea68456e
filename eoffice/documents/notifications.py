"""Telling people that something new waits in their work: Socket.IO push and e-mail.

Each signed-in browser joins the room ``user:<id>`` of the ``/notify`` namespace; services
return ``Notice`` objects and the handler calls ``send`` after its commit, so nobody is told
about a change that was then rolled back. E-mail goes out only when EOFFICE_SMTP_URL is set
(delivery is a queued job: ``eoffice.mail.queue_mail``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, url_for
from flask_login import current_user
from flask_socketio import Namespace, join_room
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.documents.common import Notice
from eoffice.extensions import db, socketio
from eoffice.mail import Mail, queue_mail

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
    mails: list[Mail] = []
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
                    mails.append(Mail(email, f"[eOffice] {notice.title}",
                                      f"{notice.title}\n\nXem tại: {absolute}\n"))
    if queue_mail(mails):
        db.session.commit()  # notices follow a committed act: the mail jobs commit on their own
