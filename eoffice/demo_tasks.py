"""The living demo's tasks: assigned by leaders over the last weeks through the task service,
some in progress, some overdue, some done and approved, so "Việc của tôi" and the task
reports show real work on the first visit.

Idempotent: a task whose title exists in its organisation is not made again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from eoffice.accounts.models import User
from eoffice.extensions import db
from eoffice.tasks import service
from eoffice.tasks.models import Task
from eoffice.timestamps import clock_set_back, utcnow


@dataclass(frozen=True)
class DemoTask:
    """Assigned ``days_ago`` by ``assigner`` to ``assignee``, due ``due_days`` later, taken
    up to ``until``: assigned, accepted, in_progress (with ``percent``), completed, approved."""

    title: str
    assigner: str
    assignee: str
    days_ago: float
    due_days: float
    until: str
    percent: int = 0
    priority: str = "normal"


DEMO_TASKS = [
    DemoTask("Xây dựng báo cáo sơ kết công tác chuyển đổi số 6 tháng cuối năm", "chutich",
             "chuyenvien", 12, 8, "in_progress", 60, "high"),
    DemoTask("Tổng hợp ý kiến góp ý dự thảo Quy chế làm việc của UBND tỉnh", "chutich",
             "truongphong", 9, 5, "in_progress", 40),
    DemoTask("Rà soát danh mục thủ tục hành chính đủ điều kiện cung cấp trực tuyến toàn trình",
             "phochutich", "chuyenvien", 3, 10, "accepted"),
    DemoTask("Chuẩn bị tài liệu phiên họp thường kỳ tháng tới", "chanhvanphong", "thuky", 1, 6,
             "assigned"),
    DemoTask("Kiểm tra tiến độ giải ngân các dự án trọng điểm", "truongphong", "chuyenvien",
             6, 2, "in_progress", 30, "high"),
    DemoTask("Báo cáo kết quả kiểm tra công tác văn thư, lưu trữ", "chanhvanphong", "vanthu",
             20, 7, "approved"),
    DemoTask("Lập kế hoạch kiểm tra quyết toán ngân sách huyện", "giamdoc.stc",
             "chuyenvien.stc", 8, 4, "in_progress", 50),
    DemoTask("Tổng hợp nhu cầu kinh phí khắc phục thiên tai", "chutich.lacson",
             "truongphong.lacson", 4, 3, "accepted"),
]


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _seed(spec: DemoTask) -> bool:
    assigner, assignee = _user(spec.assigner), _user(spec.assignee)
    if db.session.execute(select(Task.id).where(
            Task.organisation_id == assigner.organisation_id, Task.title == spec.title)).first():
        return False
    with clock_set_back(timedelta(days=spec.days_ago)):
        task = service.assign_task(
            assigner, title=spec.title, assignee_ids=[assignee.id], priority=spec.priority,
            deadline=utcnow() + timedelta(days=spec.due_days),
            description="Giao trong chương trình công tác; báo cáo kết quả đúng hạn.")
    if spec.until == "assigned":
        return True
    with clock_set_back(timedelta(days=spec.days_ago - 0.3)):
        service.accept_task(assignee, task)
    if spec.until == "accepted":
        return True
    with clock_set_back(timedelta(days=spec.days_ago - 1)):
        service.report_progress(assignee, task, percent=spec.percent or 50,
                                note="Đã thu thập số liệu, đang xây dựng dự thảo.")
    if spec.until == "in_progress":
        return True
    with clock_set_back(timedelta(days=spec.days_ago - 4)):
        service.complete_task(assignee, task, result="Đã hoàn thành và gửi báo cáo.")
    with clock_set_back(timedelta(days=spec.days_ago - 5)):
        service.approve_task(assigner, task, note="Đạt yêu cầu.", rating=5)
    return True


def seed_tasks() -> list[str]:
    """Make the demo tasks that are missing (each committed); return a line to print."""
    made = 0
    for spec in DEMO_TASKS:
        made += _seed(spec)
        db.session.commit()
    return [f"Công việc dùng thử: {made} công việc mới"
            + (f" (đã có {len(DEMO_TASKS) - made})." if made < len(DEMO_TASKS) else ".")]
