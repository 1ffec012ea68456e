"""The tasks' part of "my work" and their rule for attached files."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.tasks.models import Task, TaskFile, TaskProgress
from eoffice.tasks.service import OPEN_STATES, STATE_LABELS, can_view, tasks_for
from eoffice.timestamps import utcnow
from eoffice.web.my_work import WorkItem, WorkSection


def task_section(user: User) -> WorkSection:
    """Open tasks assigned to the user, then results waiting for the user's review."""
    now = utcnow()
    items = [
        WorkItem(
            title=task.title,
            url=url_for("tasks.detail", task_id=task.id),
            kind="task",
            deadline=task.deadline,
            urgent=task.priority == "urgent",
            overdue=task.deadline < now,
            note=f"{STATE_LABELS[task.state]} — {task.percent}%",
        )
        for task in tasks_for(user, states=OPEN_STATES)
    ]
    items += [
        WorkItem(
            title=task.title,
            url=url_for("tasks.detail", task_id=task.id),
            kind="task_review",
            deadline=task.deadline,
            note="Chờ bạn duyệt kết quả",
        )
        for task in tasks_for(user, role="assigner", states=["submitted"])
    ]
    return WorkSection("tasks", "Công việc được giao", "Không có công việc nào đang chờ.", items)


def may_see_task_file(user: User, stored: StoredFile) -> bool:
    tasks = db.session.execute(
        select(Task).join(TaskProgress, TaskProgress.task_id == Task.id)
        .join(TaskFile, TaskFile.progress_id == TaskProgress.id)
        .where(TaskFile.stored_file_id == stored.id)
    ).scalars().all()
    return any(can_view(user, task) for task in tasks)
