"""How JSON columns are written and read: orjson, for the live meeting state's sake.

A live meeting keeps its whole versioned state (roster, attendance, queues, polls) in one JSON
column that every command reads and writes back; with 500 participants that is ≈90 KB, and
the standard library spends ≈2 ms per command encoding and decoding it, against ≈0.2 ms for
orjson. Keys that are not strings are written as strings, as ``json.dumps`` does.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode("utf-8")


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
