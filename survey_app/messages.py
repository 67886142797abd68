"""User-facing messages of the domain code: an English msgid and its %-parameters, translated
where they are shown (pure: no Flask).

Domain code (question types, workshops) cannot call Flask-Babel, so it returns a ``Message``
and the web layer translates it: explicitly with ``message.render(gettext)``, or implicitly
when the message is shown as text (``str(message)``, e.g. a form error in a template), through
the translation functions the web layer installed once (``install``, see web/i18n.py), as
Flask-Babel's lazy_gettext would. Without them a message reads in English.

``_l("Please enter at least %(min)s.", min=5)`` builds a message; the name makes pybabel
extract the msgid (babel.cfg, `make translations`). Dates among the parameters are written
in the reader's language by the installed ``format_date``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def _same(text: str) -> str:
    return text


# The translation functions the web layer installed: (gettext, format_date).
_installed: list[Callable] = [_same, dt.date.isoformat]


def install(gettext: Callable[[str], str], format_date: Callable[[dt.date], str]) -> None:
    """Translate messages shown as text with these (the web layer's Flask-Babel functions)."""
    _installed[:] = [gettext, format_date]


@dataclass(frozen=True)
class Message:
    """A user-facing message: English msgid plus %-parameters, translated where it is shown."""
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _same,
               format_date: Callable[[dt.date], str] | None = None) -> str:
        text = translate(self.msgid)
        if not self.params:
            return text
        write_date = format_date or _installed[1]
        return text % {key: write_date(value) if isinstance(value, dt.date) else value
                       for key, value in self.params.items()}

    def __str__(self) -> str:
        return self.render(*_installed)

    def __mod__(self, params: Mapping[str, Any]) -> Message:
        """More parameters, as `text % params` adds them (WTForms does so with its messages)."""
        return Message(self.msgid, {**self.params, **params})


def _l(msgid: str, **params: Any) -> Message:
    """A message to translate where it is shown (the name marks the msgid for extraction)."""
    return Message(msgid, params)
