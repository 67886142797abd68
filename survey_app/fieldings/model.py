"""A fielding ("Erhebung"): one run of a questionnaire with its own link, opening and closing
day, access, anonymity and minimum group size (pure).

`Fielding` holds the fields as they are stored (storage reads and writes it through
from_record/to_record, so the stored records keep their form); the rules that read them are
its methods: whether it takes answers on a day, who may answer, what a response records.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
PUBLIC, INVITATION = "open", "invitation"              # access: anyone with the link / personal links only
ANONYMOUS, CONFIDENTIAL = "anonymous", "confidential"  # a confidential fielding's responses carry the invitation number


def parse_day(value) -> dt.date | None:
    """An ISO date stored on a fielding ("2026-12-01"), or None when unset or unreadable."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Fielding:
    id: str
    slug: str                                  # the public link: /s/<slug>
    questionnaire_id: str
    created_at: str = ""                       # UTC, given by the storage
    status: str | None = OPEN                  # CLOSED when an admin closed it by hand (anything but OPEN is)
    label: str | None = None                   # e.g. "Baseline 2017"
    opens_on: str | None = None                # ISO days, inclusive
    closes_on: str | None = None
    min_group_size: int | None = None          # can only raise the app's minimum (web.minimum)
    access: str = PUBLIC
    anonymity: str = ANONYMOUS
    pseudonym: bool = False                    # respondents give a self-generated code
    test_run: bool = False                     # its responses count nowhere
    hidden_texts: Mapping[str, list[str]] = field(default_factory=dict)  # question id -> response ids
    population: int | None = None              # everybody asked to take part
    group_sizes: Mapping[str, Any] | None = None  # {"question": id, "sizes": {option value: people}}
    extra: Mapping[str, Any] = field(default_factory=dict)  # stored keys this version does not know

    @classmethod
    def new(cls, questionnaire_id: str, slug: str, **settings) -> Fielding:
        """A fielding not stored yet (the storage gives it its id and created_at)."""
        return cls.from_record({"status": OPEN, **settings, "questionnaire_id": questionnaire_id, "slug": slug})

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Fielding:
        known = {f.name for f in fields(cls)} - {"extra"}
        return cls(
            id=record.get("id", ""), slug=record.get("slug", ""),
            questionnaire_id=record.get("questionnaire_id", ""), created_at=record.get("created_at", ""),
            status=record.get("status"), label=record.get("label"),
            opens_on=record.get("opens_on"), closes_on=record.get("closes_on"),
            min_group_size=record.get("min_group_size"), access=record.get("access") or PUBLIC,
            anonymity=record.get("anonymity") or ANONYMOUS, pseudonym=bool(record.get("pseudonym")),
            test_run=record.get("test_run") is True,
            hidden_texts={k: list(v) for k, v in (record.get("hidden_texts") or {}).items()},
            population=record.get("population"), group_sizes=record.get("group_sizes"),
            extra={k: v for k, v in record.items() if k not in known},
        )

    def to_record(self) -> dict[str, Any]:
        """The stored form: id, slug, questionnaire, created_at and status always, every other
        field only when it differs from its default."""
        record: dict[str, Any] = {"id": self.id, "slug": self.slug, "questionnaire_id": self.questionnaire_id,
                                  "created_at": self.created_at, "status": self.status}
        for f in fields(self):
            if f.name in record or f.name == "extra":
                continue
            value = getattr(self, f.name)
            default = f.default_factory() if callable(f.default_factory) else f.default
            if value != default:
                record[f.name] = dict(value) if isinstance(value, Mapping) else value
        return {**record, **self.extra}

    @property
    def name(self) -> str:
        return self.label or self.slug

    @property
    def needs_invitation(self) -> bool:
        return self.access == INVITATION

    @property
    def records_invitation(self) -> bool:
        """Its responses carry the number of the respondent's invitation (respondents are told)."""
        return self.anonymity == CONFIDENTIAL

    @property
    def opens_day(self) -> dt.date | None:
        return parse_day(self.opens_on)

    @property
    def closes_day(self) -> dt.date | None:
        return parse_day(self.closes_on)

    def state(self, today: dt.date) -> str:
        """SCHEDULED before the opening day, OPEN from it through the closing day (inclusive),
        CLOSED after that or whenever an admin closed it by hand."""
        if self.status != OPEN:
            return CLOSED
        if self.opens_day and today < self.opens_day:
            return SCHEDULED
        if self.closes_day and today > self.closes_day:
            return CLOSED
        return OPEN

    def accepts_answers(self, today: dt.date) -> bool:
        return self.state(today) == OPEN

    def opening_changes(self, today: dt.date) -> dict:
        """The fields to store so that it takes answers from today on ("open now" and
        "reopen"): an opening day still ahead and a closing day already past are removed."""
        changes: dict = {"status": OPEN}
        if self.opens_day and self.opens_day > today:
            changes["opens_on"] = None
        if self.closes_day and self.closes_day < today:
            changes["closes_on"] = None
        return changes

