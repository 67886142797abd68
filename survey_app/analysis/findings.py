"""What may be shown of a survey's responses: the one place where the release plan
(analysis/disclosure/) meets the summaries, so that the results page, its charts, every
download, the report and the comparisons show the same, protected numbers (pure).

Nothing here decides a rule of its own: which group, which count of a grouping answer and
which question's results in a group may be shown is the plan's answer (plan.group,
plan.count, plan.answers); which statistic within a shown group is rules.py's
(no single person's value, means and quartiles only from at least k answers, free texts
only when asked for); questionnaire versions are pooled by rules.pooled_versions.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from survey_app.analysis.breakdown import Breakdown, Group, GroupResult
from survey_app.analysis.disclosure.groups import NO_ANSWER, Condition, group_members
from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.analysis.disclosure.rules import pooled_versions, texts_shown, without_single_values
from survey_app.analysis.summaries import QuestionSummary, Response, options_of, summarize, summarize_question
from survey_app.definitions.model import Question, Questionnaire


@dataclass(frozen=True)
class ResponseFilter:
    question: Question
    value: str

    @property
    def condition(self) -> Condition:
        return (self.question.id, self.value)


@dataclass(frozen=True)
class Section:
    question: Question
    summary: QuestionSummary | None        # None when it may not be shown (see `reason`)
    breakdown: Breakdown | None = None     # when a breakdown question was chosen
    hidden_texts: int = 0                  # free-text answers the evaluator hid from reports
    hidden_items: int = 0                  # items (counted apart) not shown in this group
    reason: str | None = None              # plan.TOO_FEW, PROTECTS or NOT_OFFERED when not shown

    @property
    def suppressed(self) -> bool:
        return self.summary is None


@dataclass(frozen=True)
class Findings:
    questionnaire: Questionnaire
    total: int                             # responses of the survey
    n: int | None                          # responses in the shown group (None: not shown)
    minimum: int
    sections: tuple[Section, ...]
    response_filter: ResponseFilter | None = None
    by: Question | None = None
    blocked: str | None = None             # "total" or "filter": why nothing is shown
    reason: str | None = None              # the plan's reason when blocked
    versions: Mapping[str, int] = field(default_factory=dict)   # pooled: rules.OTHER_VERSION

    @property
    def visible(self) -> bool:
        return self.blocked is None


@dataclass(frozen=True)
class Shown:
    """One question's summary in one group as it may be shown."""
    summary: QuestionSummary | None
    reason: str | None = None
    hidden_items: int = 0
    hidden_texts: int = 0


def _statistics_shown(summary: QuestionSummary, minimum: int) -> QuestionSummary:
    """No single person's value, and statistics only from at least `minimum` answers; rows
    (items, options) with an n of their own use it ("don't know" does not count)."""
    changes = {}
    for name in ("items", "options"):
        rows = getattr(summary, name, None)
        if rows:
            changes[name] = tuple(
                without_single_values(row, _counted(row, summary.n), minimum) for row in rows)
    return without_single_values(replace(summary, **changes) if changes else summary, summary.n, minimum)


def _counted(row, default: int) -> int:
    n = getattr(row, "n", None)
    if n is None:
        return default
    return n - (getattr(row, "dk", 0) or 0)


def _without_counts(summary: QuestionSummary, hidden: set) -> QuestionSummary:
    """A grouping question's summary with the counts (and shares) of `hidden` options blanked."""
    options = tuple(replace(o, count=None, share=None) if o.value in hidden else o for o in summary.options)
    return replace(summary, options=options)


