"""A consultation: who is invited, when it runs, how statements are shown (pure).

The stored record (storage.interface.Consultations keeps it as it is):

  {"id", "created_at",                        given by the storage
   "title", "language",                       the draft's title and language
   "opens_on", "closes_on",                   ISO days (either may be unset); "status": "closed" ends it early
   "mode": "named" | "anonymous",             named: an official statement per organisation (default)
   "min_group_size": int | None,              anonymous rounds only: may raise the app's minimum
   "positions": [...],                        the answers per section (default POSITIONS)
   "organisations": [{"id", "name", "kind", "people": [{"number", "name", "hash"}]}],
   "decisions": {"<organisation id>/<section id or 'general'>": {"decision", "reason", "by", "on"}},
   "source": "questionnaires/consultations/<file>" for the shipped example, "demo": true for demo data}

People are invited with personal links (fieldings.invitations: only the hash of a token is
stored, with a running number). The link stays valid: it is how a person comes back to the
statement of their organisation, until and after it is submitted.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey_app.fieldings.invitations import new_invitations, token_hash
from survey_app.fieldings.model import CLOSED, OPEN, SCHEDULED, parse_day

NAMED, ANONYMOUS = "named", "anonymous"
MODES = (NAMED, ANONYMOUS)

AGREE, WITH_CHANGES, DISAGREE, NO_COMMENT = "agree", "agree_with_changes", "disagree", "no_comment"
POSITIONS = (AGREE, WITH_CHANGES, DISAGREE, NO_COMMENT)
OBJECTIONS = (WITH_CHANGES, DISAGREE)

GENERAL = "general"   # the key of the general statement where section ids go

MAX_TITLE = 200
MAX_NAME = 200
MAX_PEOPLE = 50
MAX_ORGANISATIONS = 300


def new_consultation(title: str, language: str = "de", opens_on: str | None = None, closes_on: str | None = None,
                     mode: str = NAMED, **extra) -> dict:
    return {"title": title, "language": language, "opens_on": opens_on, "closes_on": closes_on, "mode": mode,
            "min_group_size": None, "status": OPEN, "positions": list(POSITIONS), "organisations": [],
            "decisions": {}, **extra}


def state(record: Mapping, today: dt.date) -> str:
    """SCHEDULED before the opening day, OPEN through the closing day, CLOSED after it or when
    closed by hand (the same rule as a fielding's)."""
    if record.get("status") != OPEN:
        return CLOSED
    opens, closes = parse_day(record.get("opens_on")), parse_day(record.get("closes_on"))
    if opens is not None and today < opens:
        return SCHEDULED
    if closes is not None and today > closes:
        return CLOSED
    return OPEN


def accepts_statements(record: Mapping, today: dt.date) -> bool:
    return state(record, today) == OPEN


def is_named(record: Mapping) -> bool:
    return record.get("mode", NAMED) != ANONYMOUS


@dataclass(frozen=True)
class Person:
    organisation: Mapping
    number: int
    name: str


def organisation(record: Mapping, organisation_id: str) -> Mapping | None:
    return next((o for o in record.get("organisations", ()) if o["id"] == organisation_id), None)


def person_with_token(record: Mapping, token: str | None) -> Person | None:
    """Whom a personal link belongs to; None for a token of nobody."""
    if not token:
        return None
    wanted = token_hash(token)
    for org in record.get("organisations", ()):
        for person in org.get("people", ()):
            if person.get("hash") == wanted:
                return Person(org, person["number"], person.get("name", ""))
    return None


def next_number(record: Mapping) -> int:
    return 1 + max((p["number"] for o in record.get("organisations", ()) for p in o.get("people", ())), default=0)


class InviteError(ValueError):
    """An invitation was refused; `field` says where, `kind` what is wrong."""

    def __init__(self, kind: str, field: str, detail: str = ""):
        super().__init__(kind)
        self.kind, self.field, self.detail = kind, field, detail


def invitation_lines(name: str, kind: str, people_text: str) -> tuple[str, str, list[str]]:
    """The organisation's name, its kind and the people (one per line) as typed; InviteError
    when something is missing or too long."""
    name, kind = " ".join((name or "").split()), " ".join((kind or "").split())
    people = [" ".join(line.split()) for line in (people_text or "").splitlines() if line.strip()]
    if not name:
        raise InviteError("name_missing", "name")
    if len(name) > MAX_NAME:
        raise InviteError("too_long", "name", str(MAX_NAME))
    if len(kind) > MAX_NAME:
        raise InviteError("too_long", "kind", str(MAX_NAME))
    if not people:
        raise InviteError("people_missing", "people")
    if len(people) > MAX_PEOPLE:
        raise InviteError("too_many_people", "people", str(MAX_PEOPLE))
    too_long = next((p for p in people if len(p) > MAX_NAME), None)
    if too_long:
        raise InviteError("too_long", "people", str(MAX_NAME))
    return name, kind, people


def invite(name: str, kind: str, people: Sequence[str]) -> tuple[list[str], callable]:
    """Tokens for `people` of organisation `name` (hand each out once) and the change that adds
    them to a consultation record: to the organisation of that name when there is one (its
    kind is then kept unless given), else to a new organisation."""
    tokens, hashes = new_invitations(len(people))
    new_id = str(uuid.uuid4())

    def change(record: dict) -> dict:
        organisations = [dict(o) for o in record.get("organisations", [])]
        if len(organisations) >= MAX_ORGANISATIONS and not any(o["name"] == name for o in organisations):
            raise InviteError("too_many_organisations", "name", str(MAX_ORGANISATIONS))
        first = next_number(record)
        added = [{"number": first + i, "name": person, "hash": h} for i, (person, h) in enumerate(zip(people, hashes))]
        existing = next((o for o in organisations if o["name"].casefold() == name.casefold()), None)
        if existing is None:
            organisations.append({"id": new_id, "name": name, "kind": kind, "people": added})
        else:
            existing["people"] = [*existing.get("people", []), *added]
            if kind:
                existing["kind"] = kind
        return {**record, "organisations": organisations}

    return tokens, change


def invited(record: Mapping, tokens: Sequence[str]) -> list[tuple[Mapping, dict, str]]:
    """(organisation, person, token) for each token just handed out (for the list of links)."""
    hashes = {token_hash(t): t for t in tokens}
    return [(o, p, hashes[p["hash"]]) for o in record.get("organisations", ()) for p in o.get("people", ())
            if p.get("hash") in hashes]


def link_table(rows: Sequence[tuple[Mapping, dict, str]], link) -> tuple[list[str], list[list]]:
    """Rows for a mail merge: number, organisation, kind, person, personal link."""
    return (["number", "organisation", "kind", "person", "link"],
            [[p["number"], o["name"], o.get("kind", ""), p.get("name", ""), link(token)] for o, p, token in rows])
