"""Shared helpers for workshop tests: polls from mappings as a template file holds them, votes,
a round run through the downloads, and the phone's form as the poll type's partial renders it."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

from survey_app.workshops import definitions, export, state
from survey_app.workshops.model import CastVote, Choice, Poll, Workshop

NOW = "2025-05-20T10:00:00+00:00"
LATER = "2025-05-20T10:05:00+00:00"
ORGS = (Choice("qm", {"de": "QM", "en": "QM"}), Choice("welfare", {"de": "Wohlfahrt", "en": "Welfare"}))


def text(s: str) -> dict:
    return {"de": s, "en": s}


def entries(*ids: str) -> list[dict]:
    """Options, tasks or actors as a template file lists them."""
    return [{"id": i, "label": text(i.upper())} for i in ids]


def parsed(mapping: dict) -> Poll:
    """The poll a template file's mapping gives; fails the test with its problems."""
    poll, problems = definitions.poll_problems(mapping, ["de", "en"])
    assert problems == [] and poll is not None, [str(p) for p in problems]
    assert definitions.poll_problems(definitions.poll_dict(poll), ["de", "en"]) == (poll, [])  # stored form
    return poll


def problems(mapping: dict) -> list[str]:
    """The problems a template file would list for this poll (and that it gives no poll)."""
    poll, found = definitions.poll_problems(mapping, ["de", "en"])
    assert poll is None
    return [str(p) for p in found]


def refusals(mapping: dict) -> dict[str, list[str]]:
    """What the poll editor shows at its fields: poll key -> messages (English msgids)."""
    _poll, _problems, found = definitions.check_poll(mapping, ["de", "en"])
    result: dict[str, list[str]] = {}
    for refusal in found:
        result.setdefault(refusal.key, []).append(refusal.message.render())
    return result


def rendered(errors: dict) -> dict:
    return {key: [m.render() for m in messages] for key, messages in errors.items()}


def votes(*values, groups=None) -> list[CastVote]:
    groups = groups or [None] * len(values)
    return [CastVote(f"v{i}", f"p{i}", value, group) for i, (value, group) in enumerate(zip(values, groups))]


def one_round(poll: Poll, cast: list[CastVote]) -> tuple[Workshop, dict[str, list[CastVote]]]:
    """A workshop with `poll` whose first round got `cast` (organisation types: ORGS)."""
    workshop = Workshop(id="w", title="T", date="2025-05-20", join_code="ABCDEF", languages=("de", "en"))
    workshop = replace(state.add_poll(workshop, poll), organisation_types=ORGS)
    workshop = state.close_voting(state.open_voting(workshop, NOW), LATER)
    return workshop, {workshop.current_round().run: cast}


def table_rows(table) -> list[dict]:
    """A download as its rows (read back from the CSV the user gets)."""
    return list(csv.DictReader(io.StringIO(export.table_csv(table).lstrip("\ufeff"))))


def phone_form(app, poll: Poll, values: dict | None = None, errors: dict | None = None) -> str:
    """The vote fields a phone shows for `poll` (the poll type's partial), as HTML."""
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% from "workshop/macros.html" import vote_fields %}{{ vote_fields(poll, values, errors, "de", "de") }}')
        return template.render(poll=poll, values=values or {}, errors=errors or {})


def results_table(app, result, ideas=None) -> str:
    """The results page's table of a tally (the poll type's partial), as HTML."""
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% from "workshop/macros.html" import tally_table %}{{ tally_table(result, "de", "de", ideas) }}')
        return template.render(result=result, ideas=ideas)


def field_names(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', html))


def field_values(html: str, name: str) -> set[str]:
    """The values a browser can send for field `name` (inputs and select options)."""
    found = set(re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html))
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    if select:
        found |= set(re.findall(r'<option value="([^"]*)"', select.group(1)))
    return found
