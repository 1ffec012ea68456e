"""Accent-insensitive folding of Vietnamese text for search.

Users type queries with or without diacritics ("quyet dinh", "Quyết định", "QUYET DINH") and
expect the same hits. The search index therefore stores text through the *same* function the
query goes through: ``fold_vi``. Keeping one function for both sides is the whole point — if
indexing and querying folded differently, some words would never match.

Folding: Unicode NFD decomposition, drop every combining mark (tones and vowel hats/horns),
map đ/Đ (a separate letter, not a combining mark, so NFD leaves it alone) to d, lowercase.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold_vi", "strip_marks"]

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def strip_marks(text: str) -> str:
    """``text`` without Vietnamese diacritics, case kept ("Đồng Nai" → "Dong Nai"): for ASCII
    fallbacks (download names, fonts without the letters) and as the first half of
    :func:`fold_vi`."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold_vi(text: str) -> str:
    """Return ``text`` lowercased without Vietnamese diacritics ("Đồng Nai" → "dong nai")."""
    # casefold after stripping so e.g. "ẞ"/"ß" also compare sensibly.
    return strip_marks(text).casefold()
