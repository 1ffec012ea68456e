"""The wire between an installation and a hub, shared by the client and the hub: the national
axis's own, as its SDK (``SDKVXP`` 2.0.1, ``com.vpcp.services``) speaks it. See
``docs/exchange-axis.md`` for what was read in the SDK and how it was checked.

Every operation is a ``POST`` to ``<endpoint>/<operation>``. Its parameters travel as headers
``XroadVnpt-<name>`` (``systemid`` and ``timestamp`` on every call); the whole set is signed:
``XroadVnpt-sign-header`` is the JSON object of those headers, ``XroadVnpt-hash-header`` the
hex HMAC-SHA256 of that JSON under the system's secret, ``XroadVnpt-sign-header-key`` their
names (without the prefix) separated by ``;``; ``Content-Type`` is signed too. The secret
itself never travels. ``sendEdoc``'s body is the edXML message (``application/octet-stream``,
then a CRLF), its SHA-256 in the signed ``hash-file``.
Answers are JSON: ``status`` ``"OK"`` or ``"FAIL"``, ``ErrorCode`` (``"0"`` when it went well)
and ``ErrorDesc``, the rest per operation (``data``, ``DocId``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote, unquote

PREFIX = "XroadVnpt-"
SIGNED_NAMES_HEADER = "XroadVnpt-sign-header-key"
SIGNED_HEADER = "XroadVnpt-sign-header"
SIGNATURE_HEADER = "XroadVnpt-hash-header"
VERSION_HEADER = "XroadVnpt-version"
#: What the SDK sends in ``XroadVnpt-version``; sent the same by our client.
SDK_VERSION = "3.0.201608"
USER_AGENT = "eoffice (SDKVXP wire)"
#: The part holding a sent message, for a client that sends a real multipart form (the SDK
#: does not: see ``hub_views._sent_bytes``).
FILE_PART = "file_doc"

#: Parameter names (the part after ``XroadVnpt-``), compared case-insensitively: the SDK
#: passes on whatever its caller wrote (its own example writes both ``docId`` and ``docid``).
SYSTEM_ID = "systemid"
TIMESTAMP = "timestamp"
FROM = "from"
TO = "to"  # a JSON string or array of organ ids; else the package's own recipients count
SERVICE_TYPE = "servicetype"
MESSAGE_TYPE = "messagetype"  # "edoc" (a package) or "status"
FILE_HASH = "hash-file"
DOC_ID = "docid"
STATUS = "status"
#: Ours, beyond the SDK's (a real axis ignores a header it does not know, and they are signed
#: like the rest): the sender's idempotency key, and why a message is refused
#: (percent-encoded: a header carries no Vietnamese as such).
KEY = "key"
DESCRIPTION = "description"

GET_AGENCIES = "getAgenciesList"
SEND = "sendEdoc"
LIST_RECEIVED = "getReceivedEdocList"
GET = "getEdoc"
UPDATE_STATUS = "updateStatus"
LIST_SENT = "getSentEdocList"

#: Message types as the axis names them, and back.
WIRE_KINDS = {"package": "edoc", "status": "status"}
KINDS_FROM_WIRE = {wire: kind for kind, wire in WIRE_KINDS.items()}
SERVICE_TYPE_EDOC = "eDoc"

#: updateStatus values: the recipient took the message, or refused it (with a description).
DONE = "done"
FAIL = "fail"
#: A delivery not yet acknowledged.
PENDING = "pending"

#: An organ id as edXML writes it (000.00.00.H41): at most 13 characters.
ORGAN_ID_MAX = 13
KEY_MAX = 200


class BadSignature(ValueError):
    """The signed header set is missing or malformed."""


def timestamp(now: datetime) -> str:
    """``now`` as the SDK writes it (Java ``ddMMyyyy'T'HHmmss+SSSS``: milliseconds, 4 digits)."""
    return f"{now:%d%m%Y}T{now:%H%M%S}+{now.microsecond // 1000:04d}"


def signature(secret: str, signed_json: str) -> str:
    return hmac.new(secret.encode(), signed_json.encode(), hashlib.sha256).hexdigest()


def signed_headers(secret: str, params: Mapping[str, str],
                   content_type: str = "application/json") -> dict[str, str]:
    """The headers of one call as the SDK writes them: each parameter as ``XroadVnpt-<name>``,
    the Content-Type both plain and signed, and the signature of them all."""
    signed = {**params, "Content-Type": content_type}
    named = {PREFIX + name: value for name, value in signed.items()}
    # ASCII escapes keep the JSON a valid header value whatever the parameters hold.
    signed_json = json.dumps(named, separators=(",", ":"), ensure_ascii=True)
    return {**named, "Content-Type": content_type, SIGNED_NAMES_HEADER: ";".join(signed),
            SIGNED_HEADER: signed_json, SIGNATURE_HEADER: signature(secret, signed_json),
            VERSION_HEADER: SDK_VERSION, "User-Agent": USER_AGENT}


def signed_params(signed_json: str | None) -> dict[str, str]:
    """The parameters inside ``XroadVnpt-sign-header``, by lower-case name (before the
    signature is checked: the caller must check it before trusting any of them)."""
    if not signed_json:
        raise BadSignature("no signed headers")
    try:
        named = json.loads(signed_json)
    except ValueError:
        raise BadSignature("the signed headers are not JSON") from None
    if not isinstance(named, dict):
        raise BadSignature("the signed headers are not a JSON object")
    params: dict[str, str] = {}
    for name, value in named.items():
        if not (isinstance(name, str) and name.lower().startswith(PREFIX.lower())
                and isinstance(value, str)):
            raise BadSignature(f"unexpected signed header {name!r}")
        params[name[len(PREFIX):].lower()] = value
    return params


def file_hash(data: bytes) -> str:
    """``hash-file`` as the SDK computes it: SHA-256, each byte in hex *without* its leading
    zero (``Integer.toHexString``), so 0x0a is ``a``; compared as such, never decoded."""
    return "".join(f"{byte:x}" for byte in hashlib.sha256(data).digest())


def recipients(value: str | None) -> list[str]:
    """Organ ids of a ``to`` parameter: the SDK forwards the caller's JSON value as it is (a
    string, maybe comma-separated, or an array of strings)."""
    if not value:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    items = parsed if isinstance(parsed, list) else [parsed]
    organs: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("to: organ ids must be strings")
        organs.extend(part.strip() for part in item.split(",") if part.strip())
    return organs


def encode_text(text: str) -> str:
    return quote(text, safe="")


def decode_text(value: str) -> str:
    return unquote(value)
