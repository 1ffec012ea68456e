"""Figures written as Vietnamese readers write numbers: 1.234 and 247,5 (a point between
thousands, a comma before decimals), never 1,234.0."""

from __future__ import annotations


def vn_number(value: float | int | None, decimals: int = 2) -> str:
    """``1234`` → ``1.234``; ``247.0`` → ``247``; ``261.45`` → ``261,45``; None → ``—``."""
    if value is None:
        return "—"
    rounded = round(float(value), decimals)
    whole, _, fraction = f"{abs(rounded):,.{decimals}f}".partition(".")
    fraction = fraction.rstrip("0")
    text = whole.replace(",", ".") + (f",{fraction}" if fraction else "")
    return f"-{text}" if rounded < 0 else text