def shown_summary(plan: ReleasePlan, summary: QuestionSummary, filter: Condition | None, by: Condition | None,
                  *, include_texts: bool = False, hidden_ids: frozenset[str] = frozenset()) -> Shown:
    """A question's summary within the group (filter and by) as the plan and the rules allow."""
    question = summary.question
    group = plan.group(filter, by)
    if not group.shown:
        return Shown(None, group.reason)
    if question.kind.can_filter:
        # a grouping question: its counts are cells of the plan's tables
        hidden = {o.value for o in summary.options
                  if not plan.count(filter, by, question_id=question.id, value=o.value).shown}
        no_answer = plan.count(filter, by, question_id=question.id, value=NO_ANSWER)
        if not no_answer.shown:   # n, missing and shares would give the hidden "no answer" cell
            summary = replace(summary, n=None, missing=None, invalid=None,
                              options=tuple(replace(o, share=None) for o in summary.options))
        elif summary.invalid and (summary.invalid < plan.minimum or summary.missing - summary.invalid < plan.minimum):
            summary = replace(summary, invalid=None)   # a split of the "no answer" cell
        if len(hidden) == len(summary.options) and summary.n is None:
            return Shown(None, no_answer.reason)
        return Shown(_without_counts(summary, hidden) if hidden else summary)
    if question.kind.items_counted_apart:
        decisions = {row.item.id: plan.answers(question.id, row.item.id, filter=filter, by=by)
                     for row in summary.items}
        kept = tuple(row for row in summary.items if decisions[row.item.id].shown)
        hidden_items = sum(1 for row in summary.items if not decisions[row.item.id].shown and row.n)
        if not any(row.n for row in kept):
            reasons = [d.reason for d in decisions.values() if not d.shown]
            return Shown(None, reasons[0] if reasons else None)
        # the question's own n (answered any line) is no cell of the plan: only the lines' n are shown
        shown = replace(summary, items=kept, n=None, missing=None, invalid=None)
        return Shown(_statistics_shown(shown, plan.minimum), hidden_items=hidden_items)
    decision = plan.answers(question.id, None, filter=filter, by=by)
    if not decision.shown:
        return Shown(None, decision.reason)
    if question.kind.is_free_text:
        listed = texts_shown(include_texts, decision.shown)
        entries = tuple(e for e in summary.entries if e.response_id not in hidden_ids) if listed else ()
        return Shown(replace(summary, entries=entries),
                     hidden_texts=len(summary.entries) - len(entries) if listed else 0)
    return Shown(_statistics_shown(summary, plan.minimum))


def _breakdown(plan: ReleasePlan, questionnaire: Questionnaire, question: Question, by: Question,
               selected: Sequence[Response], members: dict, total: QuestionSummary,
               filter: Condition | None) -> Breakdown:
    results = []
    for value, label in [*((o.value, o.label) for o in options_of(by)), (NO_ANSWER, None)]:
        decision = plan.group(filter, (by.id, value))
        if value is NO_ANSWER and decision.shown and not decision.n:
            continue                       # nobody left the question out
        group = Group(value, label, decision.n if decision.shown else None, not decision.shown, decision.reason)
        if not decision.shown:
            results.append(GroupResult(group, None, decision.reason))
            continue
        shown = shown_summary(plan, summarize_question(question, members[value]), filter, (by.id, value))
        results.append(GroupResult(group, shown.summary, shown.reason))
    return Breakdown(by, question, total, tuple(results))


def build_findings(
    questionnaire: Questionnaire,
    responses: Sequence[Response],
    minimum: int,
    *,
    response_filter: ResponseFilter | None = None,
    by: Question | None = None,
    hidden_texts: Mapping[str, Sequence[str]] | None = None,
    include_texts: bool = False,
    plan: ReleasePlan | None = None,
) -> Findings:
    """Aggregates as they may be shown. `plan` is the release plan of exactly these responses
    at `minimum` (disclosure/cache.py keeps one per data state; computed here when None).
    `hidden_texts` maps question ids to the response ids whose free-text answer the
    evaluator hid; free texts are listed only with `include_texts` (off by default)."""
    responses = list(responses)
    plan = plan if plan is not None else ReleasePlan(questionnaire, responses, minimum)
    versions = pooled_versions(Counter(str(r.get("version", "")) for r in responses), minimum)
    condition = response_filter.condition if response_filter else None
    base = dict(questionnaire=questionnaire, total=len(responses), minimum=minimum,
                response_filter=response_filter, by=by, versions=versions)
    everybody = plan.group()
    if not everybody.shown or len(responses) < minimum:
        return Findings(sections=(), n=None, blocked="total", reason=everybody.reason, **base)
    group = plan.group(condition)
    if not group.shown:
        return Findings(sections=(), n=None, blocked="filter", reason=group.reason, **base)
    selected = group_members(questionnaire, responses, condition)

    members = {}
    if by is not None:
        for value in [*(o.value for o in options_of(by)), NO_ANSWER]:
            members[value] = group_members(questionnaire, selected, (by.id, value))

    hidden_texts = hidden_texts or {}
    sections = []
    for summary in summarize(questionnaire, selected):
        question = summary.question
        shown = shown_summary(plan, summary, condition, None, include_texts=include_texts,
                              hidden_ids=frozenset(hidden_texts.get(question.id, ())))
        if shown.summary is None:
            sections.append(Section(question, None, reason=shown.reason))
            continue
        split = None
        if by is not None and by.id != question.id and not question.kind.is_free_text:
            split = _breakdown(plan, questionnaire, question, by, selected, members, shown.summary, condition)
        sections.append(Section(question, shown.summary, split, hidden_texts=shown.hidden_texts,
                                hidden_items=shown.hidden_items))
    return Findings(sections=tuple(sections), n=group.n, **base)

