"""Task rules: who may do what in which state, and the audit event each step records.

The state machine is the ``TRANSITIONS`` table; every change goes through ``_transition`` so a
step that is not in the table is refused with a Vietnamese message. The state is switched with
a compare-and-set ``UPDATE … WHERE state = :from``, so two people acting at once cannot both
succeed: the loser gets ``TaskConflict`` (HTTP 409). Each step records its event
(docs/events.md, object_kind "task", the person who acted as actor) in the caller's
transaction; the caller commits.

Refusals are ``TaskError``s (``eoffice.tasks.errors``), part of the app's one tree: each is
also the ``InvalidInput``, ``Forbidden``, ``NotFound`` or ``Conflict`` that says how it is
answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from eoffice import audit
from eoffice.accounts.models import UnitMembership, User
from eoffice.accounts.permissions import has_role
from eoffice.accounts.roles import Role
from eoffice.extensions import db
from eoffice.files.models import StoredFile
from eoffice.organisation.models import Unit
from eoffice.reports.scope import visible_user_ids
from eoffice.tasks.errors import InvalidTask, TaskConflict, TaskForbidden, TaskNotFound
from eoffice.tasks.errors import TaskError as TaskError  # what other modules catch
from eoffice.tasks.models import (
    Task,
    TaskAssignee,
    TaskExtension,
    TaskFile,
    TaskProgress,
    TaskReminder,
)
from eoffice.timestamps import utcnow

PRIORITIES: dict[str, str] = {
    "low": "Thấp",
    "normal": "Bình thường",
    "high": "Cao",
    "urgent": "Khẩn",
}

STATE_LABELS: dict[str, str] = {
    "assigned": "Mới giao",
    "in_progress": "Đang thực hiện",
    "submitted": "Chờ duyệt kết quả",
    "returned": "Bị trả lại",
    "done": "Hoàn thành",
}
OPEN_STATES = frozenset({"assigned", "in_progress", "returned"})

# The state machine: (state, action) -> (next state, who may do it). Anything not listed is
# refused; the who column is the one place each act's permission lives (the services ask
# ``_require_who``, which reads it).
ASSIGNEE, ASSIGNER = "assignee", "assigner"
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("assigned", "accept"): ("in_progress", ASSIGNEE),
    ("assigned", "progress"): ("in_progress", ASSIGNEE),
    ("in_progress", "progress"): ("in_progress", ASSIGNEE),
    ("returned", "progress"): ("in_progress", ASSIGNEE),
    ("returned", "accept"): ("in_progress", ASSIGNEE),
    ("assigned", "complete"): ("submitted", ASSIGNEE),
    ("in_progress", "complete"): ("submitted", ASSIGNEE),
    ("returned", "complete"): ("submitted", ASSIGNEE),
    ("submitted", "approve"): ("done", ASSIGNER),
    ("submitted", "return"): ("returned", ASSIGNER),
    ("assigned", "request_extension"): ("assigned", ASSIGNEE),
    ("in_progress", "request_extension"): ("in_progress", ASSIGNEE),
    ("returned", "request_extension"): ("returned", ASSIGNEE),
    ("done", "rate"): ("done", ASSIGNER),
}
#: Acts that change no task state but still belong to one side.
OTHER_ACTS = {"decide_extension": ASSIGNER}
#: Who may do each act, read off the table (one answer per act, checked at import).
WHO: dict[str, str] = {**OTHER_ACTS}
for (_source, _action), (_target, _who) in TRANSITIONS.items():
    assert WHO.setdefault(_action, _who) == _who, f"{_action} has two different owners"

# Assigning is a leader's or unit head's act; a meeting's action items arrive with a source and
# were authorised by the meeting's chair or secretary in the meetings module.
ASSIGNER_ROLES = (Role.LEADER, Role.UNIT_HEAD, Role.MANAGER)
BEFORE_DEADLINE_REMINDER = timedelta(days=1)


# ---- permission checks (the one place for tasks, used by pages and the API) -------------------

def can_assign(user: User) -> bool:
    return has_role(user, *ASSIGNER_ROLES)


def _unit_ids(user: User) -> set[int]:
    return {membership.unit_id for membership in user.memberships}


def is_assignee(user: User, task: Task) -> bool:
    units = _unit_ids(user)
    return any(
        (row.user_id is not None and row.user_id == user.id)
        or (row.unit_id is not None and row.unit_id in units)
        for row in task.assignees
    )


def is_assigner(user: User, task: Task) -> bool:
    return task.assigner_id == user.id


def can_view(user: User, task: Task) -> bool:
    if not getattr(user, "is_authenticated", False) or user.organisation_id != task.organisation_id:
        return False
    if is_assigner(user, task) or is_assignee(user, task):
        return True
    # Managers and unit heads see the work of the people in the units they oversee.
    assignee_users = {row.user_id for row in task.assignees if row.user_id is not None}
    return bool(assignee_users & visible_user_ids(user))


def get_visible(user: User, task_id: int) -> Task:
    """The one access helper: the task ``user`` may see, else ``TaskNotFound`` (a 404 whether
    it does not exist or is not theirs to see)."""
    task = db.session.get(Task, task_id)
    if task is None or not can_view(user, task):
        raise TaskNotFound("Không tìm thấy công việc.")
    return task


def extension_of(task: Task, extension_id: int) -> TaskExtension:
    """One of the task's extension requests, else ``TaskNotFound``."""
    extension = db.session.get(TaskExtension, extension_id)
    if extension is None or extension.task_id != task.id:
        raise TaskNotFound("Không tìm thấy đề nghị gia hạn.")
    return extension


