"""Every act on a task, declared once (``eoffice.actions``).

The page routes (``/tasks/<id>/...``), the JSON routes (``/api/v1/tasks/<id>/actions/<name>``),
their validation and their OpenAPI operations all come from the declarations below; the
service (``eoffice.tasks.service``) holds the permissions, the state table and the history.
Creating a task (no object yet) keeps its own page and API route; its input model is here too,
with what the inputs share (the deadline type, stored attachments).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from flask import url_for
from pydantic import AfterValidator, BeforeValidator, Field
from werkzeug.datastructures import FileStorage

from eoffice.actions import Action, ActionInput, Kind, Upload, declare
from eoffice.files.models import StoredFile
from eoffice.files.service import UploadError, save_upload
from eoffice.reports.calendar import add_working_days
from eoffice.tasks import service
from eoffice.tasks.errors import InvalidTask
from eoffice.tasks.models import Task, TaskExtension, TaskProgress
from eoffice.tasks.representation import task_json
from eoffice.timestamps import VIETNAM, utcnow

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _vietnamese_moment(value: Any) -> Any:
    """dd/mm/yyyy [HH:MM] as written here; a day without a time means the end of that day."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if match := _DMY.match(text):
        day, month, year, hour, minute = match.groups()
        try:
            on = date(int(year), int(month), int(day))
            clock = time(int(hour), int(minute)) if hour else time(23, 59, 59)
        except ValueError:
            raise ValueError("not a date") from None
        return datetime.combine(on, clock, tzinfo=VIETNAM)
    if _ISO_DAY.match(text):
        return text + "T23:59:59+07:00"
    return text


def _in_vietnam(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=VIETNAM)


#: A deadline: ISO 8601 (``2026-05-04T17:00``, with or without an offset: without one it is
#: Vietnam time, as a page's date-and-time field sends it) or ``dd/mm/yyyy [HH:MM]``; a day
#: alone means the end of that day.
Moment = Annotated[datetime, BeforeValidator(_vietnamese_moment), AfterValidator(_in_vietnam)]

Priority = Literal["low", "normal", "high", "urgent"]  # the keys of service.PRIORITIES


def deadline_from(deadline: datetime | None, working_days: int | None) -> datetime:
    """A deadline given as a moment or as a number of working days from today (which wins
    when both are given, as on the page)."""
    if working_days:
        return add_working_days(utcnow(), working_days)
    if deadline is None:
        raise InvalidTask("Cần chọn thời hạn hoặc số ngày làm việc.")
    return deadline


def store_uploads(user: Any, uploads: list[FileStorage]) -> list[StoredFile]:
    """Save the files attached to a report; a refused file refuses the whole report."""
    try:
        return [save_upload(user, upload.stream, upload.filename) for upload in uploads]
    except UploadError as error:
        raise InvalidTask(str(error)) from None


# --------------------------------------------------------------------------- the kind
def page_url(task: Task) -> str:
    return url_for("tasks.detail", task_id=task.id)


def task_of(result: Task | TaskProgress | TaskExtension) -> Task:
    """The task a service's result is about (a report and an extension belong to one)."""
    return result if isinstance(result, Task) else result.task


TASKS = Kind(
    name="tasks",
    load=service.get_visible,
    page_url=page_url,
    as_json=lambda result: task_json(task_of(result)),
    subject_of=task_of,
    id_param="task_id",
    schema_name="Task",
)


# --------------------------------------------------------------------------- inputs
class NewTask(ActionInput):
    """Everything the "giao việc" page asks (the page keeps its own form)."""

    title: str = Field(title="Tên công việc", max_length=500)
    description: str = Field("", title="Nội dung, yêu cầu")
    assignee_ids: list[int] = Field(default_factory=list, title="Người thực hiện")
    unit_ids: list[int] = Field(default_factory=list, title="Đơn vị thực hiện")
    deadline: Moment | None = Field(None, title="Thời hạn", description=(
        "ISO 8601 (không có múi giờ là giờ Việt Nam) hoặc dd/mm/yyyy [HH:MM]; cần thời hạn "
        "hoặc số ngày làm việc"))
    working_days: int | None = Field(None, title="Số ngày làm việc kể từ hôm nay", ge=1,
                                     le=365, description="Được ưu tiên hơn thời hạn")
    priority: Priority = Field("normal", title="Mức ưu tiên")


class Nothing(ActionInput):
    """The act needs nothing but the task."""


