"""Loading and validating questionnaire definitions (survey_app.definitions.questionnaire)."""
from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.definitions.loader import ERROR, WARNING
from survey_app.definitions.model import Questionnaire
from survey_app.questions.registry import QUESTION_TYPES
from survey_app.definitions.questionnaire import TYPE_KEYS, load_file, load_folder, parse_definition

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "questionnaires"
FIXTURES = Path(__file__).resolve().parent / "data" / "definitions"

TASKS = {
    "task.support_initiatives", "task.events_projects", "task.new_projects",
    "task.everyday_solutions", "task.contact_person", "task.networking", "task.navigator",
}
QUARTERS = {
    "ost_rothe_erde", "forst_driescher_hof", "preuswald",
    "aachen_nord", "richterich", "eilendorf", "kronenberg",
}


def texts(q: Questionnaire):
    """Every (where, Text) in a questionnaire."""
    yield "title", q.title
    yield "intro", q.intro
    yield "anonymity", q.anonymity
    for scale in q.scales.values():
        for point in scale.points:
            yield f"scale {scale.id} point {point.value}", point.label
        if scale.dont_know:
            yield f"scale {scale.id} dont_know", scale.dont_know
    for page in q.pages:
        yield f"page {page.id}", page.title
        if page.intro:
            yield f"page {page.id} intro", page.intro
        for question in page.questions:
            yield question.id, question.text
            for key in ("help", "unit", "pattern_message", "yes_label", "no_label"):
                if getattr(question, key):
                    yield f"{question.id} {key}", getattr(question, key)
            for option in question.options:
                yield f"{question.id} option {option.value}", option.label
            for item in question.items:
                yield f"{question.id} item {item.id}", item.label


def item_constructs(q: Questionnaire) -> dict[str, str]:
    """item id -> construct, over all matrix and allocation questions (must not conflict)."""
    found: dict[str, str] = {}
    for question in q.questions():
        for item in question.items:
            assert found.setdefault(item.id, item.construct) == item.construct, item.id
    return found


# ---------------------------------------------------------------- the shipped set

@pytest.fixture(scope="module")
def shipped():
    catalogue = load_folder(SHIPPED)
    assert catalogue.problems == []
    return catalogue.questionnaires


def test_shipped_files_load_without_problems(shipped):
    assert set(shipped) == {"staff-self-assessment", "stakeholder-questionnaire"}
    for q in shipped.values():
        assert q.languages[:2] == ("de", "en")
        assert len(q.content_hash) == 64
        assert 4 <= len(q.pages) <= 5
    assert shipped["staff-self-assessment"].languages == ("de", "en")


def test_the_partial_arabic_version_gives_one_summary_warning():
    catalogue = load_folder(SHIPPED)
    stakeholder = catalogue.questionnaires["stakeholder-questionnaire"]
    assert stakeholder.languages == ("de", "en", "ar") and stakeholder.partial_languages == ("ar",)
    [warning] = catalogue.warnings
    assert warning.severity == WARNING and warning.file == "stakeholder-questionnaire.yaml"
    assert 'language "ar" is marked as partial' in warning.message
    assert 'shown in "de" instead' in warning.message
    # The start page and the whole first page are in Arabic.
    for text in (stakeholder.title, stakeholder.intro, stakeholder.anonymity, stakeholder.pages[0].title):
        assert "ar" in text
    for question in stakeholder.pages[0].questions:
        assert "ar" in question.text
        assert all("ar" in option.label for option in question.options)
    assert "Quartiersmanagement" in stakeholder.intro["ar"]


def test_every_task_construct_appears_in_both_with_the_same_item_ids(shipped):
    staff = item_constructs(shipped["staff-self-assessment"])
    stakeholder = item_constructs(shipped["stakeholder-questionnaire"])
    for constructs in (staff, stakeholder):
        assert TASKS | {"task.case_work"} <= set(constructs.values())
    for item_id in staff.keys() & stakeholder.keys():
        assert staff[item_id] == stakeholder[item_id]
    assert {c for c in staff.values() if c in TASKS} == {c for c in stakeholder.values() if c in TASKS}


