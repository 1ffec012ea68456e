"""The wire between an installation and a hub, shared by the client and the hub.

The operations and their names follow the national axis's SDK (``SDKVXP``: ``getAgenciesList``,
``sendEdoc``, ``getReceivedEdocList``, ``getEdoc``, ``updateStatus``, ``getSentEdocList``),
each a ``POST`` to ``<endpoint>/<operation>``, and so do the answers: a JSON object with
``status`` ``"OK"`` or ``"FAIL"``, ``ErrorCode`` and ``ErrorDesc``. The axis signs its headers
with an HMAC of the secret; a hub here keeps only a hash of each secret (a stolen database must
not let anyone send in a system's name), so the secret itself travels in a header, over HTTPS.
"""

from __future__ import annotations

SYSTEM_HEADER = "X-Axis-System-Id"
SECRET_HEADER = "X-Axis-Secret"
#: sendEdoc's metadata (the body is the edXML message itself, application/octet-stream).
FROM_HEADER = "X-Axis-From"
TO_HEADER = "X-Axis-To"  # organ ids separated by commas
KIND_HEADER = "X-Axis-Message-Type"  # "edoc" (a package) or "status"
KEY_HEADER = "X-Axis-Key"  # the sender's idempotency key
#: getEdoc answers with the message's bytes and says what they are in these headers.
DOC_ID_HEADER = "X-Axis-Doc-Id"

GET_AGENCIES = "getAgenciesList"
SEND = "sendEdoc"
LIST_RECEIVED = "getReceivedEdocList"
GET = "getEdoc"
UPDATE_STATUS = "updateStatus"
LIST_SENT = "getSentEdocList"

#: Message types as the axis names them, and back.
WIRE_KINDS = {"package": "edoc", "status": "status"}
KINDS_FROM_WIRE = {wire: kind for kind, wire in WIRE_KINDS.items()}

#: updateStatus values: the recipient took the message, or refused it (with a description).
DONE = "done"
FAIL = "fail"
#: A delivery not yet acknowledged.
PENDING = "pending"

#: An organ id as edXML writes it (000.00.00.H41): at most 13 characters.
ORGAN_ID_MAX = 13
KEY_MAX = 200
