"""Triangulation: the same task or goal (a shared `construct` key) seen through several
instruments side by side, e.g. staff self-rating, stakeholders' usefulness rating and
the workshop's priority and named lead (pure: no Flask, no storage).

Every cell carries its n and is suppressed below the source's minimum group size.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.analysis.distributions import Indicator
from survey_app.analysis.findings import shown_summary
from survey_app.analysis.summaries import Response, summarize_question
from survey_app.definitions.model import Questionnaire, Text
from survey_app.workshops.model import CastVote, Workshop
from survey_app.workshops.polls.registry import POLL_TYPES
from survey_app.workshops.tallies import tally


@dataclass(frozen=True)
class Measure:
    """A column: one question (or poll) of one source."""
    source: str            # e.g. a survey's link name or a workshop's title
    source_title: Text
    question_id: str
    question_text: Text
    kind: str              # "rating", "nominal", "share", "choice", "number", "priority", "rank", "lead"


@dataclass(frozen=True)
class Cell:
    n: int
    suppressed: bool
    mean: float | None = None      # rating / number / share of time (mean)
    share: float | None = None     # rating: top-2 share; nominal/choice/lead: share of the top answer; priority
    top: Text | None = None        # nominal/choice/lead: the answer most often given


@dataclass(frozen=True)
class Row:
    construct: str
    label: Text
    cells: dict[int, Cell]         # measure index -> cell


@dataclass(frozen=True)
class Triangulation:
    measures: tuple[Measure, ...]
    rows: tuple[Row, ...]
    left_out: tuple[Text, ...] = ()   # instruments whose data could not be read (named for the reader)


# (construct, label, measure, cell): one observation of a construct by one measure
Observation = tuple[str, Text, Measure, Cell]


def survey_observations(source: str, questionnaire: Questionnaire, responses: Sequence[Response],
                        minimum: int, plan: ReleasePlan | None = None) -> list[Observation]:
    """Every construct a survey measures, with the aggregate that stands for it: from the
    question's results for all respondents as the release plan shows them (lines, counts and
    statistics it hides are not used), so triangulation shows nothing the results page hides."""
    plan = plan if plan is not None else ReleasePlan(questionnaire, responses, minimum)
    observations: list[Observation] = []
    for question in questionnaire.questions():
        if not question.construct and not any(item.construct for item in question.items):
            continue
        shown = shown_summary(plan, summarize_question(question, responses), None, None).summary
        if shown is None:
            continue
        for found in question.kind.indicators(question, shown):
            measure = Measure(source, questionnaire.title, question.id, question.text, found.kind)
            observations.append((found.construct, found.label, measure, _cell(found, minimum)))
    return observations


def _cell(found: Indicator, minimum: int) -> Cell:
    """The cell of one question's or poll's indicator: suppressed below the minimum group size."""
    if found.n is None or found.n < minimum or (found.mean is None and found.share is None):
        return Cell(found.n, True)
    return Cell(found.n, False, mean=found.mean, share=found.share, top=found.top)


def triangulate(observations: Iterable[Observation], min_sources: int = 2) -> Triangulation:
    """Constructs observed by at least `min_sources` sources (by default more than one), one
    row each, measures as columns (in the order first seen). Task profiles
    (decisions/profiles.py) take every task with `min_sources=1`: the same cells."""
    measures: list[Measure] = []
    by_construct: dict[str, tuple[Text, dict[int, Cell], set[str]]] = {}
    for construct, label, measure, cell in observations:
        if measure not in measures:
            measures.append(measure)
        entry = by_construct.setdefault(construct, (label, {}, set()))
        entry[1][measures.index(measure)] = cell
        entry[2].add(measure.source)
    rows = tuple(Row(construct, label, cells) for construct, (label, cells, sources) in by_construct.items()
                 if len(sources) >= min_sources)
    used = sorted({index for row in rows for index in row.cells})
    renumber = {old: new for new, old in enumerate(used)}
    return Triangulation(
        tuple(measures[i] for i in used),
        tuple(Row(r.construct, r.label, {renumber[i]: c for i, c in r.cells.items()}) for r in rows),
    )


def workshop_observations(workshop: Workshop, votes: Mapping[str, Sequence[CastVote]],
                          minimum: int) -> list[Observation]:
    """What a workshop's polls say about each construct, from the latest round of each poll.
    `votes` maps the run of a round to its votes. Dot votes give each option's share of
    the points, rankings the mean rank, role matrices the lead named most often (with its
    share), scales the mean."""
    title = {lang: workshop.title for lang in workshop.languages}
    observations: list[Observation] = []
    for poll in workshop.polls:
        latest = workshop.current_round(poll.id)
        if latest is None:
            continue
        result = tally(poll, votes.get(latest.run, ()))

        def measure(kind: str) -> Measure:
            return Measure(f"workshop:{workshop.id}", title, poll.id, poll.text, kind)

        for found in POLL_TYPES[poll.type].indicators(poll, result):
            observations.append((found.construct, found.label, measure(found.kind), _cell(found, minimum)))
    return observations
