"""Reminding invitees that their meeting starts soon: a live notice and, with SMTP, an e-mail.

``flask meetings remind`` runs this from cron. Who is due, and the record that makes each person
reminded only once, is ``service.due_reminders``; this module only delivers. The record is
committed before anything is delivered, so a crash or a mail server being down never leads to
a second reminder on the next run (a missed e-mail is cheaper than a doubled one every hour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.documents.notifications import push
from eoffice.extensions import db
from eoffice.jobs import Job
from eoffice.links import link_context
from eoffice.mail import Mail, queue_mail
from eoffice.timestamps import format_local
from meetings.models import Meeting
from meetings.service import due_reminders


@dataclass(frozen=True)
class Reminded:
    """What one run did, for the command's output line."""

    meetings: int
    people: int
    mails: int


def send_reminders(now: datetime | None = None) -> Reminded:
    """Remind everyone due (see ``due_reminders``); needs a request context for the links."""
    due = due_reminders(now)
    db.session.commit()
    settings = current_app.config["EOFFICE_SETTINGS"]
    mails: list[Mail] = []
    for meeting, user_ids in due:
        push(user_ids, "work", {
            "title": f"Nhắc lịch họp: {meeting.title} ({format_local(meeting.starts_at)})",
            "url": url_for("meetings.detail", meeting_id=meeting.id)})
        if settings.smtp_url:
            link = url_for("meetings.detail", meeting_id=meeting.id, _external=True)
            people = db.session.execute(
                select(User).where(User.id.in_(user_ids), User.email.isnot(None))
                .order_by(User.id)
            ).scalars()
            mails.extend(reminder_mail(meeting, person, link) for person in people
                         if person.email and person.email.strip())
    sent = queue_mail(mails)
    db.session.commit()  # the mails are jobs: the worker delivers them once this commits
    return Reminded(meetings=len(due), people=sum(len(ids) for _, ids in due), mails=sent)


def reminder_mail(meeting: Meeting, person: User, link: str) -> Mail:
    """The reminder as a Vietnamese office would write it; times in Vietnam's zone."""
    lines = [
        f"Kính gửi {person.full_name},",
        "",
        "Hệ thống eOffice xin nhắc lịch họp sắp diễn ra:",
        "",
        f"Cuộc họp: {meeting.title}",
        f"Thời gian bắt đầu: {format_local(meeting.starts_at)} (giờ Việt Nam)",
        f"Địa điểm: {meeting.location or 'chưa xác định'}",
    ]
    if meeting.online_url:
        lines.append(f"Họp trực tuyến: {meeting.online_url}")
    lines += [
        "",
        f"Xem chương trình và tài liệu họp tại: {link}",
        "",
        "Nếu không thể tham dự, xin vui lòng báo lại trên trang cuộc họp.",
    ]
    return Mail(
        to=(person.email or "").strip(),
        subject=f"[eOffice] Nhắc lịch họp: {meeting.title} ({format_local(meeting.starts_at)})",
        body="\n".join(lines) + "\n",
    )


def remind_job(_job: Job) -> dict[str, int]:
    """The periodic job: remind whoever is due, with links people can open."""
    with link_context(current_app._get_current_object()):  # type: ignore[attr-defined]
        done = send_reminders()
    return {"meetings": done.meetings, "people": done.people, "mails": done.mails}
