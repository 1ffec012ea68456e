"""CSV and XLSX exports carrying exactly the figures the screen shows (same Report object).

Headers and cells are Vietnamese only (no internal figure keys). A cell a spreadsheet would
read as a formula (starting with = + - @, or a tab/carriage return before one) is written as
text with a leading apostrophe: a person's name or a unit typed as ``=HYPERLINK(…)`` must not
run when a manager opens the file.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from eoffice.reports.figures import FIGURES, PEOPLE_COLUMNS
from eoffice.reports.service import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that can never be a formula (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def full_labels() -> dict[str, str]:
    """Each figure's label standing alone: on screen "— quá hạn" sits under its parent line,
    in a spreadsheet column it must say "Văn bản đã xử lý xong — quá hạn"."""
    labels: dict[str, str] = {}
    parent = ""
    for figure in FIGURES:
        if figure.label.startswith("— "):
            labels[figure.key] = f"{parent} {figure.label}"
        else:
            parent = labels[figure.key] = figure.label
    return labels


def _rows(report: Report) -> tuple[list[list[Any]], list[list[Any]]]:
    summary: list[list[Any]] = [
        ["Báo cáo", report.title],
        ["Kỳ báo cáo", report.period.label()],
        ["Chuỗi nhật ký", report.chain.description if report.chain else "Chưa kiểm tra"],
        [],
        ["Chỉ tiêu", "Giá trị", "Đơn vị tính"],
    ]
    for figure in FIGURES:
        summary.append([full_labels()[figure.key], report.figures.get(figure.key), figure.unit])
    people: list[list[Any]] = [["Họ và tên", *[full_labels()[k] for k in PEOPLE_COLUMNS]]]
    for row in report.people:
        people.append([row.full_name, *[row.figures.get(k) for k in PEOPLE_COLUMNS]])
    return ([[safe_cell(c) for c in r] for r in summary],
            [[safe_cell(c) for c in r] for r in people])


def to_csv(report: Report) -> bytes:
    summary, people = _rows(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(summary)
    if report.people:
        writer.writerow([])
        writer.writerows(people)
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel opens the Vietnamese correctly


def to_xlsx(report: Report) -> bytes:
    summary, people = _rows(report)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    for row in summary:
        sheet.append(row)
    sheet["A5"].font = sheet["B5"].font = sheet["C5"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 56
    sheet.column_dimensions["B"].width = 16
    if report.people:
        per_person = book.create_sheet("Theo cán bộ")
        for row in people:
            per_person.append(row)
        per_person.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