class ProgressReport(ActionInput):
    percent: int = Field(title="Tỷ lệ hoàn thành (%)",
                         json_schema_extra={"minimum": 0, "maximum": 100})
    note: str = Field("", title="Ghi chú")
    files: list[Upload] = Field(default_factory=list, title="Tệp đính kèm")


class ExtensionRequest(ActionInput):
    new_deadline: Moment = Field(title="Thời hạn đề nghị")
    reason: str = Field(title="Lý do")


class ExtensionDecision(ActionInput):
    extension_id: int = Field(title="Đề nghị gia hạn")
    decision: Literal["grant", "refuse"] = Field(
        title="Quyết định (grant: đồng ý gia hạn, refuse: từ chối)")


class CompletionReport(ActionInput):
    result: str = Field(title="Kết quả thực hiện")
    files: list[Upload] = Field(default_factory=list, title="Tệp kết quả")


class Review(ActionInput):
    decision: Literal["approve", "return"] = Field(
        title="Quyết định (approve: duyệt kết quả, return: trả lại để làm tiếp)")
    note: str = Field("", title="Nhận xét")
    rating: int | None = Field(None, title="Đánh giá chất lượng",
                               json_schema_extra={"minimum": 1, "maximum": 5})


class Rating(ActionInput):
    rating: int = Field(title="Đánh giá chất lượng",
                        json_schema_extra={"minimum": 1, "maximum": 5})


# --------------------------------------------------------------------------- performers
def _progress(actor: Any, task: Task, data: ProgressReport) -> TaskProgress:
    return service.report_progress(actor, task, percent=data.percent, note=data.note,
                                   files=store_uploads(actor, data.files))


def _decide(actor: Any, task: Task, data: ExtensionDecision) -> TaskExtension:
    return service.decide_extension(actor, service.extension_of(task, data.extension_id),
                                    grant=data.decision == "grant")


def _complete(actor: Any, task: Task, data: CompletionReport) -> Task:
    return service.complete_task(actor, task, result=data.result,
                                 files=store_uploads(actor, data.files))


def _review(actor: Any, task: Task, data: Review) -> Task:
    if data.decision == "approve":
        return service.approve_task(actor, task, note=data.note, rating=data.rating)
    return service.return_task(actor, task, note=data.note)


# --------------------------------------------------------------------------- declarations
ACTIONS = (
    Action(TASKS, "accept", "Người được giao nhận việc", Nothing,
           lambda actor, task, data: service.accept_task(actor, task),
           "Đã nhận việc.", "/<int:task_id>/accept", "accept"),
    Action(TASKS, "progress", "Báo cáo tiến độ (tỷ lệ hoàn thành, ghi chú, tệp đính kèm)",
           ProgressReport, _progress, "Đã báo cáo tiến độ.", "/<int:task_id>/progress",
           "progress"),
    Action(TASKS, "request_extension", "Người được giao xin gia hạn (thời hạn mới, lý do)",
           ExtensionRequest,
           lambda actor, task, data: service.request_extension(
               actor, task, new_deadline=data.new_deadline, reason=data.reason),
           "Đã gửi đề nghị gia hạn.", "/<int:task_id>/extension", "extension"),
    Action(TASKS, "decide_extension", "Người giao việc đồng ý hoặc từ chối đề nghị gia hạn",
           ExtensionDecision, _decide,
           lambda extension: ("Đã gia hạn." if extension.status == "granted"
                              else "Đã từ chối gia hạn."),
           "/<int:task_id>/extension/<int:extension_id>/<any(grant, refuse):decision>",
           "decide", path_fields=("extension_id", "decision")),
    Action(TASKS, "complete", "Báo cáo hoàn thành (kết quả, tệp kết quả) để người giao duyệt",
           CompletionReport, _complete, "Đã báo cáo hoàn thành; chờ người giao việc duyệt.",
           "/<int:task_id>/complete", "complete"),
    Action(TASKS, "review", "Người giao việc duyệt kết quả (kèm đánh giá) hoặc trả lại",
           Review, _review,
           lambda task: ("Đã duyệt kết quả." if task.state == "done"
                         else "Đã trả lại để làm tiếp."),
           "/<int:task_id>/review/<any(approve, return):decision>", "review",
           path_fields=("decision",)),
    Action(TASKS, "rate", "Người giao việc đánh giá chất lượng việc đã hoàn thành (1–5)",
           Rating, lambda actor, task, data: service.rate_task(actor, task, rating=data.rating),
           "Đã đánh giá chất lượng.", "/<int:task_id>/review/rate", "rate"),
)

declare(*ACTIONS)
