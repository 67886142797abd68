"""show_if conditions (survey_app.definitions.conditions): parsing against earlier questions, evaluation
on stored answers, and the walk that decides which pages and questions are hidden."""
from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.definitions.conditions import (
    OPERATORS,
    AllOf,
    AnyOf,
    Comparison,
    Not,
    as_data,
    evaluate,
    parse,
    references,
    visibility,
)
from survey_app.definitions.questionnaire import parse_definition

T = {"de": "T", "en": "T"}


def option(value):
    return {"value": value, "label": T}


def definition() -> dict:
    """One page with a question of each kind a condition can use, then a target page."""
    return {
        "id": "demo", "languages": ["de", "en"], "title": T, "intro": T, "anonymity": T,
        "scales": {"agree": {"points": [{"value": v, "label": T} for v in (1, 2, 3)], "dont_know": T},
                   "actors": {"ordered": False, "points": [{"value": v, "label": T} for v in (1, 2)]}},
        "pages": [
            {"id": "first", "title": T, "questions": [
                {"id": "programme", "type": "single_choice", "text": T,
                 "options": [option("general"), option("qfi")]},
                {"id": "obstacles", "type": "multiple_choice", "text": T,
                 "options": [option("time"), option("money"), option("other")]},
                {"id": "hours", "type": "number", "text": T},
                {"id": "rating", "type": "scale", "scale": "agree", "text": T},
                {"id": "actor", "type": "scale", "scale": "actors", "text": T},
                {"id": "since", "type": "date", "text": T},
                {"id": "funding", "type": "yes_no", "text": T},
                {"id": "comment", "type": "short_text", "text": T},
                {"id": "order", "type": "ranking", "text": T, "options": [option("a"), option("b")]},
                {"id": "info", "type": "note", "text": T},
            ]},
            {"id": "second", "title": T, "questions": [
                {"id": "target", "type": "long_text", "text": T},
                {"id": "later", "type": "short_text", "text": T},
            ]},
        ],
    }


def with_condition(condition, on: str = "target") -> dict:
    data = definition()
    for page in data["pages"]:
        if page["id"] == on:
            page["show_if"] = condition
        for question in page["questions"]:
            if question["id"] == on:
                question["show_if"] = condition
    return data


def problems_of(condition, on: str = "target") -> list[tuple[str, str]]:
    questionnaire, problems = parse_definition(with_condition(condition, on), "demo.yaml")
    assert (questionnaire is None) == bool(problems)
    return [(p.location, p.message) for p in problems]


QUESTIONNAIRE, _ = parse_definition(definition(), "demo.yaml")
EARLIER = {q.id: q for q in QUESTIONNAIRE.pages[0].questions}


# ---------------------------------------------------------------- parsing

@pytest.mark.parametrize("condition, expected", [
    ({"question": "programme", "equals": "qfi"}, Comparison("programme", "equals", "qfi")),
    ({"question": "programme", "one_of": ["qfi", "general"]}, Comparison("programme", "one_of", ("qfi", "general"))),
    ({"question": "obstacles", "contains": "other"}, Comparison("obstacles", "contains", "other")),
    ({"question": "hours", "greater_than": 10}, Comparison("hours", "greater_than", 10)),
    ({"question": "hours", "at_most": 2.5}, Comparison("hours", "at_most", 2.5)),
    ({"question": "hours", "not_equals": 0}, Comparison("hours", "not_equals", 0)),
    ({"question": "rating", "at_least": 2}, Comparison("rating", "at_least", 2)),
    ({"question": "rating", "equals": "dk"}, Comparison("rating", "equals", "dk")),
    ({"question": "actor", "equals": 2}, Comparison("actor", "equals", 2)),
    ({"question": "since", "less_than": dt.date(2017, 1, 1)}, Comparison("since", "less_than", "2017-01-01")),
    ({"question": "since", "equals": "2017-03-31"}, Comparison("since", "equals", "2017-03-31")),
    ({"question": "funding", "equals": True}, Comparison("funding", "equals", "yes")),   # YAML's yes
    ({"question": "funding", "one_of": ["no"]}, Comparison("funding", "one_of", ("no",))),
    ({"question": "comment", "answered": True}, Comparison("comment", "answered", True)),
    ({"question": "order", "answered": False}, Comparison("order", "answered", False)),
    ({"all": [{"question": "hours", "greater_than": 1}, {"not": {"question": "funding", "equals": "no"}}]},
     AllOf((Comparison("hours", "greater_than", 1), Not(Comparison("funding", "equals", "no"))))),
    ({"any": [{"question": "obstacles", "contains": "time"}]}, AnyOf((Comparison("obstacles", "contains", "time"),))),
])
def test_valid_conditions_parse(condition, expected):
    questionnaire, problems = parse_definition(with_condition(condition), "demo.yaml")
    assert problems == []
    assert questionnaire.question("target").show_if == expected


