"""The meeting's papers in the administrative layout (Decree 30): giấy mời and biên bản.

Both are built with python-docx (Times New Roman 13–14 pt, the two-column header with the
organisation on the left and the national motto on the right) and converted to PDF by
LibreOffice through ``formats.conversion``, so what is signed is a PDF. Each carries its
number ("Số: 05/GM-UBND", "Số: 03/BB-UBND") under the organisation's name, and each signer's
place — between the title printed above and the name printed below — is measured on the
rendered page and made an empty signature field (``with_signature_boxes``), so the signature
image lands in its box and over no text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as pdf_fields

from eoffice.documents.format_check import Word, page_words
from eoffice.timestamps import to_local
from meetings.models import Meeting, Participant, ParticipantRole, Response

FONT = "Times New Roman"


@dataclass(frozen=True)
class MinutesRecord:
    """What the minutes say, gathered by the service from the session record."""

    meeting: Meeting
    counts: dict[str, int]
    speeches: list[tuple[str, str, str]]  # (name, "phát biểu"/"chất vấn", item title)
    polls: list[dict[str, object]]  # question, secret, options, result, voted, eligible, voters
    actions: list[tuple[str, str, datetime]]  # (title, assignee name, deadline)
    number: str = ""  # "03/BB-UBND"
    notes: str = ""  # the secretary's own text, kept until the first signature


def _base() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(3)
    return document


def _para(document: Document, text: str = "", *, bold: bool = False, italic: bool = False,
          size: int = 14, align: int | None = None, indent: bool = False) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _header(document: Document, meeting: Meeting, when: datetime, number: str = "") -> None:
    organisation = meeting.chair.organisation
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = left.paragraphs[0].add_run(organisation.name.upper())
    run.bold, run.font.size = True, Pt(13)
    if number:
        line = left.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(f"Số: {number}").font.size = Pt(13)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    run.bold, run.font.size = True, Pt(13)
    motto = right.add_paragraph()
    motto.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = motto.add_run("Độc lập - Tự do - Hạnh phúc")
    run.bold, run.font.size = True, Pt(14)
    local = to_local(when)
    assert local is not None
    place = right.add_paragraph()
    place.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = place.add_run(f"{organisation.place or ''}, ngày {local.day:02d} tháng "
                        f"{local.month:02d} năm {local.year}")
    run.italic, run.font.size = True, Pt(14)


def _time_text(value: datetime | None) -> str:
    local = to_local(value)
    if local is None:
        return ""
    return f"{local:%H} giờ {local:%M}, ngày {local:%d/%m/%Y}"


def _signature(document: Document, heading: str, name: str) -> None:
    table = document.add_table(rows=1, cols=2)
    cell = table.rows[0].cells[1]
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = cell.paragraphs[0].add_run(heading.upper())
    run.bold = True
    for _ in range(4):
        cell.add_paragraph()
    last = cell.add_paragraph()
    last.alignment = WD_ALIGN_PARAGRAPH.CENTER
    last.add_run(name).bold = True


def _invitees(meeting: Meeting) -> list[Participant]:
    return [p for p in meeting.participants if p.response != Response.DELEGATED]


def invitation_docx(meeting: Meeting, issued_at: datetime, number: str = "") -> bytes:
    """Giấy mời họp: who is invited, when, where, chaired by whom, and the agenda."""
    document = _base()
    _header(document, meeting, issued_at, number)
    _para(document)
    _para(document, "GIẤY MỜI", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, meeting.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document)
    _para(document, "Trân trọng kính mời:", bold=True)
    for participant in _invitees(meeting):
        user = participant.user
        title = f", {user.title}" if user.title else ""
        _para(document, f"- {user.full_name}{title}"
              f" ({ParticipantRole(participant.role).label.lower()}).", indent=True)
    _para(document, f"Chủ trì: {meeting.chair.full_name}"
          f"{', ' + meeting.chair.title if meeting.chair.title else ''}.", indent=True)
    _para(document, f"Thời gian: {_time_text(meeting.starts_at)}.", indent=True)
    where = meeting.location or "Họp trực tuyến"
    if meeting.online_url:
        where += f" (trực tuyến: {meeting.online_url})"
    _para(document, f"Địa điểm: {where}.", indent=True)
    if meeting.items:
        _para(document, "Nội dung:", indent=True)
        for number, item in enumerate(meeting.items, start=1):
            _para(document, f"{number}. {item.title} ({item.duration_minutes} phút).",
                  indent=True)
    if meeting.description:
        _para(document, meeting.description, indent=True)
    _para(document, "Tài liệu họp được đăng tải trên hệ thống phòng họp không giấy; "
          "đề nghị các thành phần xác nhận tham dự trên hệ thống.", indent=True, italic=True)
    _para(document)
    _signature(document, meeting.chair.title or "Người chủ trì", meeting.chair.full_name)
    return _save(document)


def minutes_docx(record: MinutesRecord) -> bytes:
    """Biên bản cuộc họp from the session record: attendance, agenda, speakers, votes, results."""
    meeting = record.meeting
    document = _base()
    _header(document, meeting, meeting.closed_at or meeting.starts_at, record.number)
    _para(document)
    _para(document, "BIÊN BẢN", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document, meeting.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(document)
    _para(document, f"Thời gian bắt đầu: {_time_text(meeting.opened_at)}.", indent=True)
    _para(document, f"Địa điểm: {meeting.location or 'Họp trực tuyến'}.", indent=True)
    _para(document, f"Chủ trì: {meeting.chair.full_name}. Thư ký: "
          f"{meeting.secretary.full_name}.", indent=True)

    _para(document, "I. THÀNH PHẦN THAM DỰ", bold=True)
    counts = record.counts
    _para(document, f"Có mặt: {counts['present']}; vắng có lý do: {counts['excused']}; "
          f"vắng: {counts['absent']}.", indent=True)
    for participant in _invitees(meeting):
        mark = {"present": "có mặt", "excused": "vắng có lý do",
                "absent": "vắng"}[participant.attendance]
        extra = ""
        if participant.attendance == "present" and participant.checked_in_at:
            extra = f", điểm danh lúc {to_local(participant.checked_in_at):%H:%M}"
        if participant.absence_reason:
            extra += f" ({participant.absence_reason})"
        if participant.delegated_from is not None:
            extra += f", dự thay {participant.delegated_from.full_name}"
        _para(document, f"- {participant.user.full_name} — "
              f"{ParticipantRole(participant.role).label}: {mark}{extra}.", indent=True)

    _para(document, "II. NỘI DUNG", bold=True)
    for number, item in enumerate(meeting.items, start=1):
        _para(document, f"{number}. {item.title}", bold=True)
        for name, kind, item_title in record.speeches:
            if item_title == item.title:
                _para(document, f"- Ông/bà {name} {kind}.", indent=True)
        if item.conclusion:
            _para(document, f"Kết luận: {item.conclusion}", indent=True)

    _para(document, "III. BIỂU QUYẾT", bold=True)
    if not record.polls:
        _para(document, "Không có nội dung biểu quyết.", indent=True)
    for poll in record.polls:
        kind = "bỏ phiếu kín" if poll["secret"] else "biểu quyết công khai"
        _para(document, f"- {poll['question']} ({kind}; {poll['voted']}/{poll['eligible']} "
              "người biểu quyết).", indent=True)
        result = poll["result"] or []
        for option, count in zip(poll["options"], result, strict=False):  # type: ignore[call-overload]
            _para(document, f"    {option}: {count}", indent=True)
        if not poll["secret"] and poll["voters"]:
            _para(document, "    Chi tiết: " + "; ".join(poll["voters"]) + ".",  # type: ignore[arg-type]
                  indent=True)

    _para(document, "IV. CÔNG VIỆC GIAO SAU CUỘC HỌP", bold=True)
    if not record.actions:
        _para(document, "Không có.", indent=True)
    for title, assignee, deadline in record.actions:
        local = to_local(deadline)
        _para(document, f"- {title} — giao: {assignee}; thời hạn: {local:%d/%m/%Y}.",
              indent=True)

    if record.notes.strip():
        _para(document, "V. Ý KIẾN KHÁC, GHI CHÉP CỦA THƯ KÝ", bold=True)
        for line in record.notes.strip().splitlines():
            if line.strip():
                _para(document, line.strip(), indent=True)
    _para(document, f"Cuộc họp kết thúc lúc {_time_text(meeting.closed_at)}.", indent=True)
    table = document.add_table(rows=1, cols=2)
    for cell, heading, name in ((table.rows[0].cells[0], "THƯ KÝ", meeting.secretary.full_name),
                                (table.rows[0].cells[1], "CHỦ TRÌ", meeting.chair.full_name)):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].add_run(heading).bold = True
        for _ in range(4):
            cell.add_paragraph()
        last = cell.add_paragraph()
        last.alignment = WD_ALIGN_PARAGRAPH.CENTER
        last.add_run(name).bold = True
    return _save(document)


def _save(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _find(words: list[Word], text: str, after: tuple[int, float] | None = None
          ) -> tuple[int, tuple[float, float, float, float]] | None:
    """The page and box of the phrase ``text`` on one line: the last occurrence, or with
    ``after`` (page, y) the first one below that point."""
    tokens = text.split()
    found = []
    for index in range(len(words) - len(tokens) + 1):
        run = words[index:index + len(tokens)]
        if [w.text for w in run] != tokens or len({(w.page, round(w.rect[1])) for w in run}) > 1:
            continue
        box = (min(w.rect[0] for w in run), min(w.rect[1] for w in run),
               max(w.rect[2] for w in run), max(w.rect[3] for w in run))
        if after is None or (run[0].page, -box[3]) > (after[0], -after[1]):
            found.append((run[0].page, box))
    if not found:
        return None
    return found[0] if after is not None else found[-1]


def signature_boxes(pdf: bytes, blocks: dict[str, tuple[str, str]]
                    ) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Each field's box: between the heading printed above (its last occurrence) and the
    name printed below it, 170 pt wide around the heading. ``blocks``: field → (heading,
    name). A block that is not found gets no box (its signature stays invisible)."""
    _sizes, words = page_words(pdf)
    boxes = {}
    for field, (heading, name) in blocks.items():
        top = _find(words, heading.upper())
        if top is None:
            continue
        page, head = top
        below = _find(words, name, after=(page, head[1]))
        if below is None or below[0] != page:
            continue
        centre = (head[0] + head[2]) / 2
        rect = (centre - 85, below[1][3] + 2, centre + 85, head[1] - 2)
        if rect[3] - rect[1] >= 30:
            boxes[field] = (page, rect)
    return boxes


def with_signature_boxes(pdf: bytes, boxes: dict[str, tuple[int, tuple[float, ...]]]) -> bytes:
    """The PDF with an empty signature field per box (before anybody signs)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for field, (page, rect) in boxes.items():
        x1, y1, x2, y2 = (round(v) for v in rect)
        pdf_fields.append_signature_field(
            writer, pdf_fields.SigFieldSpec(field, on_page=page, box=(x1, y1, x2, y2)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def to_pdf(docx: bytes) -> bytes:
    """DOCX → PDF with the shared LibreOffice converter (private profile, serialized)."""
    from formats.conversion import convert_docx_to_pdf

    return convert_docx_to_pdf(docx)
