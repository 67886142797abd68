"""XLSForm import on real .xlsx files made here, good and malformed, through the module and the CLI."""
from __future__ import annotations

import io

import pytest
import yaml
from openpyxl import Workbook

from survey_app.definitions.questionnaire import parse_definition
from survey_app.definitions.xlsform import (
    XLSFormError,
    constraint_to_limits,
    convert_workbook,
    relevant_to_show_if,
)

SURVEY_HEADER = ["type", "name", "label::Deutsch (de)", "label::English (en)", "hint::Deutsch (de)", "required",
                 "relevant", "constraint", "appearance"]


def xlsform(survey_rows, choices=(), settings=None, survey_header=SURVEY_HEADER) -> bytes:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(survey_header)
    for row in survey_rows:
        survey.append(list(row) + [None] * (len(survey_header) - len(row)))
    sheet = workbook.create_sheet("choices")
    sheet.append(["list_name", "name", "label::Deutsch (de)", "label::English (en)"])
    for row in choices:
        sheet.append(list(row))
    if settings:
        sheet = workbook.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CHOICES = [("org", "welfare", "Wohlfahrtsverband", "Welfare association"), ("org", "city", "Stadt", "City"),
           ("topics", "net", "Netzwerk", "Networking"), ("topics", "nav", "Lotsen", "Navigation")]
FULL = [
    ("begin group", "about", "Über Sie", "About you"),
    ("select_one org", "org", "Organisation", "Organisation", "Bitte eine", "yes"),
    ("integer", "years", "Jahre", "Years", None, "true", "${org} = 'welfare'", ". >= 0 and . <= 60"),
    ("decimal", "share", "Anteil", "Share", None, None, None, ". >= 0 and . <= 1.5"),
    ("end group",),
    ("begin group", "more", "Mehr", "More"),
    ("select_multiple topics", "topics", "Themen", "Topics", None, None, None, "count-selected(.) <= 1"),
    ("text", "comment", "Kommentar", "Comment", None, None, "selected(${topics}, 'net') or ${years} > 5",
     "string-length(.) <= 300", "multiline"),
    ("text", "name_short", "Kurz", "Short", None, None, "not(${org} = 'city')"),
    ("date", "since", "Seit", "Since"),
    ("note", "thanks", "Danke", "Thanks"),
    ("end group",),
]


def definition_of(data: bytes):
    conversion = convert_workbook(data, "form.xlsx")
    questionnaire, problems = parse_definition(conversion.definition, "form.xlsx")
    return conversion, questionnaire, [p for p in problems if getattr(p, "severity", "error") == "error"]


def test_every_supported_construct_is_carried_over():
    conversion, questionnaire, errors = definition_of(xlsform(FULL, CHOICES, {"form_title": "Partner", "form_id": "partner_form", "default_language": "Deutsch (de)"}))
    assert errors == [] and questionnaire is not None
    assert questionnaire.id == "partner-form" and questionnaire.languages == ("de", "en")
    assert [p.id for p in questionnaire.pages] == ["about", "more"]
    assert questionnaire.pages[0].title == {"de": "Über Sie", "en": "About you"}
    org, years, share = questionnaire.pages[0].questions
    assert org.type == "single_choice" and org.required and [o.value for o in org.options] == ["welfare", "city"]
    assert org.help == {"de": "Bitte eine"}
    assert (years.type, years.integer, years.min, years.max, years.required) == ("number", True, 0, 60, True)
    assert (share.integer, share.min, share.max) == (False, 0, 1.5)
    topics, comment, short, since, thanks = questionnaire.pages[1].questions
    assert topics.max_choices == 1
    assert comment.type == "long_text" and comment.max_length == 300
    assert (since.type, thanks.type) == ("date", "note")
    raw_pages = conversion.definition["pages"]
    assert raw_pages[0]["questions"][1]["show_if"] == {"question": "org", "equals": "welfare"}
    assert raw_pages[1]["questions"][1]["show_if"] == {"any": [{"question": "topics", "contains": "net"},
                                                               {"question": "years", "greater_than": 5}]}
    assert raw_pages[1]["questions"][2]["show_if"] == {"not": {"question": "org", "equals": "city"}}
    assert conversion.question_count == 7