@pytest.mark.parametrize("condition, message", [
    ({"question": "programm", "equals": "qfi"}, 'show_if: unknown question "programm" (did you mean "programme"?)'),
    ({"question": "later", "answered": True},
     'show_if: question "later" does not come before this question; a condition can only use earlier answers'),
    ({"question": "target", "answered": True}, 'show_if: question "target" does not come before this question'),
    ({"question": "info", "answered": True}, 'show_if: question "info" is a note and has no answer to depend on'),
    ({"question": "programme", "equals": "qfii"},
     "show_if: question \"programme\" has no option 'qfii' (options: general, qfi)"),
    ({"question": "obstacles", "contains": "othr"}, 'question "obstacles" has no option \'othr\''),
    ({"question": "programme", "one_of": ["qfi", "x"]}, "question \"programme\" has no option 'x'"),
    ({"question": "programme", "one_of": []}, '"one_of" must be a non-empty list of values'),
    ({"question": "rating", "equals": 7}, "question \"rating\" has no scale point 7 (points: 1, 2, 3, dk)"),
    ({"question": "actor", "greater_than": 1},
     '"greater_than" cannot be used with question "actor" (type scale); possible: equals, not_equals, one_of, answered'),
    ({"question": "obstacles", "equals": "time"}, '"equals" cannot be used with question "obstacles" (type multiple_choice)'),
    ({"question": "comment", "equals": "x"}, "possible: answered"),
    ({"question": "hours", "greater_than": "ten"}, "show_if: \"greater_than\" on question \"hours\" needs a number, got 'ten'"),
    ({"question": "hours", "greater_than": True}, 'needs a number, got True'),
    ({"question": "since", "less_than": "31.12.2017"}, 'question "since" is a date; write the value as YYYY-MM-DD'),
    ({"question": "since", "less_than": "2017-02-30"}, 'question "since" is a date'),
    ({"question": "funding", "equals": "maybe"}, "question \"funding\" is answered \"yes\" or \"no\", got 'maybe'"),
    ({"question": "comment", "answered": "ja"}, "\"answered\" must be true or false, got 'ja'"),
    ({"question": "hours", "greater_than": 1, "less_than": 5},
     'show_if: needs exactly one comparison (equals, not_equals, one_of, contains, less_than, at_most, '
     'greater_than, at_least, answered); found "greater_than", "less_than"'),
    ({"question": "hours"}, "needs exactly one comparison"),
    ({"equals": "qfi"}, 'show_if: missing "question"'),
    ({"question": "hours", "greater": 1}, 'show_if: unknown key "greater" (did you mean "greater_than"?)'),
    ({"question": 5, "equals": 1}, 'show_if: "question" must be a question id, got 5'),
    ("programme == qfi", "show_if: must be a mapping such as {question: programme, equals: qfi}, got 'programme == qfi'"),
    ({"all": []}, 'show_if: "all" must be a list of at least one condition, got a list'),
    ({"any": {"question": "hours", "answered": True}}, '"any" must be a list of at least one condition, got a mapping'),
    ({"all": [{"question": "hours", "answered": True}], "question": "x"},
     '"all" must stand alone in its mapping; move "question" into a condition of its own'),
    ({"any": [{"question": "hours", "answered": True}, {"question": "nope", "equals": 1}]},
     'show_if.any[1]: unknown question "nope"'),
    ({"not": {"all": [{"question": "hours", "at_least": "x"}]}}, "show_if.not.all[0]: \"at_least\" on question"),
])
def test_a_wrong_condition_is_an_error_at_its_question(condition, message):
    problems = problems_of(condition)
    assert any(location == 'question "target"' and message in text for location, text in problems), problems


