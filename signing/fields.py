"""Reserved number/date form fields, filled after the leader signed.

The document number and date are issued by the clerk *after* the leader's
signature.  Writing them onto the page would invalidate that signature, so the
leader's signing reserves two text form fields (and the seal's signature
field) and signs as a certification signature with DocMDP level 2
(FILL_FORMS): filling those fields later is an allowed modification and every
validator (pyHanko's difference analysis, Adobe, EU DSS) keeps the leader's
signature intact.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .appearance import Rect
from .errors import SigningError
from .fonts import font_box, vn_font_engine
from .pdf_input import open_pdf_for_update

__all__ = [
    "DATE_FIELD",
    "NUMBER_FIELD",
    "ReservedFields",
    "add_text_field",
    "fill_fields",
    "line_rect",
    "list_text_fields",
]

NUMBER_FIELD = "SoKyHieu"
DATE_FIELD = "NgayBanHanh"


ALIGN = {"left": 0, "center": 1, "right": 2}
"""The field's ``/Q`` (quadding) for each alignment."""
ROMAN, ITALIC = "/TiRo", "/TiIt"


@dataclass(frozen=True)
class ReservedFields:
    """Where the number ("Số: …/QĐ-UBND") and the date line go on the page.

    ``*_rect`` gives the horizontal extent (and, without a baseline, the line's box).
    ``*_baseline`` (PDF points) puts the field's text on that baseline: the field then
    spans one line of ``font_size`` around it.  ``number_align`` is where the number sits
    in its gap: ``right`` when the page prints the notation right after the gap
    ("Số:      15/QĐ-UBND").
    """

    number_rect: Rect | None = None
    date_rect: Rect | None = None
    page: int = 0
    font_size: float = 13
    italic_date: bool = True
    number_baseline: float | None = None
    date_baseline: float | None = None
    number_align: str = "center"
    date_align: str = "center"


def line_rect(rect: Rect, baseline: float | None, font_size: float,
              italic: bool = False) -> Rect:
    """``rect`` made exactly one line of ``font_size`` tall around ``baseline``."""
    if baseline is None:
        return rect
    ascent, descent = font_box(italic=italic)
    x1, _, x2, _ = rect
    return (x1, baseline - descent * font_size, x2, baseline + ascent * font_size)


def _acroform_fields(writer: BasePdfFileWriter) -> generic.ArrayObject:
    root = writer.root
    try:
        form = root["/AcroForm"]
    except KeyError:
        form = generic.DictionaryObject()
        root[pdf_name("/AcroForm")] = writer.add_object(form)
        writer.update_root()
    try:
        fields = form["/Fields"]
    except KeyError:
        fields = form[pdf_name("/Fields")] = generic.ArrayObject()
    if isinstance(form.raw_get("/Fields"), generic.IndirectObject):
        writer.mark_update(form.raw_get("/Fields"))
    else:
        ref = root.raw_get("/AcroForm")
        if isinstance(ref, generic.IndirectObject):
            writer.mark_update(ref)
        else:
            writer.update_root()
    return fields


def add_text_field(writer: BasePdfFileWriter, name: str, page: int, rect: Rect, *,
                   font_size: float = 13, tooltip: str | None = None, italic: bool = False,
                   align: str = "center") -> generic.IndirectObject:
    """Create an empty single-line text field (merged field + widget) on ``page``."""
    if align not in ALIGN:
        raise SigningError(f"unknown alignment {align!r} (left, center, right)")
    page_ref = writer.find_page_for_modification(page)[0]
    x1, y1, x2, y2 = rect
    w, h = abs(x2 - x1), abs(y2 - y1)
    empty_ap = generic.StreamObject(
        {pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
         pdf_name("/BBox"): generic.ArrayObject(map(generic.FloatObject, (0, 0, w, h)))},
        stream_data=b"")
    field = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"),
        pdf_name("/T"): pdf_string(name),
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/F"): generic.NumberObject(4),  # print
        pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, rect)),
        pdf_name("/P"): page_ref,
        pdf_name("/DA"): pdf_string(f"{ITALIC if italic else ROMAN} {font_size:g} Tf 0 g"),
        pdf_name("/Q"): generic.NumberObject(ALIGN[align]),
        pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(empty_ap)}),
    })
    if tooltip:
        field[pdf_name("/TU")] = pdf_string(tooltip)
    ref = writer.add_object(field)
    fields = _acroform_fields(writer)
    fields.append(ref)
    writer.register_annotation(page_ref, ref)
    return ref