def test_unsupported_rows_are_reported_row_by_row_never_dropped_silently():
    rows = FULL[:2] + [("calculate", "calc"), ("geopoint", "where", "Wo", "Where"),
                       ("integer", "bad", "X", "X", None, None, "${nowhere} = 1", "regex(., 'x')"),
                       ("select_one missing", "m", "M", "M"), ("", "typeless"), ("text", None, "No name", "No name"),
                       ("begin repeat", "rep", "R", "R"), ("text", "inner", "I", "I"), ("end repeat",), ("end group",)]
    conversion = convert_workbook(xlsform(rows, CHOICES), "form.xlsx")
    report = "\n".join(str(n) for n in conversion.notes)
    assert "survey row 4: type 'calculate'" in report
    assert "survey row 5: type 'geopoint' is not supported" in report
    assert "survey row 6: constraint not carried over" in report
    assert "survey row 6: relevant not carried over" in report
    assert "survey row 7: choice list 'missing' is missing" in report
    assert "survey row 9: question without a name" in report
    assert "survey row 8: row without a type" in report
    assert "survey row 10: repeat groups are not supported" in report


def test_plain_label_column_and_language_names():
    header = ["type", "name", "label", "label::English"]
    conversion = convert_workbook(xlsform([("text", "q", "Frage", "Question")], survey_header=header), "f.xlsx")
    question = conversion.definition["pages"][0]["questions"][0]
    assert question["text"] == {"de": "Frage", "en": "Question"}


@pytest.mark.parametrize("data, message", [
    (b"not a workbook", "not an .xlsx workbook"),
    (None, "no sheet named 'survey'"),
])
def test_files_that_are_no_xlsform_are_refused(data, message):
    if data is None:
        workbook = Workbook()
        workbook.active.title = "Tabelle1"
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    with pytest.raises(XLSFormError, match=message):
        convert_workbook(data, "x.xlsx")


def test_form_without_questions_is_not_usable():
    conversion = convert_workbook(xlsform([("calculate", "c"), ("note", "n", "Hinweis", "Note")]), "x.xlsx")
    assert not conversion.usable


@pytest.mark.parametrize("expression, expected", [
    ("${a} = 'x'", {"question": "a", "equals": "x"}),
    ("${a} != 'x'", {"question": "a", "not_equals": "x"}),
    ("${n} >= 3", {"question": "n", "at_least": 3}),
    ("${n} < 2.5", {"question": "n", "less_than": 2.5}),
    ("selected(${m}, 'y')", {"question": "m", "contains": "y"}),
    ("(${a} = 'x' and ${n} > 1) or not(${m} = 'z')",
     {"any": [{"all": [{"question": "a", "equals": "x"}, {"question": "n", "greater_than": 1}]},
              {"not": {"question": "m", "equals": "z"}}]}),
])
def test_simple_relevant_expressions(expression, expected):
    assert relevant_to_show_if(expression, {"a": "a", "n": "n", "m": "m"}) == expected


@pytest.mark.parametrize("expression", ["${a} = ${b}", "jr:choice-name(${a}, 'x')", "${a} = 'x' and", "pulldata('x')"])
def test_other_relevant_expressions_are_refused(expression):
    with pytest.raises(ValueError):
        relevant_to_show_if(expression, {"a": "a", "b": "b"})


def test_constraints_become_limits():
    assert constraint_to_limits(". >= 0 and . <= 100", "number", True) == {"min": 0, "max": 100}
    assert constraint_to_limits(". > 0 and . < 10", "number", True) == {"min": 1, "max": 9}
    assert constraint_to_limits("string-length(.) <= 50", "short_text", False) == {"max_length": 50}
    assert constraint_to_limits("count-selected(.) < 4", "multiple_choice", False) == {"max_choices": 3}
    with pytest.raises(ValueError):
        constraint_to_limits(". > 0.5", "number", False)


def test_cli_writes_yaml_to_stdout_and_the_report_to_stderr(runner, tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(xlsform(FULL + [("calculate", "calc")], CHOICES, {"form_title": "Partner"}))
    result = runner.invoke(args=["import-xlsform", str(path)])
    assert result.exit_code == 0, result.output
    definition = yaml.safe_load(result.stdout)
    assert definition["id"] == "partner"
    assert "type 'calculate'" in result.stderr and "type 'calculate'" not in result.stdout
    out = tmp_path / "out.yaml"
    assert runner.invoke(args=["import-xlsform", str(path), "-o", str(out)]).exit_code == 0
    questionnaire, problems = parse_definition(yaml.safe_load(out.read_text(encoding="utf-8")), "out.yaml")
    assert questionnaire is not None


def test_cli_fails_when_nothing_usable(runner, tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(xlsform([("calculate", "c")]))
    result = runner.invoke(args=["import-xlsform", str(empty)])
    assert result.exit_code != 0 and "keine Frage" in result.output  # the default language, as every CLI report
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert runner.invoke(args=["import-xlsform", str(broken)]).exit_code != 0
