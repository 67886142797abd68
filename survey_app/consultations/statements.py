"""One organisation's statement on a draft (pure).

Everybody invited for an organisation works on the same statement: they save it as often as
they like (through their personal link they come back to it), and one of them submits it, once
for the organisation. From then on it never changes; the others see that it was submitted, by
whom and when. The storage applies each change below to the stored statement in one step
(storage.interface.Consultations.change_statement), so a second submission, also from another
process at the same moment, is refused with AlreadySubmitted and changes nothing.

  {"organisation": id, "status": "open" | "submitted",
   "sections": {section id: {"position", "comment", "proposal", "version"}},
   "general": text, "saved_by", "saved_on", "submitted_by", "submitted_on", "language"}

Only days are kept, never times. `version` is the draft version a section's entry was made on.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping

from survey_app.consultations.model import POSITIONS

OPEN, SUBMITTED = "open", "submitted"
MAX_COMMENT = 5000
MAX_GENERAL = 20000


class AlreadySubmitted(Exception):
    """The organisation's statement was submitted before; nothing was changed."""

    def __init__(self, statement: Mapping):
        super().__init__("already submitted")
        self.statement = statement


def new_statement(organisation_id: str) -> dict:
    return {"organisation": organisation_id, "status": OPEN, "sections": {}, "general": ""}


def is_submitted(statement: Mapping | None) -> bool:
    return bool(statement) and statement.get("status") == SUBMITTED


def entry_problems(position: str, comment: str, proposal: str) -> dict[str, str]:
    """{field: problem} for one section's answer ("position", "comment", "proposal")."""
    problems = {}
    if position and position not in POSITIONS:
        problems["position"] = "unknown"
    for name, text in (("comment", comment), ("proposal", proposal)):
        if len(text) > MAX_COMMENT:
            problems[name] = "too_long"
    return problems


def mark(entry: Mapping | str | None) -> str:
    """A short fingerprint of a section's answer (or of the general statement) as a page showed
    it: a save leaves alone what the person did not change, so that two colleagues editing
    different sections at the same time both keep their work."""
    if isinstance(entry, str):
        values = [entry]
    else:
        values = [(entry or {}).get(key) or "" for key in ("position", "comment", "proposal")]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def has_content(entry: Mapping) -> bool:
    return bool(entry.get("position") or entry.get("comment") or entry.get("proposal"))


def saved(sections: Mapping[str, Mapping], general: str | None, person: str, version: int, language: str,
          today: dt.date | None = None):
    """The change that stores what a person entered: each section given replaces the stored
    one (an empty one removes it), the general statement when given. Entries of sections not
    given (also of sections removed from the draft since) are kept as they are."""
    day = (today or dt.date.today()).isoformat()

    def change(statement: dict | None) -> dict:
        current = dict(statement) if statement else None
        if is_submitted(current):
            raise AlreadySubmitted(current)
        new = {**(current or {}), "saved_by": person, "saved_on": day, "language": language}
        entries = dict(new.get("sections") or {})
        for section_id, entry in sections.items():
            cleaned = {key: entry.get(key) or "" for key in ("position", "comment", "proposal")}
            if has_content(cleaned):
                entries[section_id] = {**cleaned, "version": version}
            else:
                entries.pop(section_id, None)
        new["sections"] = entries
        if general is not None:
            new["general"] = general
        new.setdefault("status", OPEN)
        new.setdefault("general", "")
        return new

    return change


def submitted(person: str, today: dt.date | None = None):
    """The change that submits the statement on behalf of the organisation."""
    day = (today or dt.date.today()).isoformat()

    def change(statement: dict | None) -> dict:
        if is_submitted(statement):
            raise AlreadySubmitted(statement)
        return {**(statement or {"sections": {}, "general": ""}), "status": SUBMITTED, "submitted_by": person,
                "submitted_on": day}

    return change
