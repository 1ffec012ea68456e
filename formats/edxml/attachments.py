"""The files of a package as real senders encode them.

The official library zips every file whose extension is not pdf, doc, docx, xls(x) or zip
before base64 (``ContentType`` then says ``application/zip`` while ``AttachmentName`` keeps
the original name), writes non-standard types such as ``application/docx``, and its users put
different content types in the manifest and on the attachment. Reading keeps the name the
sender gave, unzips a one-file zip that stands for a non-zip file, and reports a content type
the rest of the application understands. Decompression is bounded (zip bombs).
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import zipfile
from dataclasses import dataclass

from lxml import etree

from formats.edxml.model import MAX_PACKAGE_BYTES, NS, Attachment, EdxmlError
from formats.edxml.xmlsafe import child, children, text

ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed",
                       "application/x-zip", "multipart/x-zip"})
OCTET = "application/octet-stream"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the official library writes → the registered type.
_ALIASES = {
    "application/doc": "application/msword",
    "application/docx": _DOCX,
    "application/xsl": "application/vnd.ms-excel",
    "application/xls": "application/vnd.ms-excel",
    "application/xslx": _XLSX,
    "application/xlsx": _XLSX,
    "application/x-pdf": "application/pdf",
}
_BY_EXTENSION = {"pdf": "application/pdf", "doc": "application/msword", "docx": _DOCX,
                 "xls": "application/vnd.ms-excel", "xlsx": _XLSX, "zip": "application/zip",
                 "xml": "application/xml", "edxml": "application/xml"}


@dataclass(frozen=True)
class _Declared:
    """What the manifest's Reference says about one file."""

    name: str
    content_type: str
    description: str


def _cid(raw: str) -> str:
    value = raw.strip().strip("<>")
    return value[4:].strip("<>") if value.lower().startswith("cid:") else value


def _content_id(node: etree._Element) -> str:
    value = text(node, "ContentId", required=False)
    if not value:  # attribute forms of older writers (this application's included)
        value = node.get(f"{{{NS}}}ContentId") or node.get(f"{{{NS}}}href") or ""
    return _cid(value)


def _normal_type(value: str) -> str:
    lowered = value.strip().lower().split(";", 1)[0].strip()
    return _ALIASES.get(lowered, lowered)


def _by_name(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _BY_EXTENSION.get(extension) or mimetypes.guess_type(name)[0] or ""


def _too_big(name: str) -> EdxmlError:
    return EdxmlError(f"Tệp đính kèm {name!r} sau khi giải nén làm gói vượt quá dung lượng "
                      "cho phép.")


def _unzipped(data: bytes, name: str, budget: int) -> tuple[bytes, str] | None:
    """The one file a sender zipped for transport, with its name in the zip, or None when
    ``data`` is a real multi-file zip (or an office file, which is a zip too) to keep as is.
    At most ``budget`` bytes are inflated (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        wanted = [i for i in entries if i.filename.rsplit("/", 1)[-1] == name]
        entry = entries[0] if len(entries) == 1 else (wanted[0] if len(wanted) == 1 else None)
        if entry is None:
            return None
        if entry.file_size > budget:
            raise _too_big(name)
        try:
            with archive.open(entry) as stream:
                inner = stream.read(budget + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
            raise EdxmlError(f"Tệp đính kèm {name!r} nén ZIP bị hỏng hoặc có mật khẩu.") from None
        if len(inner) > budget:  # the header lied about the size
            raise _too_big(name)
        return inner, entry.filename.rsplit("/", 1)[-1]


def _decode(node: etree._Element, name: str) -> bytes:
    payload = child(node, "ContentTransferEncoded", required=False)
    raw = (payload.text if payload is not None else node.text) or ""
    try:
        return base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise EdxmlError(f"Tệp đính kèm {name!r} không đúng mã base64.") from None


def _attachment(node: etree._Element, declared: _Declared | None, index: int,
                budget: int) -> Attachment:
    name = (text(node, "AttachmentName", required=False)
            or node.get(f"{{{NS}}}Name", "") or (declared.name if declared else "")
            or f"tep-dinh-kem-{index}")
    description = (text(node, "Description", required=False)
                   or (declared.description if declared else ""))
    types = [_normal_type(t) for t in (
        text(node, "ContentType", required=False) or node.get(f"{{{NS}}}ContentType", ""),
        declared.content_type if declared else "") if t.strip()]
    data = _decode(node, name)
    zipped = any(t in ZIP_TYPES for t in types) and _by_name(name) != "application/zip"
    inner = _unzipped(data, name, budget) if zipped and data.startswith(b"PK\x03\x04") \
        else None
    if inner is not None:
        data = inner[0]
        content_type = _by_name(name) or _by_name(inner[1])
    else:  # a zip label on a file that is not zipped says nothing about the file
        content_type = (next((t for t in types if t not in ZIP_TYPES), "")
                        or _by_name(name) or (types[0] if types else ""))
    if data.startswith(b"%PDF-"):  # whatever the labels said, a PDF is a PDF
        content_type = "application/pdf"
    return Attachment(name=name, content_type=content_type or _by_name(name) or OCTET,
                      data=data, description=description)


def read_attachments(root: etree._Element, envelope: etree._Element) -> tuple[Attachment, ...]:
    """Every file of the package, in the order the sender encoded them. A manifest entry with
    no encoded file is an error; an encoded file the manifest forgot is kept (the official
    library keeps it too)."""
    declared: dict[str, _Declared] = {}
    manifest = child(envelope, "edXMLBody/edXMLManifest", required=False)
    for ref in children(manifest, "Reference") if manifest is not None else ():
        declared[_content_id(ref)] = _Declared(
            text(ref, "AttachmentName", required=False),
            text(ref, "ContentType", required=False), text(ref, "Description", required=False))
    holders = [n for parent in (root, envelope) if parent is not None
               for n in children(parent, "AttachmentEncoded")]
    nodes = [n for holder in dict.fromkeys(holders) for n in children(holder, "Attachment")]
    out: list[Attachment] = []
    budget = MAX_PACKAGE_BYTES  # for all files together, once decoded and unzipped
    for index, node in enumerate(nodes, start=1):
        out.append(_attachment(node, declared.pop(_content_id(node), None), index, budget))
        budget -= len(out[-1].data)
        if budget < 0:
            raise _too_big(out[-1].name)
    if declared:
        missing = ", ".join(repr(d.name or cid) for cid, d in declared.items())
        raise EdxmlError(f"Gói edXML thiếu nội dung tệp đính kèm {missing} "
                         "(có trong edXMLManifest nhưng không có trong AttachmentEncoded).")
    return tuple(out)
