"""CSV and XLSX exports carrying exactly the figures the screen shows (same Report object)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from eoffice.reports.figures import BY_KEY, FIGURES, PEOPLE_COLUMNS
from eoffice.reports.service import Report


def _rows(report: Report) -> tuple[list[list[Any]], list[list[Any]]]:
    summary: list[list[Any]] = [
        ["Báo cáo", report.title],
        ["Kỳ báo cáo", report.period.label()],
        ["Chuỗi nhật ký", report.chain.description if report.chain else "chưa kiểm tra"],
        [],
        ["Mã", "Chỉ tiêu", "Giá trị", "Đơn vị"],
    ]
    for figure in FIGURES:
        summary.append([figure.key, figure.label, report.figures.get(figure.key), figure.unit])
    people: list[list[Any]] = [["Họ và tên", *[BY_KEY[k].label for k in PEOPLE_COLUMNS]]]
    for row in report.people:
        people.append([row.full_name, *[row.figures.get(k) for k in PEOPLE_COLUMNS]])
    return summary, people


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
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 48
    if report.people:
        per_person = book.create_sheet("Theo cán bộ")
        for row in people:
            per_person.append(row)
        per_person.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
