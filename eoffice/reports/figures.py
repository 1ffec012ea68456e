"""The figures of a report, each defined once: its label, how it is aggregated, and which rows
(and so which events) stand behind it.

A figure's ``condition`` is used both inside the SQL aggregate (``SUM(CASE WHEN …)``) and as the
``WHERE`` of its drill-down, so the evidence list always has exactly as many entries as the
figure counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from eoffice.reports.models import EventSubject as ES
from eoffice.reports.models import WorkItem as W
from eoffice.timestamps import VIETNAM


@dataclass(frozen=True)
class Period:
    """Calendar days ``first``..``last`` (inclusive) in Vietnam time, with their UTC bounds."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), tzinfo=VIETNAM)

    @property
    def end(self) -> datetime:  # exclusive
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time(),
                                tzinfo=VIETNAM)

    def label(self) -> str:
        return f"{self.first:%d/%m/%Y} – {self.last:%d/%m/%Y}"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    cutoff: datetime  # "now" for overdue-but-open work, never after the period's end


Condition = Callable[[Window], ColumnElement[bool]]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    source: str  # "work" (work_items) or "subject" (event_subjects)
    condition: Condition
    evidence_event: str  # which event id column names the evidence
    stat: str = "count"  # count | sum | median | p90 | avg
    value_column: str | None = None
    unit: str = ""  # shown after the value: "giờ", "điểm"
    # The time column the figure is anchored on: its query is a range scan on that column's
    # (covering) index — ended, started, opened, open (unfinished work) or event (subjects).
    anchor: str = "ended"


def _ended(kind: str, w: Window) -> ColumnElement[bool]:
    return and_(W.kind == kind, W.ended_at >= w.start, W.ended_at < w.end)


def _outcome(kind: str, outcome: str) -> Condition:
    return lambda w: and_(_ended(kind, w), W.outcome == outcome)


def _event(action: str, role: str) -> Condition:
    return lambda w: and_(ES.action == action, ES.role == role, ES.occurred_at >= w.start,
                          ES.occurred_at < w.end)


WORK_KINDS = ("document", "signature", "meeting", "task", "action_item")


def anchor_range(anchor: str, w: Window) -> ColumnElement[bool]:
    """The index range every figure of ``anchor`` lies in (their conditions imply it)."""
    if anchor == "ended":
        return and_(W.kind.in_(WORK_KINDS), W.ended_at >= w.start, W.ended_at < w.end)
    if anchor == "started":
        return and_(W.kind.in_(WORK_KINDS), W.started_at >= w.start, W.started_at < w.end)
    if anchor == "opened":
        return and_(W.kind == "document", W.first_opened_at >= w.start,
                    W.first_opened_at < w.end)
    if anchor == "open":
        return and_(W.kind == "document", or_(W.ended_at.is_(None), W.ended_at >= w.end))
    return and_(ES.occurred_at >= w.start, ES.occurred_at < w.end)


def _received(w: Window) -> ColumnElement[bool]:
    return and_(W.kind == "document", W.started_at >= w.start, W.started_at < w.end)


def _overdue_open(w: Window) -> ColumnElement[bool]:
    return and_(W.kind == "document", W.started_at < w.end,
                or_(W.ended_at.is_(None), W.ended_at >= w.end), W.deadline < w.cutoff)


def _opened(w: Window) -> ColumnElement[bool]:
    return and_(W.kind == "document", W.first_opened_at >= w.start, W.first_opened_at < w.end)


FIGURES: list[Figure] = [
    Figure("docs_received", "Văn bản được giao xử lý", "work", _received, "start_event_id",
           anchor="started"),
    Figure("docs_handled", "Văn bản đã xử lý xong", "work", lambda w: _ended("document", w),
           "end_event_id"),
    Figure("docs_on_time", "— trong hạn", "work", _outcome("document", "on_time"),
           "end_event_id"),
    Figure("docs_late", "— quá hạn", "work", _outcome("document", "late"), "end_event_id"),
    Figure("docs_late_days", "— tổng số ngày làm việc trễ hạn", "work",
           _outcome("document", "late"), "end_event_id", "sum", "late_working_days", "ngày"),
    Figure("docs_overdue_open", "Văn bản quá hạn chưa xử lý xong", "work", _overdue_open,
           "start_event_id", anchor="open"),
    Figure("processing_median_h", "Thời gian xử lý (trung vị)", "work",
           lambda w: _ended("document", w), "end_event_id", "median", "duration_s", "giờ"),
    Figure("processing_p90_h", "Thời gian xử lý (P90)", "work",
           lambda w: _ended("document", w), "end_event_id", "p90", "duration_s", "giờ"),
    Figure("first_open_median_h", "Thời gian đến lần mở đầu tiên (trung vị)", "work", _opened,
           "open_event_id", "median", "open_delay_s", "giờ", anchor="opened"),
    Figure("signatures", "Văn bản đã ký", "work", lambda w: _ended("signature", w),
           "end_event_id"),
    Figure("signing_median_h", "Thời gian chờ ký (trung vị)", "work",
           lambda w: _ended("signature", w), "end_event_id", "median", "duration_s", "giờ"),
    Figure("signing_p90_h", "Thời gian chờ ký (P90)", "work",
           lambda w: _ended("signature", w), "end_event_id", "p90", "duration_s", "giờ"),
    Figure("drafts_returned", "Dự thảo bị trả lại để sửa", "subject",
           _event("draft_returned", "subject"), "event_id", anchor="event"),
    Figure("meetings_attended", "Cuộc họp có mặt", "work", _outcome("meeting", "attended"),
           "end_event_id"),
    Figure("meetings_excused", "Cuộc họp vắng có lý do", "work", _outcome("meeting", "excused"),
           "end_event_id"),
    Figure("meetings_absent", "Cuộc họp vắng không lý do", "work", _outcome("meeting", "absent"),
           "end_event_id"),
    Figure("tasks_done", "Công việc hoàn thành", "work", lambda w: _ended("task", w),
           "end_event_id"),
    Figure("tasks_on_time", "— đúng hạn", "work", _outcome("task", "on_time"), "end_event_id"),
    Figure("tasks_late", "— quá hạn", "work", _outcome("task", "late"), "end_event_id"),
    Figure("action_items_done", "Kết luận cuộc họp đã thực hiện", "work",
           lambda w: _ended("action_item", w), "end_event_id"),
    Figure("action_items_on_time", "— đúng hạn", "work", _outcome("action_item", "on_time"),
           "end_event_id"),
    Figure("extensions_requested", "Lần xin gia hạn", "subject",
           _event("extension_requested", "actor"), "event_id", anchor="event"),
    Figure("ratings_received", "Lần được đánh giá chất lượng", "subject",
           _event("task_rated", "subject"), "event_id", anchor="event"),
    Figure("rating_avg", "Điểm chất lượng trung bình", "subject",
           _event("task_rated", "subject"), "event_id", "avg", "value", "điểm", anchor="event"),
]
BY_KEY = {figure.key: figure for figure in FIGURES}
# The short list shown per person on the dashboard and charted.
PEOPLE_COLUMNS = ["docs_received", "docs_handled", "docs_on_time", "docs_late",
                  "processing_median_h", "signatures", "meetings_attended", "meetings_absent",
                  "tasks_done", "tasks_on_time", "rating_avg"]
