"""User-facing messages of the workshop domain (pure: no Flask).

A message is an English msgid (marked with ``_`` so that pybabel extracts it) and its
%-parameters; the web layer translates it where it is shown, a template file's problem list
shows it in English.
"""
from __future__ import annotations

from survey_app.messages import Message   # the one message shape of the domain code


def _(msgid: str) -> str:
    """Marks a message for extraction (pybabel); the web layer translates it when shown."""
    return msgid


class WorkshopError(Exception):
    """A facilitator's action cannot be done; ``message`` says why."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid % params if params else msgid)
        self.message = Message(msgid, params)


Errors = dict[str, list[Message]]   # form field name ("" = the poll as a whole) -> messages


def add_error(errors: Errors, key: str, msgid: str, **params) -> None:
    errors.setdefault(key, []).append(Message(msgid, params))
