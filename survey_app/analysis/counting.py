"""Which stored responses count in results (pure).

One filter for everything that shows or hands out numbers: results pages, downloads, the
report, comparisons of fieldings, response rates and triangulation. Left out are

* every response of a fielding an admin marked as a test run (Fielding.test_run),
* single responses an admin excluded (``excluded_by``/``excluded_at`` on the response; it stays
  stored, see `exclusion`).

Demo responses (``"demo": true``, written by ``flask demo``) do count, so that the demo shows
every chart, but pages and reports say how many there are, and ``flask demo --remove`` deletes
exactly them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from survey_app.analysis.summaries import raw_answer
from survey_app.definitions.model import Question, Questionnaire
from survey_app.fieldings.model import Fielding

DEMO = "demo"   # the key that marks demo responses and the demo workshop


def is_demo(record: Mapping) -> bool:
    return record.get(DEMO) is True


def is_excluded(response: Mapping) -> bool:
    return bool(response.get("excluded_at"))


def exclusion(excluded: bool, by: str, at: str | None = None) -> Callable[[dict], dict]:
    """The change (for Responses.change_response) that excludes a response from results, or
    counts it again: an excluded response carries excluded_by (a username) and excluded_at;
    counting it again removes both and records included_by and included_at instead. A
    response already in the wanted state is left as it is (so the first exclusion's who and
    when stay); its answers are never touched. `at` defaults to now (UTC)."""
    at = at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    mark, drop = (("excluded_by", "excluded_at"), ("included_by", "included_at")) if excluded \
        else (("included_by", "included_at"), ("excluded_by", "excluded_at"))

    def change(response: dict) -> dict:
        if is_excluded(response) == excluded:
            return response
        kept = {key: value for key, value in response.items() if key not in drop}
        return {**kept, mark[0]: by, mark[1]: at}
    return change


@dataclass(frozen=True)
class Counted:
    responses: list[dict]     # the responses that count, in stored order
    stored: int               # all stored responses of the fielding
    excluded: int             # excluded one by one by an admin
    demo: int                 # demo responses among those that count
    test_run: bool            # the fielding is a test run: nothing counts


def counted(survey: Fielding, stored: Iterable[dict]) -> Counted:
    stored = list(stored)
    excluded = sum(1 for r in stored if is_excluded(r))
    if survey.test_run:
        return Counted([], len(stored), excluded, 0, True)
    kept = [r for r in stored if not is_excluded(r)]
    return Counted(kept, len(stored), excluded, sum(1 for r in kept if is_demo(r)), False)


def answer_lines(questionnaire: Questionnaire, response: Mapping) -> list[tuple[Question, list[str]]]:
    """The answers of one response as an admin reads them to judge whether it is a test: per
    answered question its stored values as in the response download (codes, "item: value"
    for each item; each type says how, see answer_lines in survey_app/questions/)."""
    lines = []
    for question in questionnaire.questions():
        value = raw_answer(response, question.id)
        if value is None:
            continue
        shown = question.kind.answer_lines(question, value)
        if shown:
            lines.append((question, shown))
    return lines
