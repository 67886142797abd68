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


def _written(value, empty: str, large, ordinary, scale: int = 1) -> str:
    """The one path every number takes: `empty` for None, the text of a special value,
    `large(value)` once value * scale reaches LARGE, else `ordinary(value)`."""
    if value is None:
        return empty
    special = _special(value)
    if special is not None:
        return special
    return large(value) if abs(value) * scale >= LARGE else ordinary(value)


def percent(share: float | None, locale: str) -> str:
    return _written(share, "", lambda v: format_scientific(Decimal(v) * 100, format="0.##E0", locale=locale) + " %",
                    lambda v: format_percent(v + 0.0, format="#,##0.0 %", locale=locale), scale=100)


def decimal(value: float | None, locale: str) -> str:
    return _written(value, "–", lambda v: format_scientific(v, format="0.##E0", locale=locale),
                    lambda v: format_decimal(v + 0, format="#,##0.##", locale=locale))   # + 0: -0.0 reads 0


def number(value: float | None) -> str:
    """A whole number without decimals, others as they are (for limits and totals)."""
    return _written(value, "", lambda v: format_scientific(v, format="0.#####E0", locale="en"),
                    lambda v: str(int(v)) if float(v).is_integer() else f"{v:g}")


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank lines between paragraphs as HTML paragraphs."""
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    return Markup("".join(f"<p>{escape(block)}</p>" for block in blocks))
