"""Numbers as people read them in a given language (pure; shared by pages and reports).

Each function takes whatever it is given without failing: None, NaN and infinities, numbers
too large for Babel's decimal arithmetic (from 10^15 on they are written as 1,5E26), and
values that are no number at all (a text stored where a number belongs), which are shown as
they are.
"""
from __future__ import annotations

import math
from decimal import Decimal
from numbers import Real

from babel.numbers import format_decimal, format_percent, format_scientific
from markupsafe import Markup, escape

LARGE = 10**15   # from here on numbers are written in scientific notation


def _special(value) -> str | None:
    """The text for a value that is no ordinary finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "–" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    return None


def percent(share: float | None, locale: str) -> str:
    if share is None:
        return ""
    special = _special(share)
    if special is not None:
        return special
    if abs(share) * 100 >= LARGE:
        return format_scientific(Decimal(share) * 100, format="0.##E0", locale=locale) + " %"
    return format_percent(share + 0.0, format="#,##0.0 %", locale=locale)


def decimal(value: float | None, locale: str) -> str:
    if value is None:
        return "–"
    special = _special(value)
    if special is not None:
        return special
    if abs(value) >= LARGE:
        return format_scientific(value, format="0.##E0", locale=locale)
    return format_decimal(value + 0, format="#,##0.##", locale=locale)   # + 0: -0.0 reads 0


def number(value: float | None) -> str:
    """A whole number without decimals, others as they are (for limits and totals)."""
    if value is None:
        return ""
    special = _special(value)
    if special is not None:
        return special
    if abs(value) >= LARGE:
        return format_scientific(value, format="0.#####E0", locale="en")
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank lines between paragraphs as HTML paragraphs."""
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    return Markup("".join(f"<p>{escape(block)}</p>" for block in blocks))