def test_every_text_is_present_in_german_and_english(shipped):
    for q in shipped.values():
        for where, text in texts(q):
            assert {"de", "en"} <= set(text), (q.id, where)
            assert all(value.strip() for value in text.values()), (q.id, where)


def test_both_questionnaires_share_quarters_actors_and_the_responsibility_matrix(shipped):
    staff, stakeholder = shipped["staff-self-assessment"], shipped["stakeholder-questionnaire"]
    assert {o.value for o in staff.question("quarter").options} == QUARTERS
    assert QUARTERS <= {o.value for o in stakeholder.question("quarter").options}
    assert staff.scales["actors"] == stakeholder.scales["actors"]
    assert staff.scales["actors"].ordered is False
    for q in (staff, stakeholder):
        matrix = q.question("task_responsibility")
        assert matrix.scale.id == "actors"
        assert matrix.construct == "roles.responsibility"
        assert "task.case_work" in {item.construct for item in matrix.items}


def test_staff_questions_have_the_requested_shape(shipped):
    staff = shipped["staff-self-assessment"]
    time = staff.question("task_time")
    assert (time.type, time.total, time.integer, time.min, time.max) == ("allocation", 100, True, 0, 100)
    assert "other" in {item.id for item in time.items}
    quality = staff.question("task_quality")
    assert quality.type == "matrix" and quality.scale.ordered and quality.scale.dont_know
    assert {item.construct for item in quality.items} == TASKS
    obstacles = staff.question("obstacles")
    assert obstacles.max_choices == 3 and "other" in {o.value for o in obstacles.options}
    assert staff.question("obstacles_other").type == "short_text"
    assert staff.question("comments").type == "long_text"
    assert staff.question("comments").max_length == 5000  # the default is filled in
    assert 10 <= staff.duration_minutes <= 20


def test_stakeholder_questions_have_the_requested_shape(shipped):
    stakeholder = shipped["stakeholder-questionnaire"]
    assert stakeholder.question("organisation_type").type == "single_choice"
    assert stakeholder.question("contact_frequency").type == "single_choice"
    usefulness = stakeholder.question("task_usefulness")
    assert usefulness.scale.ordered and usefulness.scale.dont_know
    assert {item.construct for item in usefulness.items} == TASKS
    for question_id in ("works_well", "should_change", "comments"):
        assert stakeholder.question(question_id).type == "long_text"


def test_anonymity_statements_promise_what_the_app_does(shipped):
    for q in shipped.values():
        de, en = q.anonymity["de"], q.anonymity["en"]
        for phrase in ("ohne Namen", "ohne IP-Adresse", "nur das Datum", "mindestens fünf Personen"):
            assert phrase in de
        for phrase in ("without your name", "IP address", "only the date", "at least five people"):
            assert phrase in en