# ---- helpers -----------------------------------------------------------------------------------

def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise InvalidTask("Thời hạn không hợp lệ (thiếu múi giờ).")
    return value


def _transition(task: Task, action: str) -> None:
    """Move ``task`` by ``action``: refused unless the table allows it from the state read,
    and switched only if the row is still in that state (compare-and-set), so of two people
    acting at once exactly one succeeds."""
    source = task.state
    row = TRANSITIONS.get((source, action))
    target = row[0] if row else None
    if target is None:
        raise TaskConflict(
            f"Không thể thực hiện thao tác này khi công việc ở trạng thái "
            f"“{STATE_LABELS.get(source, source)}”."
        )
    _compare_and_set(task, "state", source, "Công việc vừa được người khác xử lý; hãy tải lại "
                     "trang.", state=target)


def _compare_and_set(
    row: Task | TaskExtension, column: str, expected: str, refusal: str, **values: object
) -> None:
    """``UPDATE … SET values WHERE id = row.id AND column = expected``; ``TaskConflict`` with
    ``refusal`` when the row no longer is as it was read (someone else changed it first: on
    PostgreSQL the second UPDATE waits for the first to commit, then matches nothing)."""
    model = type(row)
    changed = db.session.execute(
        update(model).where(model.id == row.id, getattr(model, column) == expected)
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise TaskConflict(refusal)
    for name, value in values.items():
        set_committed_value(row, name, value)


def _responsible_user_ids(task: Task) -> list[int]:
    """The people a task is for: direct assignees and the heads of assigned units."""
    ids = {row.user_id for row in task.assignees if row.user_id is not None}
    unit_ids = [row.unit_id for row in task.assignees if row.unit_id is not None]
    if unit_ids:
        heads = db.session.execute(
            select(UnitMembership.user_id).where(
                UnitMembership.unit_id.in_(unit_ids), UnitMembership.is_head.is_(True)
            )
        ).scalars()
        ids.update(heads)
    return sorted(ids)


def _unit_assignee_ids(task: Task) -> list[int]:
    return sorted(row.unit_id for row in task.assignees if row.unit_id is not None)


def _require_who(user: User, task: Task, action: str) -> None:
    """Refuse unless ``user`` is the side the table's who column names for ``action``."""
    if WHO[action] == ASSIGNEE and not is_assignee(user, task):
        raise TaskForbidden("Bạn không phải người được giao công việc này.")
    if WHO[action] == ASSIGNER and not is_assigner(user, task):
        raise TaskForbidden("Chỉ người giao việc mới được thực hiện thao tác này.")


def _attach_files(progress: TaskProgress, files: Iterable[StoredFile]) -> None:
    for stored in files:
        progress.files.append(TaskFile(stored_file_id=stored.id))


def _record(actor: User | None, action: str, task: Task, **details: object) -> None:
    audit.record(
        actor,
        action,
        "task",
        task.id,
        user_ids=_responsible_user_ids(task),
        unit_ids=_unit_assignee_ids(task),
        deadline=task.deadline.isoformat(),
        source_kind=task.source_kind,
        source_id=task.source_id,
        **details,
    )


# ---- the public service ------------------------------------------------------------------------

def assign_task(
    assigner: User,
    *,
    title: str,
    description: str = "",
    assignee_ids: list[int],
    deadline: datetime,
    priority: str = "normal",
    source_kind: str | None = None,
    source_id: int | None = None,
    unit_ids: list[int] | None = None,
) -> Task:
    """Create a task for people (``assignee_ids``) and/or units; record ``task_assigned``.

    Without a source the assigner must be a leader, unit head or manager. With a source (a
    document, a meeting's action item) the calling module has authorised the act already.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidTask("Tên công việc là bắt buộc.")
    if len(title) > 500:
        raise InvalidTask("Tên công việc dài quá 500 ký tự.")
    if priority not in PRIORITIES:
        raise InvalidTask("Mức ưu tiên không hợp lệ.")
    _require_aware(deadline)
    if source_kind is None and not can_assign(assigner):
        raise TaskForbidden("Bạn không có quyền giao việc.")
    unit_ids = sorted(set(unit_ids or []))
    people = sorted(set(assignee_ids))
    if not people and not unit_ids:
        raise InvalidTask("Cần chọn ít nhất một người hoặc đơn vị thực hiện.")
    found = db.session.execute(
        select(User.id).where(
            User.id.in_(people), User.organisation_id == assigner.organisation_id,
            User.active.is_(True),
        )
    ).scalars().all()
    if len(found) != len(people):
        raise InvalidTask("Người thực hiện không hợp lệ.")
    found_units = db.session.execute(
        select(Unit.id).where(
            Unit.id.in_(unit_ids), Unit.organisation_id == assigner.organisation_id
        )
    ).scalars().all()
    if len(found_units) != len(unit_ids):
        raise InvalidTask("Đơn vị thực hiện không hợp lệ.")
    if deadline <= utcnow() and source_kind is None:
        raise InvalidTask("Thời hạn phải ở sau thời điểm hiện tại.")
    task = Task(
        organisation_id=assigner.organisation_id,
        title=title,
        description=description or "",
        assigner_id=assigner.id,
        deadline=deadline,
        priority=priority,
        state="assigned",
        percent=0,
        source_kind=source_kind,
        source_id=source_id,
        created_at=utcnow(),
    )
    task.assignees = [TaskAssignee(user_id=uid) for uid in people] + [
        TaskAssignee(unit_id=uid) for uid in unit_ids
    ]
    db.session.add(task)
    db.session.flush()
    _record(assigner, "task_assigned", task, priority=priority, title=title)
    return task


def accept_task(user: User, task: Task) -> Task:
    _require_who(user, task, "accept")
    _transition(task, "accept")
    now = utcnow()
    for row in task.assignees:
        if row.accepted_at is None and (
            row.user_id == user.id or (row.unit_id in _unit_ids(user))
        ):
            row.accepted_at = now
    audit.record(user, "task_accepted", "task", task.id, user_ids=[user.id])
    return task


def report_progress(
    user: User, task: Task, *, percent: int, note: str = "", files: Iterable[StoredFile] = ()
) -> TaskProgress:
    _require_who(user, task, "progress")
    if not 0 <= percent <= 100:
        raise InvalidTask("Tỷ lệ hoàn thành phải từ 0 đến 100.")
    _transition(task, "progress")
    task.percent = percent
    entry = TaskProgress(task=task, user_id=user.id, kind="progress", percent=percent,
                         note=note or "", created_at=utcnow())
    _attach_files(entry, files)
    db.session.add(entry)
    db.session.flush()
    audit.record(user, "task_progress", "task", task.id, user_ids=[user.id], percent=percent)
    return entry


def request_extension(
    user: User, task: Task, *, new_deadline: datetime, reason: str
) -> TaskExtension:
    _require_who(user, task, "request_extension")
    _require_aware(new_deadline)
    if new_deadline <= task.deadline:
        raise InvalidTask("Thời hạn đề nghị phải sau thời hạn hiện tại.")
    if not (reason or "").strip():
        raise InvalidTask("Cần nêu lý do xin gia hạn.")
    # The transition locks the task's row, so of two requests sent at once the second sees
    # the first's pending request here.
    _transition(task, "request_extension")
    pending = db.session.execute(
        select(TaskExtension.id).where(TaskExtension.task_id == task.id,
                                       TaskExtension.status == "pending")
    ).first()
    if pending:
        raise TaskConflict("Đã có một đề nghị gia hạn đang chờ xử lý.")
    extension = TaskExtension(task=task, requested_by_id=user.id, requested_at=utcnow(),
                              new_deadline=new_deadline, reason=reason.strip(), status="pending")
    db.session.add(extension)
    db.session.flush()
    audit.record(user, "extension_requested", "task", task.id, user_ids=[user.id],
                 deadline=new_deadline.isoformat(), extension_id=extension.id)
    return extension


def decide_extension(user: User, extension: TaskExtension, *, grant: bool) -> TaskExtension:
    task = extension.task
    _require_who(user, task, "decide_extension")
    if extension.status != "pending":
        raise TaskConflict("Đề nghị gia hạn này đã được xử lý.")
    _compare_and_set(extension, "status", "pending", "Đề nghị gia hạn này vừa được xử lý; hãy "
                     "tải lại trang.", status="granted" if grant else "refused",
                     decided_by_id=user.id, decided_at=utcnow())
    if grant:
        task.deadline = extension.new_deadline
        _record(user, "extension_granted", task, extension_id=extension.id)
    else:
        audit.record(user, "extension_refused", "task", task.id,
                     user_ids=[extension.requested_by_id], extension_id=extension.id)
    return extension


def complete_task(
    user: User, task: Task, *, result: str, files: Iterable[StoredFile] = ()
) -> Task:
    _require_who(user, task, "complete")
    if not (result or "").strip():
        raise InvalidTask("Cần nhập kết quả thực hiện.")
    _transition(task, "complete")
    now = utcnow()
    task.result = result.strip()
    task.percent = 100
    task.completed_at = now
    entry = TaskProgress(task=task, user_id=user.id, kind="completed", percent=100,
                         note=task.result, created_at=now)
    _attach_files(entry, files)
    db.session.add(entry)
    _record(user, "task_completed", task, on_time=now <= task.deadline)
    return task


def approve_task(user: User, task: Task, *, note: str = "", rating: int | None = None) -> Task:
    _require_who(user, task, "approve")
    _transition(task, "approve")
    task.approved_at = utcnow()
    db.session.add(TaskProgress(task=task, user_id=user.id, kind="approved", note=note or "",
                                created_at=task.approved_at))
    _record(user, "task_approved", task)
    if rating is not None:
        rate_task(user, task, rating=rating)
    return task


def return_task(user: User, task: Task, *, note: str) -> Task:
    _require_who(user, task, "return")
    if not (note or "").strip():
        raise InvalidTask("Cần nêu lý do trả lại.")
    _transition(task, "return")
    task.completed_at = None
    db.session.add(TaskProgress(task=task, user_id=user.id, kind="returned", note=note.strip(),
                                created_at=utcnow()))
    _record(user, "task_returned", task)
    return task


def rate_task(user: User, task: Task, *, rating: int) -> Task:
    """The assigner's quality rating, 1 (poor) to 5 (excellent), of a finished task."""
    _require_who(user, task, "rate")
    if rating not in range(1, 6):
        raise InvalidTask("Điểm đánh giá phải từ 1 đến 5.")
    _transition(task, "rate")
    task.rating = rating
    _record(user, "task_rated", task, rating=rating)
    return task


def remind_due(
    now: datetime | None = None, before: timedelta = BEFORE_DEADLINE_REMINDER
) -> dict[str, int]:
    """The đôn đốc sweep: remind once before each deadline and once when it has passed.

    A ``TaskReminder`` row per (task, kind, deadline) is what makes the sweep idempotent; a
    granted extension changes the deadline and so re-arms both reminders.
    """
    now = now or utcnow()
    counts = {"task_reminded": 0, "task_overdue": 0}
    candidates = db.session.execute(
        select(Task).where(Task.state.in_(OPEN_STATES), Task.deadline <= now + before)
        .order_by(Task.id)
    ).scalars().all()
    for task in candidates:
        kind, action = ("overdue", "task_overdue") if task.deadline <= now else (
            "before", "task_reminded"
        )
        already = db.session.execute(
            select(TaskReminder.id).where(
                TaskReminder.task_id == task.id, TaskReminder.kind == kind,
                TaskReminder.deadline == task.deadline,
            )
        ).first()
        if already:
            continue
        db.session.add(TaskReminder(task_id=task.id, kind=kind, deadline=task.deadline,
                                    sent_at=now))
        _record(None, action, task)
        counts[action] += 1
    return counts


def tasks_for(
    user: User, *, role: str = "assignee", states: Iterable[str] | None = None
) -> list[Task]:
    """Tasks where ``user`` is an assignee (directly or through a unit) or the assigner."""
    query = select(Task).where(Task.organisation_id == user.organisation_id)
    if role == "assigner":
        query = query.where(Task.assigner_id == user.id)
    else:
        units = list(_unit_ids(user))
        sub = select(TaskAssignee.task_id).where(
            (TaskAssignee.user_id == user.id) | TaskAssignee.unit_id.in_(units)
        )
        query = query.where(Task.id.in_(sub))
    if states is not None:
        query = query.where(Task.state.in_(list(states)))
    return list(db.session.execute(query.order_by(Task.deadline, Task.id)).scalars())