def test_a_page_may_only_depend_on_earlier_pages():
    assert problems_of({"question": "hours", "greater_than": 3}, on="second") == []
    data = with_condition({"question": "programme", "equals": "qfi"})
    data["pages"][0]["show_if"] = {"question": "programme", "equals": "qfi"}
    problems = parse_definition(data, "demo.yaml")[1]
    assert [(p.location, p.message) for p in problems] == [
        ('page "first"', 'show_if: question "programme" is not on an earlier page; '
                         "a page can only depend on answers from earlier pages")]


def test_nesting_without_end_is_refused():
    condition = {"question": "hours", "answered": True}
    for _ in range(30):
        condition = {"not": condition}
    assert any("nested more than 12 levels deep" in message for _, message in problems_of(condition))


def test_a_condition_on_a_broken_question_reports_only_that_question():
    data = with_condition({"question": "programme", "equals": "qfi"})
    data["pages"][0]["questions"][0]["options"] = "general"
    problems = parse_definition(data, "demo.yaml")[1]
    assert {p.location for p in problems} == {'question "programme"'}


def test_the_format_documentation_messages_are_the_real_ones():
    """The error examples under "Branching" in docs/questionnaire-format.md, reproduced on
    the documentation's own example."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    data = yaml.safe_load(doc.split("```yaml\n", 1)[1].split("```", 1)[0])
    documented = doc.split("uses a comparison the question's type does not support, e.g.", 1)[1]
    documented = documented.split("```\n", 1)[1].split("```", 1)[0].splitlines()
    questions = {q["id"]: q for page in data["pages"] for q in page["questions"]}
    questions["obstacles_other"]["show_if"]["contains"] = "othr"
    data["pages"][-1]["show_if"]["all"][0]["question"] = "team_sise"
    questions["programme"]["show_if"] = {"question": "team_size", "at_least": 2}
    problems = parse_definition(data, "demo.yaml")[1]
    assert sorted(str(p) for p in problems) == sorted(documented)


# ---------------------------------------------------------------- evaluation

ANSWERS = {"programme": "qfi", "obstacles": ["time", "other"], "hours": 12, "rating": "dk",
           "since": "2016-05-01", "funding": "no", "comment": "", "order": ["b", "a"]}


@pytest.mark.parametrize("condition, holds", [
    (Comparison("programme", "equals", "qfi"), True),
    (Comparison("programme", "equals", "general"), False),
    (Comparison("programme", "not_equals", "general"), True),
    (Comparison("programme", "one_of", ("general", "qfi")), True),
    (Comparison("obstacles", "contains", "other"), True),
    (Comparison("obstacles", "contains", "money"), False),
    (Comparison("hours", "greater_than", 12), False),
    (Comparison("hours", "at_least", 12), True),
    (Comparison("hours", "less_than", 12.5), True),
    (Comparison("hours", "at_most", 11), False),
    (Comparison("hours", "equals", 12.0), True),
    (Comparison("rating", "at_least", 1), False),         # "don't know" is not on the scale
    (Comparison("rating", "equals", "dk"), True),
    (Comparison("since", "less_than", "2017-01-01"), True),
    (Comparison("since", "greater_than", "2017-01-01"), False),
    (Comparison("funding", "equals", "no"), True),
    (Comparison("comment", "answered", True), False),     # an empty text is no answer
    (Comparison("comment", "answered", False), True),
    (Comparison("order", "answered", True), True),
    (Comparison("missing", "not_equals", "x"), False),    # unanswered: every comparison is false
    (Not(Comparison("missing", "equals", "x")), True),
    (Comparison("missing", "less_than", 3), False),
    (AllOf((Comparison("hours", "at_least", 1), Comparison("funding", "equals", "yes"))), False),
    (AnyOf((Comparison("hours", "at_least", 1), Comparison("funding", "equals", "yes"))), True),
])
def test_evaluation(condition, holds):
    assert evaluate(condition, ANSWERS) is holds


@pytest.mark.parametrize("answer", [True, "12", [12], {"a": 12}, math.nan, None])
def test_odd_answers_never_match_a_number(answer):
    for operator in ("equals", "less_than", "at_most", "greater_than", "at_least"):
        assert evaluate(Comparison("hours", operator, 12), {"hours": answer}) is False


def test_references_and_data():
    condition = AllOf((Comparison("a", "equals", "x"), Not(AnyOf((Comparison("b", "one_of", (1, 2)),)))))
    assert references(condition) == {"a", "b"}
    assert as_data(condition) == {"all": [{"question": "a", "equals": "x"},
                                          {"not": {"any": [{"question": "b", "one_of": [1, 2]}]}}]}
    assert as_data(None) is None


def test_visibility_treats_hidden_questions_as_unanswered():
    data = definition()
    page = data["pages"][1]
    page["questions"][0]["show_if"] = {"question": "programme", "equals": "qfi"}
    page["questions"].append({"id": "chained", "type": "short_text", "text": T,
                              "show_if": {"question": "target", "answered": True}})
    data["pages"].append({"id": "third", "title": T, "show_if": {"question": "target", "answered": True},
                          "questions": [{"id": "last", "type": "short_text", "text": T}]})
    questionnaire, problems = parse_definition(data, "demo.yaml")
    assert problems == []
    shown = visibility(questionnaire, {"programme": "qfi", "target": "text", "last": "x"})
    assert shown.hidden_pages == frozenset() and shown.hidden_questions == frozenset()
    hidden = visibility(questionnaire, {"programme": "general", "target": "text", "last": "x"})
    assert hidden.hidden_pages == {"third"}
    assert hidden.hidden_questions == {"target", "chained", "last"}
    assert hidden.answers == {"programme": "general"}


# ---------------------------------------------------------------- properties

def _comparisons_for(question) -> st.SearchStrategy:
    kind = question.type
    answered = st.builds(Comparison, st.just(question.id), st.just("answered"), st.booleans())
    if kind in ("single_choice", "multiple_choice"):
        values = st.sampled_from([o.value for o in question.options])
    elif kind == "yes_no":
        values = st.sampled_from(["yes", "no"])
    elif kind == "scale":
        values = st.sampled_from([*question.scale.values, *(["dk"] if question.scale.dont_know else [])])
    elif kind == "date":
        values = st.dates().map(dt.date.isoformat)
    elif kind == "number":
        values = st.integers(-50, 50) | st.floats(-50, 50)
    else:
        return answered
    if kind == "multiple_choice":
        return answered | st.builds(Comparison, st.just(question.id), st.just("contains"), values)
    operators = ["equals", "not_equals"]
    if kind in ("number", "date") or (kind == "scale" and question.scale.ordered):
        operators += ["less_than", "at_most", "greater_than", "at_least"]
    orderable = values if kind != "scale" else st.sampled_from(question.scale.values)
    return (answered
            | st.builds(Comparison, st.just(question.id), st.sampled_from(["equals", "not_equals"]), values)
            | st.builds(Comparison, st.just(question.id), st.just("one_of"),
                        st.lists(values, min_size=1, max_size=3).map(tuple))
            | st.builds(Comparison, st.just(question.id), st.sampled_from(operators[2:] or ["equals"]), orderable))


comparisons = st.one_of([_comparisons_for(q) for q in EARLIER.values() if q.has_answer])
conditions = st.recursive(
    comparisons,
    lambda inner: (st.builds(AllOf, st.lists(inner, min_size=1, max_size=3).map(tuple))
                   | st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple))
                   | st.builds(Not, inner)),
    max_leaves=8,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
    | st.sampled_from(["qfi", "general", "yes", "no", "dk", "2017-01-01", "other", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)
answer_sets = st.dictionaries(st.sampled_from([*EARLIER, "unknown"]), json_values, max_size=10)
PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(conditions, answer_sets)
def test_evaluation_never_raises_and_gives_a_bool(condition, answers):
    assert isinstance(evaluate(condition, answers), bool)


@PROPERTIES
@given(conditions, answer_sets)
def test_not_not_is_the_condition_itself(condition, answers):
    assert evaluate(Not(Not(condition)), answers) == evaluate(condition, answers)


@PROPERTIES
@given(conditions, conditions, answer_sets)
def test_all_and_any_follow_de_morgan(a, b, answers):
    assert evaluate(AllOf((a, b)), answers) == (evaluate(a, answers) and evaluate(b, answers))
    assert evaluate(AnyOf((a, b)), answers) == (evaluate(a, answers) or evaluate(b, answers))
    assert evaluate(Not(AllOf((a, b))), answers) == evaluate(AnyOf((Not(a), Not(b))), answers)
    assert evaluate(AllOf((a,)), answers) == evaluate(a, answers) == evaluate(AnyOf((a,)), answers)
    assert evaluate(AllOf(()), answers) is True and evaluate(AnyOf(()), answers) is False


@PROPERTIES
@given(conditions, answer_sets)
def test_a_comparison_on_an_unanswered_question_is_false(condition, answers):
    for question_id in references(condition):
        answers = {**answers, question_id: None}
    for comparison in _comparisons(condition):
        assert evaluate(comparison, answers) == (comparison.operator == "answered" and not comparison.value)


def _comparisons(condition):
    if isinstance(condition, (AllOf, AnyOf)):
        return [c for part in condition.conditions for c in _comparisons(part)]
    if isinstance(condition, Not):
        return _comparisons(condition.condition)
    return [condition]


@PROPERTIES
@given(conditions)
def test_the_json_form_parses_back_to_the_same_condition(condition):
    parsed, errors = parse(as_data(condition), EARLIER, set(EARLIER))
    assert errors == [] and parsed == condition


@PROPERTIES
@given(conditions, st.sampled_from(["later", "target", "nowhere_else"]), st.data())
def test_a_reference_to_a_later_or_unknown_question_is_always_an_error(condition, bad_id, data):
    """Swap one referenced question for one that is not before the target: the definition
    is refused with a message at the target question that names the bad reference."""
    spoiled = copy.deepcopy(as_data(condition))
    node = spoiled
    while "question" not in node:
        key = next(iter(node))
        node = node[key] if key == "not" else data.draw(st.sampled_from(node[key]))
    node.clear()
    node.update({"question": bad_id, "answered": True})
    problems = problems_of(spoiled)
    assert problems and all(location == 'question "target"' for location, _ in problems)
    assert any(f'question "{bad_id}"' in message for _, message in problems)


@PROPERTIES
@given(st.sampled_from(OPERATORS), json_values)
def test_parsing_odd_values_never_raises(operator, value):
    for question_id in [*EARLIER, "nope"]:
        condition, errors = parse({"question": question_id, operator: value}, EARLIER, set(EARLIER))
        assert (condition is None) == bool(errors)
