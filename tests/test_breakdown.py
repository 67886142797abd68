"""Minimum group size in breakdowns and filters: hand-computed cases and properties, through
build_findings (every page, chart and file takes its numbers from there)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.analysis.breakdown import NO_ANSWER, cells_to_suppress
from survey_app.analysis.disclosure.plan import PROTECTS, TOO_FEW, ReleasePlan
from survey_app.analysis.findings import build_findings
from survey_app.definitions.model import Item, Option, Page, Question, Questionnaire, Scale, ScalePoint


def t(text: str) -> dict[str, str]:
    return {"de": text, "en": text}


QUARTER = Question("quarter", "single_choice", t("Quartier"),
                   options=tuple(Option(v, t(v)) for v in ("nord", "ost", "forst", "kronenberg")))
AGREE = Scale("agree", tuple(ScalePoint(v, t(str(v))) for v in range(1, 6)), dont_know=t("wn"))
SATISFIED = Question("sat", "scale", t("Zufrieden"), scale=AGREE)


def breakdown(question: Question, by: Question, data: list[dict], minimum: int):
    """The breakdown of `question` by `by` as the results page shows it (None: not shown at all)."""
    questionnaire = Questionnaire("q", "q.yaml", t("T"), t("I"), t("A"), None, ("de", "en"),
                                  (Page("p", t("P"), (by, question)),))
    findings = build_findings(questionnaire, data, minimum, by=by)
    section = next((s for s in findings.sections if s.question.id == question.id), None)
    return section.breakdown if section else None


def responses(groups: dict[str | None, list]) -> list[dict]:
    """groups: quarter value -> list of scale answers (None = not answered)."""
    out = []
    for quarter, answers in groups.items():
        for answer in answers:
            values = {"quarter": quarter, "sat": answer}
            out.append({"id": str(len(out)), "answers": {k: v for k, v in values.items() if v is not None}})
    return out


def test_small_cell_and_its_complement_are_hidden():
    # 3 is below 5; hiding it alone would let total - others reveal it, so the next smallest goes too
    assert cells_to_suppress({"a": 3, "b": 6, "c": 20}, 5) == {"a", "b"}
    # two small cells that together reach the minimum protect each other
    assert cells_to_suppress({"a": 2, "b": 3, "c": 20}, 5) == {"a", "b"}
    assert cells_to_suppress({"a": 1, "b": 2, "c": 7, "d": 20}, 5) == {"a", "b", "c"}
    assert cells_to_suppress({"a": 5, "b": 6}, 5) == set()
    # empty groups reveal nothing and are never hidden
    assert cells_to_suppress({"a": 0, "b": 9}, 5) == set()


@given(st.dictionaries(st.integers(0, 8), st.integers(0, 30), min_size=1, max_size=8), st.integers(1, 10))
@settings(max_examples=300, deadline=None)
def test_suppression_properties(counts, minimum):
    hidden = cells_to_suppress(counts, minimum)
    assert {k for k, c in counts.items() if 0 < c < minimum} <= hidden
    hidden_sum = sum(counts[k] for k in hidden)
    everything_hidden = all(k in hidden for k, c in counts.items() if c > 0)
    # what could be derived by subtraction is never a group smaller than the minimum
    assert hidden_sum == 0 or hidden_sum >= minimum or everything_hidden


def test_breakdown_hides_small_groups_and_the_next_smallest():
    data = responses({"nord": [5, 4, 4, 3, 5, 2], "ost": [1, 2, 2, 3, 1, 1, 2], "forst": [5, 5, 4],
                      "kronenberg": []})
    result = breakdown(SATISFIED, QUARTER, data, minimum=5)
    shown = {r.group.key: r.summary for r in result.groups}
    assert shown["forst"] is None            # 3 people
    assert shown["nord"] is None             # next smallest, so that forst cannot be derived
    assert shown["ost"].n == 7
    assert shown["ost"].items[0].mean == sum([1, 2, 2, 3, 1, 1, 2]) / 7
    assert result.total.n == 16
    assert [g.group.key for g in result.groups] == ["nord", "ost", "forst", "kronenberg"]


def test_group_of_people_without_an_answer_counts_as_a_group():
    data = responses({"nord": [4] * 6, "ost": [3] * 6, None: [5, 5]})
    result = breakdown(SATISFIED, QUARTER, data, minimum=5)
    by_key = {r.group.key: r for r in result.groups}
    assert by_key[NO_ANSWER].suppressed and by_key[NO_ANSWER].group.reason == TOO_FEW
    assert by_key[NO_ANSWER].group.size is None          # its size is not shown either
    assert sum(r.suppressed for r in result.groups) == 2
    # the other hidden group has 6 people: it protects "no answer", it is not "fewer than 5"
    assert {r.group.reason for r in result.groups if r.suppressed} == {TOO_FEW, PROTECTS}


def test_group_where_few_answered_the_question_is_hidden():
    data = responses({"nord": [4, 4, None, None, None, None], "ost": [3] * 6, "forst": [2] * 7})
    result = breakdown(SATISFIED, QUARTER, data, minimum=5)
    by_key = {r.group.key: r for r in result.groups}
    assert not by_key["nord"].group.size_hidden   # 6 people in the group ...
    assert by_key["nord"].suppressed             # ... but only 2 answered this question
    assert sum(r.suppressed for r in result.groups) == 2


@given(st.lists(st.tuples(st.sampled_from(["nord", "ost", "forst", "kronenberg", None]),
                          st.one_of(st.none(), st.integers(1, 5))), max_size=60),
       st.integers(2, 6))
@settings(max_examples=200, deadline=None)
def test_no_shown_group_rests_on_fewer_than_the_minimum(rows, minimum):
    data = [{"id": str(i), "answers": {k: v for k, v in (("quarter", q), ("sat", a)) if v is not None}}
            for i, (q, a) in enumerate(rows)]
    result = breakdown(SATISFIED, QUARTER, data, minimum)
    if result is None:
        return
    shown = [r.summary for r in result.groups if not r.suppressed]
    assert all(s.n >= minimum or s.n == 0 for s in shown)
    derivable = result.total.n - sum(s.n for s in shown)
    assert derivable == 0 or derivable >= minimum or not shown


def test_filter_needs_the_minimum_on_both_sides():
    questionnaire = Questionnaire("q", "q.yaml", t("T"), t("I"), t("A"), None, ("de", "en"),
                                  (Page("p", t("P"), (QUARTER, SATISFIED)),))
    data = responses({"nord": [4] * 6, "ost": [3] * 6})
    assert ReleasePlan(questionnaire, data, 5).group(filter=("quarter", "nord")).shown
    data = responses({"nord": [4] * 8, "ost": [3] * 3})      # the rest (3) could be derived
    assert not ReleasePlan(questionnaire, data, 5).group(filter=("quarter", "nord")).shown
    data = responses({"nord": [4] * 4, "ost": [3] * 16})     # too few in the filter
    assert ReleasePlan(questionnaire, data, 5).group(filter=("quarter", "nord")).reason == TOO_FEW


TASKS = Question("tasks", "matrix", t("Aufgaben"), scale=AGREE,
                 items=(Item("net", t("Netzwerk")), Item("nav", t("Lotsen"))))


@given(st.lists(st.tuples(st.sampled_from(["nord", "ost", "forst", None]),
                          st.one_of(st.none(), st.integers(1, 5)), st.one_of(st.none(), st.integers(1, 5))),
                max_size=50),
       st.integers(2, 6))
@settings(max_examples=200, deadline=None)
def test_matrix_items_are_protected_one_by_one(rows, minimum):
    data = [{"id": str(i), "answers": {"quarter": q, "tasks": {k: v for k, v in (("net", a), ("nav", b)) if v}}}
            for i, (q, a, b) in enumerate(rows)]
    result = breakdown(TASKS, QUARTER, data, minimum)
    if result is None:
        return
    for index, item in enumerate(TASKS.items):
        total_n = next((row.n for row in result.total.items if row.item.id == item.id), None)
        if total_n is None:
            continue
        shown = [row for r in result.groups if not r.suppressed for row in r.summary.items if row.item.id == item.id]
        assert all(row.n == 0 or row.n >= minimum for row in shown)
        derivable = total_n - sum(row.n for row in shown)
        assert derivable == 0 or derivable >= minimum or not any(row.n for row in shown)
