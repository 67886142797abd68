"""Numbers as people read them in a given language (pure; shared by pages and reports).

Each function takes whatever it is given without failing: None, NaN and infinities, numbers
too large for Babel's decimal arithmetic (from 10^15 on they are written as 1,5E26), and
values that are no number at all (a text stored where a number belongs), which are shown as
they are.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from numbers import Real

from babel.numbers import format_decimal, format_percent, format_scientific, get_decimal_symbol, get_group_symbol
from markupsafe import Markup, escape

LARGE = 10**15   # from here on numbers are written in scientific notation


def _special(value) -> str | None:
    """The text for a value that is no ordinary finite number, else None."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "–" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    return None


# -- percentages: one rounding rule for every table and chart ---------------------------------
# A share is shown in percent with one decimal, rounded half up (6.25 % -> 6.3 %, 12.45 % ->
# 12.5 %), as readers round by hand. Shares shown together that make up a whole (the options
# of a single choice, the points of one scale item, the items of an allocation) add up to
# exactly 100.0 %: when rounding each alone would not, the largest remainder method decides
# (each share is cut to one decimal, and the missing tenths go to the largest remainders;
# among equal remainders the earlier share). Where half-up rounding already adds up to
# 100.0 %, both give the same numbers. docs/findings.md says this to readers.

PERCENT_PLACES = 1
_TENTH = Decimal(1).scaleb(-PERCENT_PLACES)


def _in_percent(share) -> Decimal:
    """A share (0..1) in percent, exactly as written (0.0625 -> 6.25, not 6.2499...)."""
    return Decimal(repr(float(share))) * 100


def rounded_percent(share: float) -> Decimal:
    """A finite share (0..1) in percent, rounded half up to one decimal."""
    return _in_percent(share).quantize(_TENTH, rounding=ROUND_HALF_UP) + 0   # + 0: -0.0 reads 0


def rounded_percents(shares: Sequence[float | None]) -> list[Decimal | None]:
    """Shares that make up a whole, in percent with one decimal, adding up to exactly 100
    (largest remainder); None stays None. Shares that do not add up to 1 (several answers
    possible, a share left out) are rounded each alone."""
    known = [i for i, s in enumerate(shares) if s is not None and _special(s) is None]
    exact = {i: _in_percent(shares[i]) for i in known}
    result: list[Decimal | None] = [None if _special(s) is not None or s is None else rounded_percent(s)
                                    for s in shares]
    if not known or abs(sum(exact.values()) - 100) > Decimal("0.000001") or any(v < 0 for v in exact.values()):
        return result
    floors = {i: exact[i].quantize(_TENTH, rounding=ROUND_FLOOR) for i in known}
    missing = int((100 - sum(floors.values())) / _TENTH)
    by_remainder = sorted(known, key=lambda i: (-(exact[i] - floors[i]), i))
    for rank, i in enumerate(by_remainder):
        result[i] = floors[i] + (_TENTH if rank < missing else 0)
    return result


def _percent_text(value: Decimal, locale: str) -> str:
    """A value in percent with the language's decimal sign and a space before "%" (DIN 5008):
    12,5 % in German, 12.5 % in English; already rounded, so Babel rounds nothing."""
    return format_percent(value / 100, format="#,##0.0 %", locale=_locale(locale))


def _locale(locale: str) -> str:
    """Babel's name of a questionnaire language: de-x-easy -> de, pt-BR -> pt_BR."""
    return locale.replace("-", "_").split("_x_")[0]


def separators(locale: str) -> str:
    """Decimal and thousands separator of a language, as plotly's `separators` wants them."""
    return get_decimal_symbol(_locale(locale)) + get_group_symbol(_locale(locale))


def percent(share: float | None, locale: str) -> str:
    """One share (0..1) in percent, rounded half up to one decimal: "12,5 %" in German."""
    if share is None:
        return ""
    special = _special(share)
    if special is not None:
        return special
    if abs(share) * 100 >= LARGE:
        return format_scientific(Decimal(share) * 100, format="0.##E0", locale=locale) + " %"
    return _percent_text(rounded_percent(share), locale)


def percents(shares: Sequence[float | None], locale: str, whole: bool = True) -> list[str]:
    """Shares shown together, each as `percent` writes it; with `whole` (they make up one
    whole: options of a single choice, points of a scale item) adding up to exactly 100 %."""
    if not whole or any(s is not None and _special(s) is None and abs(s) * 100 >= LARGE for s in shares):
        return [percent(s, locale) for s in shares]
    rounded = rounded_percents(shares)
    return [percent(s, locale) if value is None else _percent_text(value, locale)
            for s, value in zip(shares, rounded)]


def _written(value, empty: str, large, ordinary, scale: int = 1) -> str:
    """The one path every number takes: `empty` for None, the text of a special value,
    `large(value)` once value * scale reaches LARGE, else `ordinary(value)`."""
    if value is None:
        return empty
    special = _special(value)
    if special is not None:
        return special
    return large(value) if abs(value) * scale >= LARGE else ordinary(value)


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
