"""Building blocks of the Decree 30 DOCX drafts (python-docx): Times New Roman paragraphs and
runs, paragraphs broken where the clerk broke the lines, short horizontal rules, stamp frames and
the borderless two-column tables of the header and the signer block."""

from __future__ import annotations

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

FONT_NAME = "Times New Roman"

# What may follow w:pBdr in w:pPr and w:bdr in w:rPr (ECMA-376 order; Word refuses others).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
_AFTER_BDR = (
    "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)


def set_font(run_or_style: object, size: float | None = None) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = FONT_NAME
    if size is not None:
        font.size = Pt(size)
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT_NAME)


def para(
    container: object,
    text: str = "",
    *,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    space_after: float = 0,
    first_line_indent_mm: float | None = None,
    paragraph: Paragraph | None = None,
) -> Paragraph:
    p = paragraph if paragraph is not None else container.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if first_line_indent_mm is not None:
        fmt.first_line_indent = Mm(first_line_indent_mm)
    if text:
        run(p, text, size=size, bold=bold, italic=italic, underline=underline)
    else:  # an empty line keeps the font size so its height is predictable
        p.paragraph_format.line_spacing = Pt(size * 1.15)
    return p


def run(p: Paragraph, text: str, *, size: float, bold: bool = False, italic: bool = False,
        underline: bool = False) -> None:
    added = p.add_run(text)
    set_font(added, size)
    added.bold = bold
    added.italic = italic
    added.underline = underline


def lines_para(container: object, lines: list[str], *, size: float, bold: bool = False,
               space_after: float = 0, paragraph: Paragraph | None = None) -> Paragraph:
    """One centred paragraph whose lines break where ``lines`` do (``w:br``)."""
    p = para(container, "", size=size, space_after=space_after, paragraph=paragraph)
    p.paragraph_format.line_spacing = None
    for index, line in enumerate(lines):
        run(p, line, size=size, bold=bold)
        if index < len(lines) - 1:
            p.runs[-1].add_break()
    return p


def rule(container: object, length_pt: float, available_pt: float, *,
         space_after: float = 0) -> Paragraph:
    """A centred horizontal rule ``length_pt`` long: the bottom border of a 2-pt paragraph
    indented from both sides of the ``available_pt`` it is centred in."""
    p = container.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = p.paragraph_format
    indent = max((available_pt - length_pt) / 2, 0)
    fmt.left_indent = fmt.right_indent = Pt(round(indent, 1))
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom", {qn("w:val"): "single", qn("w:sz"): "6",
                                      qn("w:space"): "0", qn("w:color"): "auto"})
    borders.append(bottom)
    ppr = p._p.get_or_add_pPr()
    ppr.insert_element_before(borders, *_AFTER_PBDR)
    return p


def boxed(p: Paragraph) -> None:
    """Frame every run of ``p`` in a single bold border, like the rubber stamp it stands for."""
    for each in p.runs:
        border = OxmlElement("w:bdr", {qn("w:val"): "single", qn("w:sz"): "12",
                                       qn("w:space"): "1", qn("w:color"): "auto"})
        each._r.get_or_add_rPr().insert_element_before(border, *_AFTER_BDR)


def first_paragraph(cell: _Cell) -> Paragraph:
    return cell.paragraphs[0]


def two_column_table(doc: Document, widths_mm: tuple[float, float]):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return table