def reserve(writer: BasePdfFileWriter, spec: ReservedFields) -> None:
    if spec.number_rect:
        add_text_field(writer, NUMBER_FIELD, spec.page,
                       line_rect(spec.number_rect, spec.number_baseline, spec.font_size),
                       font_size=spec.font_size, tooltip="Số, ký hiệu văn bản",
                       align=spec.number_align)
    if spec.date_rect:
        add_text_field(writer, DATE_FIELD, spec.page,
                       line_rect(spec.date_rect, spec.date_baseline, spec.font_size,
                                 spec.italic_date),
                       font_size=spec.font_size, tooltip="Địa danh, ngày tháng năm ban hành",
                       italic=spec.italic_date, align=spec.date_align)


def _iter_fields(fields):
    for ref in fields:
        obj = ref.get_object()
        yield ref, obj
        if "/Kids" in obj:
            yield from _iter_fields(obj["/Kids"])


def list_text_fields(pdf: bytes) -> dict[str, str | None]:
    """Names and current values of the text fields (to see what is reserved)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    r = PdfFileReader(io.BytesIO(pdf), strict=False)
    try:
        fields = r.root["/AcroForm"]["/Fields"]
    except KeyError:
        return {}
    out = {}
    for _, obj in _iter_fields(fields):
        if obj.get("/FT") == "/Tx":
            v = obj.get("/V")
            out[str(obj.get("/T"))] = str(v) if v is not None else None
    return out


def _appearance(writer: BasePdfFileWriter, text: str, w: float, h: float, size: float,
                italic: bool = False, quadding: int = 1) -> generic.IndirectObject:
    """One line of text: the font's line box centred in the field (so a field one line
    tall puts the text on its baseline), aligned by ``quadding`` with 1 pt of padding."""
    engine = vn_font_engine(writer, size, italic=italic)
    shaped = engine.shape(text)
    ascent, descent = font_box(italic=italic)
    y = (h - (ascent + descent) * size) / 2 + descent * size  # the baseline, kept if shrunk
    width = shaped.x_advance * size
    if width > w - 2:  # shrink to fit rather than clip
        size = size * (w - 2) / width
        width = w - 2
    x = {0: 1.0, 2: w - 1 - width}.get(quadding, (w - width) / 2)
    ops = b"/Tx BMC q BT /FV %g Tf 0 g 1 0 0 1 %g %g Tm %s ET Q EMC" % (
        size, x, y, shaped.graphics_ops)
    stream = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject(map(generic.FloatObject, (0, 0, w, h))),
        pdf_name("/Resources"): generic.DictionaryObject({
            pdf_name("/Font"): generic.DictionaryObject({pdf_name("/FV"): engine.as_resource()})
        }),
    }, stream_data=ops)
    return writer.add_object(stream)


def fill_fields(pdf: bytes, values: dict[str, str], *, font_size: float | None = None,
                output: io.BufferedIOBase | None = None) -> bytes | None:
    """Fill reserved text fields in an incremental update (signatures stay valid).

    ``values`` maps field names (:data:`NUMBER_FIELD`, :data:`DATE_FIELD`, or
    any text field) to text; Vietnamese is rendered with an embedded font.
    """

    writer = open_pdf_for_update(pdf)
    try:
        fields = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        raise SigningError("the document has no form fields to fill") from None
    todo = dict(values)
    for ref, obj in _iter_fields(fields):
        name = str(obj.get("/T"))
        if name not in todo or obj.get("/FT") != "/Tx":
            continue
        text = todo.pop(name)
        x1, y1, x2, y2 = (float(v) for v in obj["/Rect"])
        parts = str(obj.get("/DA", "/Helv 13 Tf")).split()
        size = font_size
        if size is None:
            size = float(parts[parts.index("Tf") - 1]) if "Tf" in parts else 13.0
            size = size or 13.0
        italic = ITALIC in parts
        quadding = int(obj.get("/Q", 1))
        obj[pdf_name("/V")] = pdf_string(text)
        obj[pdf_name("/AP")] = generic.DictionaryObject({
            pdf_name("/N"): _appearance(writer, text, abs(x2 - x1), abs(y2 - y1), size,
                                        italic=italic, quadding=quadding)})
        writer.mark_update(ref)
    if todo:
        raise SigningError(f"no such text field: {', '.join(sorted(todo))}")
    out = output if output is not None else io.BytesIO()
    writer.write(out)
    return out.getvalue() if output is None else None
