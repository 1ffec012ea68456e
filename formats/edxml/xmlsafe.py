"""Opening an edXML file from another system safely, and finding elements in it the way real
senders write them.

Hostile by definition: any DTD (the root of XXE and "billion laughs") is refused before and
after lxml sees the bytes, the network is never touched, entities never expanded, and size is
bounded. Tolerant of what real senders do: a byte-order mark or blank lines before the XML
declaration, any prefix for the QCVN 102 namespace, pretty-printing, comments. Refused with a
message saying so: anything else before ``<?xml`` (the published ``edoc_new`` sample carries
four stray bytes there, which no XML parser — the official library's included — accepts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from formats.edxml.model import MAX_PACKAGE_BYTES, NS, EdxmlError

_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
DTD_REFUSED = "Gói edXML chứa khai báo DTD/ENTITY — bị từ chối vì lý do an toàn."


def _check_prolog(data: bytes) -> bytes:
    """The bytes lxml may parse: a UTF-8 BOM and leading blank space dropped; anything else
    in front of the XML declaration refused with a message naming it."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while start < len(data) and data[start] in b" \t\r\n":
        start += 1
    head = data[start:] if start else data  # one copy at most: packages are large
    if head.startswith(b"<") and b"\x00" not in head[:4]:
        return head
    if any(data.startswith(bom) for bom in _BOMS[1:]) or b"\x00" in head[:4]:
        raise EdxmlError("Gói edXML không mã hóa UTF-8 (UTF-16) — chỉ nhận UTF-8.")
    declaration = head.find(b"<?xml")
    if 0 < declaration <= 1024:
        stray = head[:declaration]
        shown = stray[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise EdxmlError(
            f"Tệp edXML có {len(stray)} byte lạ trước khai báo XML (<?xml …?>): "
            f"“{shown}”. Tệp bị hỏng hoặc bị ghép thêm dữ liệu; đề nghị bên gửi gửi lại.")
    raise EdxmlError("Gói edXML không phải XML mã hóa UTF-8.")


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=True,  # large base64 attachments; safe because DTDs are refused outright
        remove_comments=True, remove_pis=True, recover=recover,
    )


def _undeclared_prefixes_only(body: bytes, error: etree.XMLSyntaxError) -> etree._Element:
    """Some senders write QCVN 102's ``xlink:href`` without declaring ``xlink`` (the official
    library's parser does not mind). Such a document is read when that is its only fault;
    any other error refuses it as before."""
    parser = _parser(recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        root = None
    faults = list(parser.error_log)
    if root is None or not faults or any(f.domain_name != "NAMESPACE" for f in faults):
        raise EdxmlError(f"Gói edXML không đúng cú pháp XML: {error.msg}") from None
    return root


def parse_xml(data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES) -> etree._Element:
    """The document's root element; :class:`EdxmlError` for anything malformed or hostile."""
    if not isinstance(data, bytes | bytearray) or not data or data.isspace():
        raise EdxmlError("Gói edXML rỗng.")
    if len(data) > max_bytes:
        raise EdxmlError("Gói edXML vượt quá dung lượng cho phép.")
    body = _check_prolog(bytes(data))
    declared = _ENCODING.match(body)
    if declared and declared.group(1).decode().lower() not in ("utf-8", "utf8"):
        # QCVN 102 is UTF-8; another encoding would also hide a DTD from the check below.
        raise EdxmlError(f"Gói edXML khai báo mã ký tự {declared.group(1).decode()!r}; chỉ "
                         "nhận UTF-8.")
    if _FORBIDDEN.search(body):
        raise EdxmlError(DTD_REFUSED)
    try:
        root = etree.fromstring(body, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        root = _undeclared_prefixes_only(body, exc)
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EdxmlError(DTD_REFUSED)
    return root


def envelope_of(root: etree._Element) -> etree._Element:
    """The ``edXMLEnvelope``: a child of the ``edXML`` root (QCVN 102, the official library),
    or the root itself (older senders, including earlier versions of this application)."""
    if root.tag == f"{{{NS}}}edXMLEnvelope":
        return root
    if localname(root) == "edXML":
        for child in root:
            if child.tag == f"{{{NS}}}edXMLEnvelope":
                return child
    raise EdxmlError("Tệp không phải gói edXML theo QCVN 102:2016 (thiếu phần tử edXMLEnvelope "
                     "trong không gian tên http://www.mic.gov.vn/TBT/QCVN_102_2016).")


def localname(element: etree._Element) -> str:
    """An element's name without its namespace (senders differ in prefixes, not in names)."""
    tag = element.tag
    # "p:Name" survives only where the sender never declared ``p`` (see above).
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def children(parent: etree._Element, name: str) -> Iterator[etree._Element]:
    """Child elements called ``name``, whatever namespace the sender put them in."""
    return (child for child in parent if localname(child) == name)


def child(parent: etree._Element, path: str, *, required: bool = True) -> etree._Element | None:
    """The first element along ``a/b/c`` under ``parent``; a clear error when required."""
    node: etree._Element | None = parent
    for name in path.split("/"):
        node = next(children(node, name), None) if node is not None else None
    if node is None and required:
        raise EdxmlError(f"Gói edXML thiếu phần tử bắt buộc {path}.")
    return node


def text(parent: etree._Element, path: str, *, required: bool = True) -> str:
    """The stripped text of ``path`` ("" when absent and not required)."""
    node = child(parent, path, required=required)
    return (node.text or "").strip() if node is not None else ""
