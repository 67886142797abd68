"""What may be shown of a survey's responses: one place that applies the minimum group
size, filters, breakdowns and the evaluator's choices about free texts, so that the
results page, every download and the report show the same, protected numbers (pure).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from survey_app.analysis.summaries import QuestionSummary, Response, summarize
from survey_app.analysis.breakdown import (
    Breakdown,
    breakdown,
    filter_allowed,
    filter_responses,
    items_apart,
    small_items,
    without_items,
)
from survey_app.definitions.model import Question, Questionnaire


@dataclass(frozen=True)
class ResponseFilter:
    question: Question
    value: str


@dataclass(frozen=True)
class Section:
    question: Question
    summary: QuestionSummary | None        # None when too few answered to show it
    breakdown: Breakdown | None = None     # when a breakdown question was chosen
    hidden_texts: int = 0                  # free-text answers the evaluator hid from reports
    hidden_items: int = 0                  # items (counted apart) answered by too few to show

    @property
    def suppressed(self) -> bool:
        return self.summary is None


@dataclass(frozen=True)
class Findings:
    questionnaire: Questionnaire
    total: int                             # responses of the survey
    n: int                                 # responses after the filter
    minimum: int
    sections: tuple[Section, ...]
    response_filter: ResponseFilter | None = None
    by: Question | None = None
    blocked: str | None = None             # "total" or "filter": why nothing is shown
    versions: Mapping[str, int] = field(default_factory=dict)
    first_day: str | None = None           # days of the first and last submission
    last_day: str | None = None
    version_days: Mapping[str, str] = field(default_factory=dict)  # version -> day of its first submission

    @property
    def visible(self) -> bool:
        return self.blocked is None


def too_few(summary: QuestionSummary, minimum: int) -> bool:
    """A distribution resting on fewer respondents than the minimum could reveal what
    single people answered. Free texts are judged by the evaluator, answer by answer."""
    return not summary.question.kind.is_free_text and summary.n < minimum


def _texts(summary: QuestionSummary, hidden_ids: set[str], include_texts: bool) -> tuple[QuestionSummary, int]:
    """A free-text summary with the answers that may be shown (`entries`), and how many were hidden."""
    kept = tuple(e for e in summary.entries if e.response_id not in hidden_ids) if include_texts else ()
    hidden = len(summary.entries) - len(kept) if include_texts else 0
    return replace(summary, entries=kept), hidden


def build_findings(
    questionnaire: Questionnaire,
    responses: Sequence[Response],
    minimum: int,
    *,
    response_filter: ResponseFilter | None = None,
    by: Question | None = None,
    hidden_texts: Mapping[str, Sequence[str]] | None = None,
    include_texts: bool = True,
) -> Findings:
    """Aggregates as they may be shown. `hidden_texts` maps question ids to the response
    ids whose free-text answer the evaluator hid; `include_texts=False` leaves all free
    texts out (the default for shared reports)."""
    responses = list(responses)
    versions = dict(Counter(str(r.get("version", "")) for r in responses))
    days = sorted(str(r["submitted_on"]) for r in responses if r.get("submitted_on"))
    version_days: dict[str, str] = {}
    for r in responses:
        if r.get("submitted_on"):
            version = str(r.get("version", ""))
            version_days[version] = min(version_days.get(version, "9999"), str(r["submitted_on"]))
    selected = filter_responses(responses, response_filter.question, response_filter.value) \
        if response_filter else responses
    base = dict(questionnaire=questionnaire, total=len(responses), n=len(selected), minimum=minimum,
                response_filter=response_filter, by=by, versions=versions,
                first_day=days[0] if days else None, last_day=days[-1] if days else None,
                version_days=version_days)
    if len(responses) < minimum:
        return Findings(sections=(), blocked="total", **base)
    if response_filter and not filter_allowed(len(selected), len(responses), minimum):
        return Findings(sections=(), blocked="filter", **base)

    hidden_texts = hidden_texts or {}
    sections = []
    for summary in summarize(questionnaire, selected):
        question = summary.question
        if question.kind.is_free_text:
            summary, hidden = _texts(summary, set(hidden_texts.get(question.id, ())), include_texts)
            sections.append(Section(question, summary, hidden_texts=hidden))
        elif too_few(summary, minimum):
            sections.append(Section(question, None))
        else:
            hidden_items = small_items(summary, minimum) if items_apart(summary) else set()
            if hidden_items:
                summary = without_items(summary, hidden_items)
            split = breakdown(question, by, selected, minimum) if by and by.id != question.id else None
            sections.append(Section(question, summary, split, hidden_items=len(hidden_items)) if summary
                            else Section(question, None))
    return Findings(sections=tuple(sections), **base)

