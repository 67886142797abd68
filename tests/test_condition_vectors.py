"""One set of cases, tests/data/conditions/vectors.json, on which the server and static/survey.js
must agree: show_if conditions, how typed input becomes an answer (including "1_000", "0x10",
"Infinity" and 2023-02-31), and whether a page follows the current one (the "Next" or "Submit"
button), and when numbers add up to a total. The server is the reference: these tests run the cases against it, and then against
survey.js under node."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from conftest import make_app
from survey_app.analysis.stats import adds_up
from survey_app.definitions.conditions import AllOf, AnyOf, Comparison, Not, evaluate, live_conditions
from survey_app.definitions.questionnaire import parse_definition
from survey_app.fieldings.navigation import next_page
from survey_app.web.forms import page_form

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "data" / "conditions" / "vectors.json").read_text(encoding="utf-8"))
T = {"de": "T", "en": "T"}


def condition_from(data: dict):
    """A condition in the shape of the definition file (as conditions.as_data writes it)."""
    if "all" in data:
        return AllOf(tuple(condition_from(c) for c in data["all"]))
    if "any" in data:
        return AnyOf(tuple(condition_from(c) for c in data["any"]))
    if "not" in data:
        return Not(condition_from(data["not"]))
    (operator, value), = ((k, v) for k, v in data.items() if k != "question")
    return Comparison(data["question"], operator, tuple(value) if isinstance(value, list) else value)


def questionnaire(**parts):
    data = {"id": "vectors", "languages": ["de", "en"], "title": T, "intro": T, "anonymity": T, **parts}
    result, problems = parse_definition(data, "vectors.yaml")
    assert result is not None, problems
    return result


@pytest.mark.parametrize("case", VECTORS["conditions"], ids=lambda case: case["name"])
def test_conditions_on_the_server(case):
    assert evaluate(condition_from(case["condition"]), case["answers"]) is case["expected"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("vectors"))


@pytest.mark.parametrize("case", VECTORS["readers"], ids=lambda case: case["name"])
def test_typed_input_on_the_server(app, case):
    """What the server reads from the posted fields: the answer that decides, on the server,
    which questions of the page show (before its checks give messages)."""
    definition = questionnaire(scales=VECTORS["scales"],
                               pages=[{"id": "p", "title": T, "questions": [case["question"]]}])
    question = definition.questions()[0]
    assert question.kind.reader == case["reader"]
    assert question.kind.reader_settings(question) == case["settings"]
    with app.test_request_context():
        form = page_form(definition, 0, "de", {}, formdata=MultiDict(
            [(name, value) for name, values in case["input"].items() for value in values]))
        answer = question.kind.answer(form, question)
    assert answer == case["expected"] and type(answer) is type(case["expected"])


@pytest.mark.parametrize("case", VECTORS["pages"], ids=lambda case: case["name"])
def test_the_next_page_on_the_server(case):
    definition = questionnaire(**case["definition"])
    assert live_conditions(definition, case["page"], case["stored"]) == case["live"]
    answers = {**case["stored"], **case["posted"]}
    assert (next_page(definition, answers, case["page"]) is not None) is case["expected_next"]


@pytest.mark.parametrize("case", VECTORS["sums"], ids=lambda case: str(case["values"]))
def test_numbers_adding_up_on_the_server(case):
    """The live sum under numbers that must add up to a total warns exactly when the server refuses."""
    assert adds_up(case["values"], case["total"]) is case["expected"]


def test_survey_js_agrees_on_every_case():
    node = shutil.which("node")
    if node is None:
        reason = "node not found (Debian: apt-get install nodejs)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; under CI=true the survey.js cases must run")
        pytest.skip(reason)
    run = subprocess.run([node, str(ROOT / "tests" / "js" / "run_conditions.js")], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