def test_the_example_in_the_format_documentation_is_valid_and_uses_every_type(tmp_path):
    doc = (ROOT / "docs" / "questionnaire-format.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    questionnaire, problems = load_file(tmp_path / "example.yaml")
    assert problems == []
    assert {q.type for q in questionnaire.questions()} == set(QUESTION_TYPES)


# ---------------------------------------------------------------- bad files

@pytest.mark.parametrize("name, location, reason", [
    ("bad_unknown_type.yaml", 'question "rating"',
     "unknown question type 'rating_stars'; allowed types: single_choice, multiple_choice"),
    ("bad_duplicate_id.yaml", 'question "comments"',
     'duplicate question id "comments" (first used at pages[0].questions[0])'),
    ("bad_missing_options.yaml", 'question "programme"', 'missing required key "options"'),
    ("bad_unknown_scale.yaml", 'question "task_quality"',
     'unknown scale "quality5" (defined scales: agree5)'),
    ("bad_missing_translation.yaml", 'question "task_quality" item "networking"',
     '"label": missing translation for "de" (the default language)'),
    ("bad_unknown_key.yaml", 'question "comments"',
     'unknown key "requierd" (did you mean "required"?)'),
    ("bad_min_max.yaml", 'question "hours"', '"min" (40) must be less than "max" (10)'),
    ("bad_yaml_syntax.yaml", "line 12",
     "YAML syntax error: could not find expected ':' (while scanning a simple key at line 11)"),
])
def test_a_bad_file_gives_one_problem_naming_file_location_and_reason(name, location, reason):
    questionnaire, problems = load_file(FIXTURES / name)
    assert questionnaire is None
    assert len(problems) == 1, problems
    assert problems[0].file == name
    assert problems[0].location == location
    assert reason in problems[0].message
    assert str(problems[0]).startswith(f"{name}: {location}: ")


def test_a_file_with_several_mistakes_reports_all_of_them():
    questionnaire, problems = load_file(FIXTURES / "bad_several.yaml")
    assert questionnaire is None
    found = {(p.location, p.message) for p in problems}
    expected = [
        ("top level", 'missing required key "anonymity"'),
        ("top level", '"id" must be a simple id'),
        ("top level", '"title": missing translation for "en"'),
        ('question "quarter" option "ost"', 'duplicate option value "ost"'),
        ('question "obstacles"', '"max_choices" (5) is more than the number of options (1)'),
        ('question "task_time"', '"total" must be more than 0'),
        ('question "task_time" item "networking"', 'duplicate item id "networking"'),
        ('question "Task-Quality"', '"id" must be a simple id matching [a-z0-9_]+'),
        ('question "Task-Quality"', 'unknown scale "quality5"'),
    ]
    for location, reason in expected:
        assert any(loc == location and reason in msg for loc, msg in found), (location, reason)
    assert len(problems) == len(expected)


# Smaller cases, each a change to a valid definition given as data.

def valid_definition() -> dict:
    text = {"de": "Text", "en": "Text"}
    return {
        "id": "demo", "languages": ["de", "en"],
        "title": text, "intro": text, "anonymity": text,
        "scales": {"agree3": {"points": [{"value": v, "label": text} for v in (1, 2, 3)]}},
        "pages": [{"id": "main", "title": text, "questions": [
            {"id": "pick", "type": "single_choice", "text": text,
             "options": [{"value": "a", "label": text}, {"value": "b", "label": text}]},
            {"id": "many", "type": "multiple_choice", "text": text,
             "options": [{"value": "a", "label": text}, {"value": "b", "label": text}]},
            {"id": "rate", "type": "scale", "scale": "agree3", "text": text},
            {"id": "hours", "type": "number", "text": text},
            {"id": "time", "type": "allocation", "total": 100, "text": text,
             "items": [{"id": "a", "label": text}]},
            {"id": "note", "type": "short_text", "text": text},
        ]}],
    }


def question(definition: dict, question_id: str) -> dict:
    return next(q for q in definition["pages"][0]["questions"] if q["id"] == question_id)


def test_the_valid_definition_is_valid():
    questionnaire, problems = parse_definition(valid_definition(), "demo.yaml", "abc")
    assert problems == []
    assert questionnaire.content_hash == "abc" and questionnaire.source == "demo.yaml"
    assert questionnaire.question("note").max_length == 200
    assert questionnaire.question("rate").scale.values == (1, 2, 3)


T = {"de": "T", "en": "T"}


@pytest.mark.parametrize("change, location, reason", [
    (lambda d: question(d, "many").update(max_choices=3), 'question "many"',
     '"max_choices" (3) is more than the number of options (2)'),
    (lambda d: question(d, "time").update(total=-5), 'question "time"', '"total" must be more than 0'),
    (lambda d: question(d, "time").update(integer="yes"), 'question "time"',
     '"integer" must be true or false'),
    (lambda d: question(d, "hours").update(min="ten"), 'question "hours"', '"min" must be a number'),
    (lambda d: question(d, "hours").update(max_length=10), 'question "hours"',
     'key "max_length" is not used by type "number"'),
    (lambda d: question(d, "note").update(max_length=0), 'question "note"',
     '"max_length" must be a whole number of at least 1'),
    (lambda d: question(d, "pick").update(required="ja"), 'question "pick"',
     '"required" must be true or false'),
    (lambda d: question(d, "pick").update(text="Quartier?"), 'question "pick"',
     '"text" must map each language to a text'),
    (lambda d: question(d, "pick").update(text={**T, "fr": "T"}), 'question "pick"',
     '"text": language "fr" is not listed in languages (de, en)'),
    (lambda d: question(d, "pick").update(text={"de": "T", "en": False}), 'question "pick"',
     "YAML reads yes/no/on/off as true/false, so put the text in quotes"),
    (lambda d: question(d, "pick").update(text={"de": "T", "en": "  "}), 'question "pick"',
     'the "en" text must be a non-empty string'),
    (lambda d: question(d, "pick").update(construct="Task Networking"), 'question "pick"',
     '"construct" must be a simple id'),
    (lambda d: question(d, "pick")["options"][1].update(value="a"), 'question "pick" option "a"',
     'duplicate option value "a"'),
    (lambda d: question(d, "pick")["options"][1].update(value=2), 'question "pick" options[1]',
     "write it in quotes"),
    (lambda d: question(d, "pick")["options"].pop(), 'question "pick"',
     '"options" must have at least 2 entries'),
    (lambda d: d["scales"]["agree3"]["points"][1].update(value=2.5), 'scale "agree3" points[1]',
     '"value" must be a whole number'),
    (lambda d: d["scales"]["agree3"]["points"][1].update(value=5), 'scale "agree3"',
     "must be listed by increasing value"),
    (lambda d: d["scales"]["agree3"]["points"][1].update(value=1), 'scale "agree3"',
     "two points have the same value"),
    (lambda d: d["scales"]["agree3"].update(odered=False), 'scale "agree3"',
     'unknown key "odered" (did you mean "ordered"?)'),
    (lambda d: d["pages"][0].update(id="Main Page"), 'page "Main Page"', '"id" must be a simple id'),
    (lambda d: d["pages"][0].update(questions=[]), 'page "main"', '"questions" must have at least 1 entry'),
    (lambda d: d["pages"][0]["questions"].insert(0, "pick"), "pages[0].questions[0]", "must be a mapping"),
    (lambda d: d["pages"].append({"id": "main", "title": T, "questions": [
        {"id": "other", "type": "long_text", "text": T}]}), 'page "main"', 'duplicate page id "main"'),
    (lambda d: d.update(languages="de"), "top level", '"languages" must be a non-empty list'),
    (lambda d: d.update(duration_minutes=0), "top level",
     '"duration_minutes" must be a whole number of at least 1'),
    (lambda d: d.update(languages=["de", "en", "de-x-Easy"]), "top level",
     '"languages": \'de-x-Easy\' is not a language code'),
    (lambda d: d.update(partial_languages=["de"]), "top level",
     '"partial_languages": "de" is the default language, which must be complete'),
    (lambda d: d.update(partial_languages=["fr"]), "top level",
     '"partial_languages": \'fr\' is not listed in languages (de, en)'),
    (lambda d: question(d, "pick").update(text={"en": "T"}), 'question "pick"',
     '"text": missing translation for "de" (the default language)'),
])
def test_a_wrong_value_is_reported_at_its_place(change, location, reason):
    definition = valid_definition()
    change(definition)
    questionnaire, problems = parse_definition(definition, "demo.yaml")
    assert questionnaire is None
    assert any(p.location == location and reason in p.message for p in problems), problems


def test_a_non_mapping_or_empty_definition_is_a_problem():
    assert parse_definition(None, "x.yaml")[1][0].message == "the file is empty"
    assert "must be a mapping" in parse_definition(["id"], "x.yaml")[1][0].message


def test_yaml_mistakes_are_reported_with_their_line(tmp_path):
    (tmp_path / "dup.yaml").write_text("id: a\nlanguages: [de]\nid: b\n", encoding="utf-8")
    (tmp_path / "tab.yaml").write_text("id: a\npages:\n\t- id: x\n", encoding="utf-8")
    (tmp_path / "latin1.yaml").write_bytes("id: a\ntitle: {de: Stra\xdfe}\n".encode("latin-1"))
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_file(tmp_path / "dup.yaml")[1][0].location == "line 3"
    assert 'the key "id" appears twice' in load_file(tmp_path / "dup.yaml")[1][0].message
    assert load_file(tmp_path / "tab.yaml")[1][0].location == "line 3"
    assert load_file(tmp_path / "latin1.yaml")[1][0].location == "line 2"
    assert load_file(tmp_path / "empty.yaml")[1][0].message == "the file is empty"
    assert load_file(tmp_path / "missing.yaml")[1][0].location == "file"


def test_load_file_hashes_the_file_bytes():
    path = FIXTURES / "good_minimal.yaml"
    questionnaire, problems = load_file(path)
    assert problems == []
    assert questionnaire.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert questionnaire.source == "good_minimal.yaml"


# ---------------------------------------------------------------- folders

def test_load_folder_keeps_the_good_file_and_reports_the_broken_one(tmp_path):
    shutil.copy(FIXTURES / "good_minimal.yaml", tmp_path / "a.yml")
    shutil.copy(FIXTURES / "bad_unknown_type.yaml", tmp_path / "b.yaml")
    (tmp_path / "notes.txt").write_text("not a definition", encoding="utf-8")
    catalogue = load_folder(tmp_path)
    assert list(catalogue.questionnaires) == ["good-minimal"]
    assert [(p.file, p.location) for p in catalogue.problems] == [("b.yaml", 'question "rating"')]


def test_load_folder_reports_a_questionnaire_id_used_twice(tmp_path):
    shutil.copy(FIXTURES / "good_minimal.yaml", tmp_path / "first.yaml")
    shutil.copy(FIXTURES / "good_minimal.yaml", tmp_path / "second.yaml")
    catalogue = load_folder(tmp_path)
    assert catalogue.questionnaires["good-minimal"].source == "first.yaml"
    assert [str(p) for p in catalogue.problems] == [
        'second.yaml: id: questionnaire id "good-minimal" is already used by first.yaml']


def test_load_folder_of_a_missing_folder_is_a_problem_not_an_error(tmp_path):
    catalogue = load_folder(tmp_path / "nowhere")
    assert catalogue.questionnaires == {}
    assert catalogue.problems[0].message == "the folder does not exist"


def test_type_keys_cover_every_question_type():
    assert tuple(TYPE_KEYS) == QUESTION_TYPES


# ---------------------------------------------------------------- properties

slugs = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
words = st.text(min_size=1, max_size=12).filter(str.strip)


def text_in(langs):
    return st.fixed_dictionaries({lang: words for lang in langs})


@st.composite
def scales(draw, langs):
    values = draw(st.lists(st.integers(-3, 10), min_size=2, max_size=6, unique=True))
    scale = {"points": [{"value": v, "label": draw(text_in(langs))} for v in sorted(values)]}
    if draw(st.booleans()):
        scale["ordered"] = draw(st.booleans())
    if draw(st.booleans()):
        scale["dont_know"] = draw(text_in(langs))
    return scale


def entries(langs, key, minimum):
    return st.lists(slugs, min_size=minimum, max_size=5, unique=True).flatmap(
        lambda ids: st.tuples(*[text_in(langs) for _ in ids]).map(
            lambda labels: [{key: i, "label": label} for i, label in zip(ids, labels)]))


@st.composite
def valid_questions(draw, langs, scale_ids):
    types = [t for t in QUESTION_TYPES if scale_ids or t not in ("scale", "matrix")]
    qtype = draw(st.sampled_from(types))
    q = {"id": draw(slugs), "type": qtype, "text": draw(text_in(langs))}
    if draw(st.booleans()):
        q["help"] = draw(text_in(langs))
    if qtype != "note" and draw(st.booleans()):
        q["required"] = draw(st.booleans())
    if qtype != "note" and draw(st.booleans()):
        q["construct"] = draw(st.from_regex(r"[a-z_]{1,6}(\.[a-z0-9_]{1,6}){0,2}", fullmatch=True))
    if qtype in ("single_choice", "multiple_choice", "ranking"):
        q["options"] = draw(entries(langs, "value", 2))
        if qtype == "multiple_choice" and draw(st.booleans()):
            q["max_choices"] = draw(st.integers(1, len(q["options"])))
        if qtype == "multiple_choice" and draw(st.booleans()):
            q["min_choices"] = draw(st.integers(1, q.get("max_choices", len(q["options"]))))
    if qtype in ("scale", "matrix"):
        q["scale"] = draw(st.sampled_from(scale_ids))
    if qtype in ("matrix", "allocation"):
        q["items"] = draw(entries(langs, "id", 1))
    if qtype == "number":
        bounds = draw(st.lists(st.integers(-1000, 1000), min_size=2, max_size=2, unique=True))
        q.update(zip(("min", "max"), sorted(bounds)))
        q["integer"] = draw(st.booleans())
        if draw(st.booleans()):
            q["step"] = draw(st.integers(1, 20))
    if qtype == "allocation":
        q["total"] = draw(st.integers(1, 1000))
        q["integer"] = draw(st.booleans())
    if qtype in ("number", "allocation") and draw(st.booleans()):
        q["unit"] = draw(text_in(langs))
    if qtype in ("short_text", "long_text") and draw(st.booleans()):
        q["max_length"] = draw(st.integers(1, 10_000))
        if draw(st.booleans()):
            q["min_length"] = draw(st.integers(1, q["max_length"]))
    if qtype in ("short_text", "long_text") and draw(st.booleans()):
        q["pattern"] = draw(st.sampled_from([r"[0-9]{5}", r"[A-Z]{2}-[0-9]+", r"\S+@\S+", "ja|nein"]))
        q["pattern_message"] = draw(text_in(langs))
    if qtype == "date":
        days = sorted(draw(st.lists(st.dates(), min_size=2, max_size=2, unique=True)))
        q.update({k: v for k, v in zip(("min_date", "max_date"), days) if draw(st.booleans())})
    if qtype == "yes_no" and draw(st.booleans()):
        q["yes_label"], q["no_label"] = draw(text_in(langs)), draw(text_in(langs))
    return q


@st.composite
def valid_definitions(draw):
    langs = draw(st.lists(st.sampled_from(["de", "en", "fr", "tr", "ar"]),
                          min_size=1, max_size=3, unique=True))
    scale_defs = draw(st.dictionaries(slugs, scales(langs), max_size=3))
    pages = draw(st.lists(st.lists(valid_questions(langs, sorted(scale_defs)), min_size=1, max_size=4),
                          min_size=1, max_size=3))
    n = 0
    for questions in pages:
        for q in questions:
            q["id"] = f"{q['id']}_{n}"  # unique across the definition
            n += 1
    definition = {
        "id": draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)),
        "languages": langs,
        "title": draw(text_in(langs)), "intro": draw(text_in(langs)), "anonymity": draw(text_in(langs)),
        "pages": [{"id": f"page_{i}", "title": draw(text_in(langs)), "questions": qs}
                  for i, qs in enumerate(pages)],
    }
    if scale_defs:
        definition["scales"] = scale_defs
    if draw(st.booleans()):
        definition["duration_minutes"] = draw(st.integers(1, 60))
    return definition


