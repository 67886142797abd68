"""Numbers as people read them in a given language (pure; shared by pages and reports)."""
from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from markupsafe import Markup, escape


def percent(share: float | None, locale: str) -> str:
    return "" if share is None else format_percent(share, format="#,##0.0 %", locale=locale)


def decimal(value: float | None, locale: str) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.##", locale=locale)


def number(value: float | None) -> str:
    """A whole number without decimals, others as they are (for limits and totals)."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank lines between paragraphs as HTML paragraphs."""
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    return Markup("".join(f"<p>{escape(block)}</p>" for block in blocks))
