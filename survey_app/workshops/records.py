"""A workshop in its stored form: a plain, JSON-ready mapping, and back (pure)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey_app.workshops.definitions import choice_dict, parse_organisation_types, parse_poll, poll_dict
from survey_app.workshops.model import Round, Workshop
from survey_app.workshops.polls.checks import PollCollector


def workshop_from_record(record: Mapping[str, Any]) -> Workshop:
    languages = tuple(record["languages"])
    c = PollCollector(f"workshop {record.get('id')}")
    polls = tuple(parse_poll(c, data, f"polls[{i}]", languages) for i, data in enumerate(record.get("polls", ())))
    organisation_types = parse_organisation_types(c, record.get("organisation_types") or [], "workshop", languages)
    if c.problems:
        raise ValueError("stored workshop is not valid: " + "; ".join(map(str, c.problems)))
    rounds = {poll_id: tuple(Round(r["number"], r["run"], r.get("opened_at"), r.get("closed_at"),
                                   tuple(r.get("discarded", ()))) for r in entries)
              for poll_id, entries in (record.get("rounds") or {}).items()}
    return Workshop(
        id=record.get("id", ""), title=record["title"], date=record.get("date", ""),
        join_code=record["join_code"], languages=languages, organisation_types=organisation_types,
        polls=polls, current_poll=record.get("current_poll"), voting_open=bool(record.get("voting_open")),
        results_shown=bool(record.get("results_shown")), rounds=rounds,
        hidden_items=frozenset(record.get("hidden_items", ())), min_group_size=record.get("min_group_size"),
        template=record.get("template"), version=record.get("version", 0),
        demo=record.get("demo") is True,
    )


def workshop_record(workshop: Workshop) -> dict:
    """The workshop as a plain, JSON-ready mapping (the stored form)."""
    return {
        "id": workshop.id, "title": workshop.title, "date": workshop.date, "join_code": workshop.join_code,
        "languages": list(workshop.languages),
        "organisation_types": [choice_dict(c) for c in workshop.organisation_types],
        "polls": [poll_dict(p) for p in workshop.polls],
        "current_poll": workshop.current_poll, "voting_open": workshop.voting_open,
        "results_shown": workshop.results_shown,
        "rounds": {poll_id: [{"number": r.number, "run": r.run, "opened_at": r.opened_at,
                              "closed_at": r.closed_at, "discarded": list(r.discarded)} for r in rounds]
                   for poll_id, rounds in workshop.rounds.items()},
        "hidden_items": sorted(workshop.hidden_items), "min_group_size": workshop.min_group_size,
        "template": workshop.template, "version": workshop.version,
        **({"demo": True} if workshop.demo else {}),
    }