QUESTION_KEYS = ["id", "type", "text", "help", "required", "construct", *sorted(
    {k for req, opt in TYPE_KEYS.values() for k in (*req, *opt)})]
junk_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
                | st.sampled_from(["de", "en", "agree3", "a", *QUESTION_TYPES]))
junk = st.recursive(
    junk_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from([*QUESTION_KEYS, "de", "en", "value", "label", "requierd"])
                      | st.text(max_size=5) | st.integers(), inner, max_size=5),
    max_leaves=25,
)
junk_questions = st.dictionaries(st.sampled_from([*QUESTION_KEYS, "requierd"]), junk, max_size=8)


@st.composite
def random_definitions(draw):
    """Mostly well-formed skeletons holding random (often broken) question lists."""
    definition = draw(valid_definitions())
    for page in definition["pages"]:
        page["questions"] = draw(st.lists(
            st.sampled_from(page["questions"]) | junk_questions | junk, max_size=5))
    for key in draw(st.lists(st.sampled_from(list(definition)), max_size=2)):
        definition[key] = draw(junk)
    return definition if draw(st.booleans()) else draw(st.one_of(st.just(definition), junk))


PROPERTY_SETTINGS = settings(max_examples=80, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@PROPERTY_SETTINGS
@given(random_definitions())
def test_parse_never_raises_and_returns_a_questionnaire_or_problems(data):
    questionnaire, problems = parse_definition(data, "random.yaml")
    assert (questionnaire is None) == any(p.severity == ERROR for p in problems)
    assert all(p.file == "random.yaml" and p.location and p.message for p in problems)
    assert all(p.severity in (ERROR, WARNING) for p in problems)


@PROPERTY_SETTINGS
@given(valid_definitions())
def test_generated_valid_definitions_parse(definition):
    questionnaire, problems = parse_definition(definition, "valid.yaml")
    assert problems == []
    assert [q.id for q in questionnaire.questions()] == [
        q["id"] for page in definition["pages"] for q in page["questions"]]


def removable(definition: dict) -> list[tuple[dict, str]]:
    """(mapping, key) pairs whose removal must make the definition invalid:
    every required key and every text in the default language."""
    spots = [(definition, key) for key in ("id", "languages", "title", "intro", "anonymity", "pages")]
    texts = [definition["title"], definition["intro"], definition["anonymity"]]
    for scale in definition.get("scales", {}).values():
        spots.append((scale, "points"))
        for point in scale["points"]:
            spots += [(point, "value"), (point, "label")]
            texts.append(point["label"])
        texts += [scale[k] for k in ("dont_know",) if k in scale]
    for page in definition["pages"]:
        spots += [(page, key) for key in ("id", "title", "questions")]
        texts.append(page["title"])
        for q in page["questions"]:
            spots += [(q, key) for key in ("id", "type", "text", *TYPE_KEYS[q["type"]][0])]
            texts += [q["text"], *(q[k] for k in ("help", "unit", "pattern_message", "yes_label", "no_label")
                                   if k in q)]
            keyed = [(o, "value") for o in q.get("options", [])] + [(i, "id") for i in q.get("items", [])]
            for entry, key in keyed:
                spots += [(entry, key), (entry, "label")]
                texts.append(entry["label"])
    return spots, texts


@PROPERTY_SETTINGS
@given(valid_definitions(), st.data())
def test_dropping_a_required_key_or_a_default_language_text_is_always_a_problem(definition, data):
    mutated = copy.deepcopy(definition)
    spots, texts = removable(mutated)
    default = mutated["languages"][0]
    spots += [(text, default) for text in texts]
    mapping, key = spots[data.draw(st.integers(0, len(spots) - 1), label="spot")]
    del mapping[key]
    questionnaire, problems = parse_definition(mutated, "mutated.yaml")
    assert questionnaire is None
    assert any(f'"{key}"' in p.message and p.severity == ERROR for p in problems), problems


@PROPERTY_SETTINGS
@given(valid_definitions().filter(lambda d: len(d["languages"]) > 1), st.data())
def test_dropping_another_language_text_is_a_warning_and_falls_back(definition, data):
    mutated = copy.deepcopy(definition)
    _, texts = removable(mutated)
    text = data.draw(st.sampled_from(texts), label="text")
    lang = data.draw(st.sampled_from(mutated["languages"][1:]), label="language")
    del text[lang]
    questionnaire, problems = parse_definition(mutated, "mutated.yaml")
    assert questionnaire is not None
    [warning] = problems
    assert warning.severity == WARNING
    assert f'missing translation for "{lang}"' in warning.message
    assert f'the "{mutated["languages"][0]}" text is shown instead' in warning.message
