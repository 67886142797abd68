"""LimeSurvey import: real .lss files in both layouts (written here by lss_builder, or hand-made
under tests/data/limesurvey in the shape of LimeSurvey 2 and 6 exports), good, malformed and
hostile, through the module, the CLI, the admin upload and the respondent routes."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import PASSWORD, csrf_token, login, make_app
from lss_builder import build_lss
from survey_app.definitions.limesurvey import (
    MAX_BYTES,
    ExpressionError,
    LimeSurveyError,
    convert_lss,
    language_code,
    parse_expression,
    plain_text,
)
from survey_app.definitions.loader import ERROR
from survey_app.definitions.questionnaire import parse_definition

DATA = Path(__file__).parent / "data" / "limesurvey"
HAND_MADE = sorted(DATA.glob("*.lss"))
LAYOUTS = [("old", 178), ("old", 355), ("new", 426), ("new", 624)]


def definition_of(data: bytes, name: str = "survey.lss"):
    """(conversion, questionnaire, errors): every import must validate."""
    conversion = convert_lss(data, name)
    questionnaire, problems = parse_definition(conversion.definition, name)
    return conversion, questionnaire, [str(p) for p in problems if p.severity == ERROR]


def report(conversion) -> str:
    return "\n".join(f"{note.kind} {note}" for note in conversion.notes)


def questions_of(definition: dict) -> dict[str, dict]:
    return {q["id"]: q for page in definition["pages"] for q in page["questions"]}


TWO = {"de": "", "en": ""}
FULL = {
    "sid": 482913, "languages": ["de", "en"],
    "title": {"de": "Partnerbefragung", "en": "Partner survey"},
    "description": {"de": "<p>Die Stadt <b>evaluiert</b> das Quartiersmanagement.</p>", "en": "The city evaluates."},
    "groups": [
        {"name": {"de": "Über Sie", "en": "About you"}, "description": {"de": "Freiwillig.", "en": "Optional."},
         "questions": [
             {"code": "ORG", "type": "L", "mandatory": "Y", "other": "Y",
              "text": {"de": "Organisation?", "en": "Organisation?"}, "help": {"de": "Eine Antwort", "en": "One"},
              "answers": [("A1", {"de": "Träger", "en": "Provider"}), ("A2", {"de": "Stadt", "en": "City"})],
              "attributes": {"other_replace_text": {"de": "Andere", "en": "Another"}}},
             {"code": "DROP", "type": "!", "text": {"de": "Bezirk", "en": "District"},
              "answers": [("1", {"de": "Nord", "en": "North"}), ("2", {"de": "Süd", "en": "South"})]},
             {"code": "THEMEN", "type": "M", "text": {"de": "Themen", "en": "Topics"},
              "relevance": 'ORG.NAOK == "A1"', "attributes": {"min_answers": "1", "max_answers": "2"},
              "subquestions": [("SQ001", {"de": "Netzwerk", "en": "Network"}), ("SQ002", {"de": "Lotsen", "en": "Navigation"}),
                               ("SQ003", {"de": "Projekte", "en": "Projects"})]},
             {"code": "JAHRE", "type": "N", "text": {"de": "Jahre", "en": "Years"},
              "relevance": "!is_empty(THEMEN_SQ001) && ORG != 'A2'",
              "attributes": {"min_num_value_n": "0", "max_num_value_n": "60", "num_value_int_only": "1",
                             "suffix": {"de": "Jahre", "en": "years"}}},
             {"code": "ANFANG", "type": "D", "text": {"de": "Seit wann?", "en": "Since when?"},
              "attributes": {"date_min": "2015-01-01", "date_max": "2030-12-31"}},
             {"code": "JANEIN", "type": "Y", "text": {"de": "Zufrieden?", "en": "Satisfied?"}, "mandatory": "Y"},
         ]},
        {"name": {"de": "Bewertung", "en": "Rating"}, "relevance": "JAHRE > 5 or JANEIN == 'Y'",
         "questions": [
             {"code": "NOTE", "type": "5", "text": {"de": "Wie gut?", "en": "How good?"}},
             {"code": "QUAL", "type": "F", "mandatory": "Y", "text": {"de": "Qualität", "en": "Quality"},
              "subquestions": [("SQ001", {"de": "Beratung", "en": "Advice"}), ("SQ002", {"de": "Projekte", "en": "Projects"})],
              "answers": [("1", {"de": "schlecht", "en": "poor"}), ("2", {"de": "mittel", "en": "fair"}),
                          ("3", {"de": "gut", "en": "good"})]},
             {"code": "FUENF", "type": "A", "text": {"de": "Wichtigkeit", "en": "Importance"},
              "subquestions": [("SQ001", {"de": "Netz", "en": "Net"})]},
             {"code": "ZEHN", "type": "B", "text": {"de": "Zehnerskala", "en": "Ten point"},
              "subquestions": [("SQ001", {"de": "Netz", "en": "Net"})]},
             {"code": "ZEIT", "type": "K", "text": {"de": "Zeitanteile", "en": "Time shares"},
              "attributes": {"equals_num_value": "100", "num_value_int_only": "1"},
              "subquestions": [("A", {"de": "Beratung", "en": "Advice"}), ("B", {"de": "Rest", "en": "Rest"})]},
             {"code": "ZAHLEN", "type": "K", "text": {"de": "Anzahl", "en": "Counts"},
              "attributes": {"min_num_value_n": "0"},
              "subquestions": [("KINDER", {"de": "Kinder", "en": "Children"}), ("ERW", {"de": "Erwachsene", "en": "Adults"})]},
             {"code": "RANG", "type": "R", "text": {"de": "Rangfolge", "en": "Ranking"},
              "answers": [("A1", {"de": "Netz", "en": "Net"}), ("A2", {"de": "Projekte", "en": "Projects"}),
                          ("A3", {"de": "Beratung", "en": "Advice"})]},
         ]},
        {"name": {"de": "Zum Schluss", "en": "Finally"}, "questions": [
            {"code": "KURZ", "type": "S", "text": {"de": "Stichwort", "en": "Keyword"},
             "attributes": {"maximum_chars": "50"}, "relevance": "NOTE.NAOK >= 4 and ZAHLEN_KINDER > 0"},
            {"code": "LANG", "type": "T", "text": {"de": "Kommentar", "en": "Comment"}},
            {"code": "RIESIG", "type": "U", "text": {"de": "Bericht", "en": "Report"}, "relevance": "!is_empty(KURZ)"},
            {"code": "HINWEIS", "type": "X", "text": {"de": "<p>Danke!</p>", "en": "<p>Thanks!</p>"}},
            {"code": "RECHNUNG", "type": "*", "text": "{JAHRE * 12}"},
        ]},
    ],
}


@pytest.mark.parametrize("layout, version", LAYOUTS)
def test_every_supported_construct_in_old_and_new_layouts(layout, version):
    conversion, questionnaire, errors = definition_of(build_lss(FULL, layout, version))
    assert errors == [] and questionnaire is not None
    definition = conversion.definition
    assert definition["languages"] == ["de", "en"] and definition["id"] == "partnerbefragung"
    assert definition["title"] == {"de": "Partnerbefragung", "en": "Partner survey"}
    assert definition["intro"]["de"] == "Die Stadt evaluiert das Quartiersmanagement."
    assert [p["title"]["de"] for p in definition["pages"]] == ["Über Sie", "Bewertung", "Zum Schluss"]
    assert definition["pages"][0]["intro"] == {"de": "Freiwillig.", "en": "Optional."}
    q = questions_of(definition)
    org = q["org"]
    assert (org["type"], org["required"], org["help"]["en"]) == ("single_choice", True, "One")
    assert [o["value"] for o in org["options"]] == ["a1", "a2", "other"]
    assert org["options"][2]["label"] == {"de": "Andere", "en": "Another"}
    assert q["org_other"]["show_if"] == {"question": "org", "equals": "other"}
    assert [o["value"] for o in q["drop"]["options"]] == ["1", "2"]
    themen = q["themen"]
    assert (themen["type"], themen["min_choices"], themen["max_choices"]) == ("multiple_choice", 1, 2)
    assert themen["show_if"] == {"question": "org", "equals": "a1"}
    jahre = q["jahre"]
    assert (jahre["type"], jahre["min"], jahre["max"], jahre["integer"]) == ("number", 0, 60, True)
    assert jahre["unit"] == {"de": "Jahre", "en": "years"}
    assert jahre["show_if"] == {"all": [{"question": "themen", "contains": "sq001"},
                                        {"not": {"question": "org", "equals": "a2"}}]}
    assert (q["anfang"]["min_date"], q["anfang"]["max_date"]) == ("2015-01-01", "2030-12-31")
    assert q["janein"]["type"] == "yes_no" and q["janein"]["required"]
    assert definition["pages"][1]["show_if"] == {"any": [{"question": "jahre", "greater_than": 5},
                                                         {"question": "janein", "equals": "yes"}]}
    assert q["note"]["type"] == "scale" and definition["scales"][q["note"]["scale"]]["points"][4]["value"] == 5
    qual = q["qual"]
    assert (qual["type"], qual["required"], [i["id"] for i in qual["items"]]) == ("matrix", True, ["sq001", "sq002"])
    assert [p["value"] for p in definition["scales"][qual["scale"]]["points"]] == [1, 2, 3]
    assert definition["scales"][q["zehn"]["scale"]]["points"][-1]["value"] == 10
    assert (q["zeit"]["type"], q["zeit"]["total"], q["zeit"]["integer"]) == ("allocation", 100, True)
    assert q["zahlen"]["type"] == "note"
    assert (q["zahlen_kinder"]["type"], q["zahlen_kinder"]["min"]) == ("number", 0)
    assert q["zahlen_kinder"]["text"] == {"de": "Kinder", "en": "Children"}
    assert q["rang"]["type"] == "ranking" and len(q["rang"]["options"]) == 3
    assert q["kurz"]["max_length"] == 50
    assert q["kurz"]["show_if"] == {"all": [{"question": "note", "at_least": 4},
                                            {"question": "zahlen_kinder", "greater_than": 0}]}
    assert (q["lang"]["type"], q["riesig"]["type"]) == ("long_text", "long_text")
    assert q["riesig"]["show_if"] == {"question": "kurz", "answered": True}
    assert q["hinweis"] == {"id": "hinweis", "type": "note", "text": {"de": "Danke!", "en": "Thanks!"}}
    assert "rechnung" not in q
    text = report(conversion)
    assert "question RECHNUNG: an equation computes a value" in text
    assert conversion.question_count == 18


def test_a_limesurvey_2_export_with_old_conditions():
    conversion, questionnaire, errors = definition_of((DATA / "ls2_db178_partner_survey.lss").read_bytes())
    assert errors == []
    q = questions_of(conversion.definition)
    # LimeSurvey ORs conditions on one question and ANDs (here: ORs scenarios) across them
    assert q["jahre"]["show_if"] == {"question": "org", "one_of": ["a1", "a2"]}
    assert q["kontakt"]["show_if"] == {"any": [{"question": "themen", "contains": "sq001"},
                                               {"question": "jahre", "at_least": 5}]}
    assert q["kommentar"]["show_if"] == {"question": "kontakt", "equals": "yes"}
    assert q["jahre"]["unit"] == {"de": "Jahre", "en": "years"}
    assert q["org"]["options"][-1]["label"] == {"de": "Andere", "en": "Another kind"}
    assert q["kommentar"]["text"]["de"] == "Was sollte sich ändern?"     # &nbsp; decoded and trimmed
    assert conversion.definition["pages"][0]["intro"]["de"] == "Angaben zu Ihrer Organisation."
    assert "survey: the end text has no counterpart" in report(conversion)


def test_a_limesurvey_6_export_in_three_languages():
    conversion, questionnaire, errors = definition_of((DATA / "ls6_db624_three_languages.lss").read_bytes())
    assert errors == []
    definition = conversion.definition
    assert definition["languages"] == ["de", "en", "de-x-easy"]       # the base language first
    assert definition["title"]["de-x-easy"] == "Fragen an die Partner"
    q = questions_of(definition)
    assert q["zufrieden"]["show_if"] == {"all": [{"question": "rolle", "answered": True},
                                                 {"not": {"question": "rolle", "equals": "r3"}}]}
    assert definition["pages"][1]["show_if"] == {"any": [{"question": "zufrieden", "equals": "yes"},
                                                         {"question": "note", "at_least": 4}]}
    assert q["anreg"]["show_if"] == {"question": "kontakt_mail", "answered": True}   # {curly} wrapping
    assert "required" not in q["note"] and "ref" not in q and "punkte" not in q
    assert q["zeit"]["unit"] == {"de": "%", "en": "%"}
    text = report(conversion)
    for line in ("changed question NOTE: soft mandatory", "dropped question REF: hidden in LimeSurvey",
                 "dropped question ZUFRIEDEN: JavaScript was removed",
                 "changed question ZUFRIEDEN: ExpressionScript code was removed from the text and marked […]: {ROLLE.shown}",
                 "dropped question AUFG: images, videos and embedded content were removed",
                 "dropped question PRIO: relevance equation “ZEIT_SQ001 > 10” not carried over",
                 "; shown always", "dropped question HINWEIS: JavaScript was removed",
                 "dropped question WEITER: relevance equation “that.AUFG.NAOK == 'A5'” not carried over",
                 "dropped question SEIT: date_max “{TODAY}” is not carried over",
                 "dropped question PLZ: the input check (regular expression) is not carried over",
                 "changed survey: language “de-easy” is written “de-x-easy” here"):
        assert line in text
    assert "show_if" not in q["prio"] and "show_if" not in q["weiter"]   # shown unconditionally


@pytest.mark.parametrize("path", HAND_MADE, ids=lambda p: p.name)
def test_no_script_or_expression_code_reaches_the_definition(path):
    conversion, _questionnaire, errors = definition_of(path.read_bytes(), path.name)
    assert errors == []
    text = yaml.safe_dump(conversion.definition, allow_unicode=True)
    for forbidden in ("<script", "cookie", "$(function", "<img", "<p>", ".shown", "{", "}", "&nbsp;"):
        assert forbidden not in text


# ---------------------------------------------------------------- relevance equations

BASE = [
    {"code": "L1", "type": "L", "text": "Liste", "other": "Y", "answers": [("A1", "eins"), ("A2", "zwei"), ("3", "drei")]},
    {"code": "M1", "type": "M", "text": "Mehrfach", "other": "Y", "subquestions": [("SQ001", "a"), ("SQ002", "b")]},
    {"code": "N1", "type": "N", "text": "Zahl"},
    {"code": "Y1", "type": "Y", "text": "Ja/Nein"},
    {"code": "F1", "type": "5", "text": "Fünf"},
    {"code": "D1", "type": "D", "text": "Datum"},
    {"code": "S1", "type": "S", "text": "Text"},
    {"code": "A1", "type": "F", "text": "Matrix", "subquestions": [("SQ001", "x")], "answers": [("1", "a"), ("2", "b")]},
    {"code": "K1", "type": "K", "text": "Zahlen", "subquestions": [("SQ001", "x"), ("SQ002", "y")]},
    {"code": "R1", "type": "R", "text": "Rang", "answers": [("A1", "x"), ("A2", "y")]},
    {"code": "E1", "type": "*", "text": "{N1 * 2}"},
]


def converted_relevance(expression: str, layout: str = "new"):
    survey = {"sid": 111, "groups": [{"questions": [*BASE, {"code": "Z", "type": "T", "text": "Ziel",
                                                            "relevance": expression}]}]}
    conversion, _questionnaire, errors = definition_of(build_lss(survey, layout))
    assert errors == []
    target = questions_of(conversion.definition)["z"]
    notes = [str(n) for n in conversion.notes if str(n).startswith("question Z:")]
    return target.get("show_if"), notes


@pytest.mark.parametrize("expression, expected", [
    ('L1 == "A1"', {"question": "l1", "equals": "a1"}),
    ("L1.NAOK eq 'A2'", {"question": "l1", "equals": "a2"}),
    ('L1.NAOK == 3', {"question": "l1", "equals": "3"}),
    ('L1 != "A1"', {"not": {"question": "l1", "equals": "a1"}}),
    ('L1.NAOK ne "A1"', {"not": {"question": "l1", "equals": "a1"}}),
    ('L1 == "-oth-"', {"question": "l1", "equals": "other"}),
    ('!is_empty(L1_other)', {"question": "l1_other", "answered": True}),
    ('L1 == "A1" || L1 == "A2"', {"question": "l1", "one_of": ["a1", "a2"]}),
    ('is_empty(L1)', {"question": "l1", "answered": False}),
    ('L1.NAOK == ""', {"question": "l1", "answered": False}),
    ('!is_empty(L1.NAOK)', {"question": "l1", "answered": True}),
    ('M1_SQ001 == "Y"', {"question": "m1", "contains": "sq001"}),
    ('M1_SQ002.NAOK != "Y"', {"not": {"question": "m1", "contains": "sq002"}}),
    ('is_empty(M1_SQ001)', {"not": {"question": "m1", "contains": "sq001"}}),
    ('M1_SQ001', {"question": "m1", "contains": "sq001"}),
    ('N1 > 5', {"question": "n1", "greater_than": 5}),
    ('N1.NAOK >= "2.5"', {"question": "n1", "at_least": 2.5}),
    ('10 > N1', {"question": "n1", "less_than": 10}),
    ('N1 le -1', {"question": "n1", "at_most": -1}),
    ('N1 == 0', {"question": "n1", "equals": 0}),
    ('(!is_empty(N1) && (N1 < "3"))', {"question": "n1", "less_than": 3}),   # LimeSurvey's own conversion
    ('Y1 == "Y"', {"question": "y1", "equals": "yes"}),
    ('Y1.NAOK == "N" and F1 >= 4', {"all": [{"question": "y1", "equals": "no"}, {"question": "f1", "at_least": 4}]}),
    ('F1 == 3', {"question": "f1", "equals": 3}),
    ('D1 < "2020-01-01"', {"question": "d1", "less_than": "2020-01-01"}),
    ('D1 >= "2018-06-30 00:00"', {"question": "d1", "at_least": "2018-06-30"}),
    ('!is_empty(S1)', {"question": "s1", "answered": True}),
    ('S1 != ""', {"question": "s1", "answered": True}),
    ('K1_SQ002 > 1', {"question": "k1_sq002", "greater_than": 1}),
    ('{L1 == "A1"}', {"question": "l1", "equals": "a1"}),
    ('not (L1 == "A1" or N1 > 2) and (Y1 == "Y")',
     {"all": [{"not": {"any": [{"question": "l1", "equals": "a1"}, {"question": "n1", "greater_than": 2}]}},
              {"question": "y1", "equals": "yes"}]}),
    ('((L1.NAOK == "A1" and (N1 > 1)) and Y1 == "Y")',
     {"all": [{"question": "l1", "equals": "a1"}, {"question": "n1", "greater_than": 1}, {"question": "y1", "equals": "yes"}]}),
    ('111X11X101.NAOK == "A2"', {"question": "l1", "equals": "a2"}),                 # SGQA names
    ('111X11X102SQ002 == "Y"', {"question": "m1", "contains": "sq002"}),
    ('1 and L1 == "A1"', {"question": "l1", "equals": "a1"}),
    ('L1 == "A1" &amp;&amp; N1 &gt; 1', {"all": [{"question": "l1", "equals": "a1"}, {"question": "n1", "greater_than": 1}]}),
])
@pytest.mark.parametrize("layout", ["old", "new"])
def test_relevance_equations_become_show_if(expression, expected, layout):
    show_if, notes = converted_relevance(expression, layout)
    assert show_if == expected and notes == []


@pytest.mark.parametrize("expression, reason", [
    ('L1 == "A9"', "has no answer option with the code “A9”"),
    ('L1 > "A1"', "orders the answer codes"),
    ('A1_SQ001 == "1"', "is a row of an array"),
    ('M1 == "Y"', "multiple-choice question as a whole"),
    ('M1_SQ001 == "N"', "can only be compared with “Y”"),
    ('N1 + 1 > 3', "calculations"),
    ('N1 > L1', "compares two answers"),
    ('S1 == "Berlin"', "can only ask whether a text was given"),
    ('Y1 == "ja"', "answered “Y” or “N”"),
    ('F1 == 7', "has no scale point “7”"),
    ('D1 > "gestern"', "written YYYY-MM-DD"),
    ('D1 > "2020-13-45"', "written YYYY-MM-DD"),
    ('N1 == "viel"', "cannot be compared with “viel”"),
    ('E1 > 3', "“E1” was not carried over"),
    ('R1_1 == "A1"', "a rank of a ranking"),
    ('Z == "A1"', "comes later"),
    ('UNBEKANNT == "1"', "not a question of this survey"),
    ('L1.shown == "eins"', "uses .shown, which is not an answer"),
    ('self.NAOK > 1', "refers to several answers at once"),
    ('regexMatch("/^1/", N1)', "the function regexmatch() has no counterpart"),
    ('count(M1_SQ001, M1_SQ002) > 1', "the function count() has no counterpart"),
    ('L1 = "A1"', "a comparison is written “==”"),
    ('(L1 == "A1"', "a parenthesis is not closed"),
    ('L1 ==', "ends too early"),
    ('1 < N1 < 3', "chained"),
    ('L1 == "A1" §', "cannot read “§”"),
    ('TOKEN:ATTRIBUTE_1 == "x"', "not a question of this survey"),
    ('{TOKEN:ATTRIBUTE_1} == "x"', "cannot read “{TOKEN:ATTRIBUTE_1} ”"),
])
def test_equations_without_counterpart_are_reported_and_the_question_is_shown_always(expression, reason):
    show_if, notes = converted_relevance(expression)
    assert show_if is None
    assert len(notes) == 1 and "not carried over" in notes[0] and reason in notes[0] and "shown always" in notes[0]


def test_always_false_relevance_leaves_the_question_out():
    survey = {"groups": [{"questions": [BASE[0], {"code": "Z", "type": "T", "text": "x", "relevance": "0"}]}]}
    conversion, _q, errors = definition_of(build_lss(survey))
    assert "z" not in questions_of(conversion.definition)
    assert "question Z: relevance is always false (never shown); left out" in report(conversion)


def test_a_page_can_only_depend_on_earlier_pages():
    survey = {"groups": [{"questions": [BASE[2]]},
                         {"relevance": "N1 > 1 and Z2 > 1", "questions": [{"code": "Z2", "type": "N", "text": "x"}]}]}
    conversion, _q, errors = definition_of(build_lss(survey))
    assert errors == [] and "show_if" not in conversion.definition["pages"][1]
    assert "refers to “Z2”, which comes later" in report(conversion)


@pytest.mark.parametrize("equation", [
    "(" * 5000 + 'L1 == "A1"' + ")" * 5000,
    "!" * 20000 + 'L1 == "A1"',
    "is_empty(" * 3000 + "L1" + ")" * 3000,
    " or ".join(f'(L1 == "A1" and ' for _ in range(300)) + "1" + ")" * 300,
])
def test_deeply_nested_equations_are_refused_without_a_crash(equation):
    with pytest.raises(ExpressionError):
        parse_expression(equation)
    show_if, notes = converted_relevance(equation)
    assert show_if is None and "not carried over" in notes[0]


def test_conditions_deeper_than_show_if_allows_are_reported():
    equation = 'L1 == "A1"'
    for level in range(14):
        equation = f'(N1 > {level} {"and" if level % 2 else "or"} ({equation}))'
    show_if, notes = converted_relevance(equation)
    assert show_if is None and "nested more than 12 levels deep" in notes[0]


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_text_is_parsed_or_refused_with_a_reason(text):
    try:
        parse_expression(text)
    except ExpressionError as error:
        assert str(error)


# ---------------------------------------------------------------- texts and languages

@pytest.mark.parametrize("source, expected, found", [
    ("<p>Wie <b>gut</b>&nbsp;ist es?</p>", "Wie gut ist es?", set()),
    ("Zeile 1<br />Zeile 2", "Zeile 1\nZeile 2", set()),
    ("Hallo <script>alert('x')</script>Welt", "Hallo Welt", {"scripts"}),
    ("<SCRIPT src=x>", "", {"scripts"}),
    ('<img src="x" onerror="alert(1)">Bild', "Bild", {"scripts", "media"}),
    ('<a href="javascript:alert(1)">Link</a>', "Link", {"scripts"}),
    ("Sie sagten {Q1.shown}.", "Sie sagten […].", {"expressions"}),
    ("{if(Q1 == 'A1', 'Herr', 'Frau')} Müller", "[…] Müller", {"expressions"}),
    ("Menge { 5 } bleibt", "Menge { 5 } bleibt", set()),
    ("<style>p {color: red}</style>Text", "Text", set()),
    ("&lt;b&gt; ist kein Tag &amp; bleibt", "<b> ist kein Tag & bleibt", set()),
])
def test_html_becomes_plain_text(source, expected, found):
    from survey_app.definitions.limesurvey import _Findings

    findings = _Findings()
    assert plain_text(source, findings) == expected
    seen = {name for name in ("scripts", "media", "expressions") if getattr(findings, name)}
    assert seen == found


@pytest.mark.parametrize("code, ours", [("de", "de"), ("en", "en"), ("pt-BR", "pt_BR"), ("de-easy", "de-x-easy"),
                                        ("de-informal", "de-x-informal"), ("zh-Hans", "zh-x-hans"), ("ar", "ar"),
                                        ("zh-Hant-HK", "zh-x-hanthk"), ("sr-Latn", "sr-x-latn"), ("12", None)])
def test_language_codes(code, ours):
    assert language_code(code) == ours


# ---------------------------------------------------------------- malformed and hostile files

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><surveys_languagesettings><rows><row>
<surveyls_title>&f;</surveyls_title></row></rows></surveys_languagesettings></document>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><surveys_languagesettings><rows><row>
<surveyls_title>&secret;</surveyls_title></row></rows></surveys_languagesettings></document>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE document SYSTEM "http://127.0.0.1:9/evil.dtd">
<document><LimeSurveyDocType>Survey</LimeSurveyDocType></document>"""


@pytest.mark.parametrize("data, message", [
    (BOMB, "refused for safety"),
    (EXTERNAL, "refused for safety"),
    (EXTERNAL_DTD, "refused for safety"),
    (b"<document>" * 100_000, "nested more deeply"),
    (b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType>" + b"<x/>" * 1_100_000 + b"</document>",
     "more than 1000000 elements"),
    (b" " * (MAX_BYTES + 1), "larger than 10 MB"),
    (b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType><groups><rows>", "not well-formed XML"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not well-formed XML"),
    (b"", "not well-formed XML"),
    (b"<html><body>Hallo</body></html>", "not a LimeSurvey export"),
    (b"<document><LimeSurveyDocType>Group</LimeSurveyDocType></document>", "of type “Group”"),
    (b"<document><LimeSurveyDocType>Responses</LimeSurveyDocType></document>", "of type “Responses”"),
])
def test_malformed_and_hostile_files_are_refused_with_a_reason(data, message):
    with pytest.raises(LimeSurveyError, match=message):
        convert_lss(data, "evil.lss")


def test_a_survey_without_anything_usable_is_not_usable():
    survey = {"groups": [{"questions": [{"code": "E", "type": "*", "text": "{1}"},
                                        {"code": "U", "type": "|", "text": "Datei"},
                                        {"code": "L", "type": "L", "text": "Eine Option", "answers": [("A1", "x")]}]}]}
    conversion = convert_lss(build_lss(survey), "x.lss")
    assert not conversion.usable
    text = report(conversion)
    assert "question U: file uploads are not supported" in text
    assert "question L: a choice question needs at least two answer options" in text
    assert "group 1 (Gruppe 1): no question of this group could be carried over" in text


def test_odd_but_readable_files_still_give_a_valid_definition():
    survey = {"languages": ["en", "99"], "title": "", "groups": [
        {"name": "", "questions": [
            {"code": "Q1", "type": "T", "text": "<script>only a script</script>"},
            {"code": "Q2", "type": "M", "text": "x", "subquestions": [("SQ1", "a")],
             "attributes": {"min_answers": "3", "max_answers": "{N1}"}},
            {"code": "Q3", "type": "N", "text": "x", "attributes": {"min_num_value_n": "10", "max_num_value_n": "1"}},
            {"code": "Q4", "type": "D", "text": "x", "attributes": {"date_min": "2030-01-01", "date_max": "2020-01-01"}},
            {"code": "Q4b", "type": "D", "text": "x", "attributes": {"date_min": "2020-02-30"}},
            {"code": "Q5", "type": "F", "text": "x", "subquestions": [("SQ1", "a")],
             "answers": [("B", "b"), ("A", "a")]},
            {"code": "Q6", "type": "X", "text": "   "},
            {"code": "q7", "type": "S", "text": "lower case code"},
            {"code": "Q7", "type": "S", "text": "same code in upper case"},
            {"code": "Q8", "type": "?", "text": "unknown type"},
        ]}]}
    conversion, questionnaire, errors = definition_of(build_lss(survey, "old"))
    assert errors == [] and questionnaire is not None
    q = questions_of(conversion.definition)
    assert q["q1"]["text"] == {"en": "Q1"}
    assert "min_choices" not in q["q2"] and "min" not in q["q3"] and "min_date" not in q["q4"]
    assert [p["value"] for p in conversion.definition["scales"][q["q5"]["scale"]]["points"]] == [1, 2]
    assert "q6" not in q and {"q7", "q7_2"} <= set(q)
    text = report(conversion)
    for line in ("language “99” is not a language code", "question Q1: JavaScript was removed",
                 "question Q1: the question has no text; its code stands in",
                 "question Q2: min_answers “3” is not carried over", "question Q2: max_answers “{N1}” is not carried over",
                 "question Q3: the smallest allowed number is not below the largest",
                 "question Q4: the earliest allowed date is not before the latest",
                 "question Q4b: date_min “2020-02-30” is not carried over",
                 "question Q5: the answer codes are stored as numbers: B = 1, A = 2",
                 "question Q6: a text display without text; left out",
                 "question Q8: question type “?” is not supported", "survey: the survey has no title"):
        assert line in text


@pytest.mark.parametrize("kind", ["O", "P", "G", "C", "E", "H", "Q", "1", ":", ";", "|", "I"])
def test_other_limesurvey_types_are_carried_over_or_reported(kind):
    question = {"code": "Q1", "type": kind, "text": "Frage", "subquestions": [("SQ1", "a"), ("SQ2", "b")],
                "answers": [("A1", "x"), ("A2", "y")]}
    conversion, _q, errors = definition_of(build_lss({"groups": [{"questions": [question, BASE[2]]}]}))
    assert errors == []
    q = questions_of(conversion.definition)
    expected = {"O": "single_choice", "P": "multiple_choice", "G": "single_choice", "C": "matrix", "E": "matrix",
                "H": "matrix", "Q": "note"}
    if kind in expected:
        assert q["q1"]["type"] == expected[kind]
    else:
        assert "q1" not in q and "question Q1:" in report(conversion)


# ---------------------------------------------------------------- random surveys always validate

CODES = st.sampled_from(["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "G1Q1", "ABC", "x"])
TYPES = st.sampled_from(list("L!OMPSTUNKQDYG5FABCEHRX*|1:;I") + ["?", ""])
NAMES = st.builds(lambda code, suffix: code + suffix, CODES, st.sampled_from(["", ".NAOK", "_SQ001", "_other", ".shown"]))
RELEVANCE = st.one_of(
    st.sampled_from(["1", "", "0"]),
    st.builds(lambda name, op, value: f"{name} {op} {value}", NAMES, st.sampled_from(["==", "!=", "<", ">=", "and", "eq"]),
              st.sampled_from(['"A1"', '"Y"', "3", '""', "'SQ001'", "Q1", '"2020-01-01"', '"2020-13-01"', "1e400"])),
    st.builds(lambda name, other: f"!is_empty({name}) || ({other})", NAMES, st.sampled_from(['Q2 == "A2"', "Q3 > 1"])),
    st.text(max_size=30))
TEXTS = st.one_of(st.text(max_size=20), st.sampled_from(["<p>Frage</p>", "<script>x</script>", "{Q1.shown}", "", "&amp;"]))
ANSWERS = st.lists(st.tuples(st.sampled_from(["A1", "A2", "1", "2", "a1", "SQ001", "-oth-", "x y"]), TEXTS), max_size=4)
QUESTION = st.fixed_dictionaries({
    "code": CODES, "type": TYPES, "text": TEXTS, "mandatory": st.sampled_from(["Y", "N", "S", ""]),
    "other": st.sampled_from(["Y", "N"]), "relevance": RELEVANCE, "answers": ANSWERS, "subquestions": ANSWERS,
    "attributes": st.dictionaries(st.sampled_from(["min_answers", "max_answers", "maximum_chars", "min_num_value_n",
                                                   "max_num_value_n", "num_value_int_only", "equals_num_value",
                                                   "date_min", "date_max", "hidden", "other_replace_text"]),
                                  st.sampled_from(["0", "1", "2", "5", "100", "-3", "2.5", "2020-01-01", "2020-02-30", "1e400", "x", ""]),
                                  max_size=3)})
SURVEY = st.fixed_dictionaries({
    "languages": st.sampled_from([["de"], ["de", "en"], ["en", "de-easy"], ["pt-BR"]]),
    "title": TEXTS, "description": TEXTS,
    "groups": st.lists(st.fixed_dictionaries({"name": TEXTS, "relevance": RELEVANCE,
                                              "questions": st.lists(QUESTION, max_size=5)}), max_size=3)})


@given(SURVEY, st.sampled_from(["old", "new"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_import_of_a_random_survey_validates(survey, layout):
    conversion = convert_lss(build_lss(survey, layout), "random.lss")
    if conversion.definition is None:
        assert not conversion.usable
        return
    _questionnaire, problems = parse_definition(conversion.definition, "random.lss")
    assert [str(p) for p in problems if p.severity == ERROR] == []


# ---------------------------------------------------------------- CLI, admin upload, respondents

def test_cli_writes_the_definition_and_reports_in_the_default_language(runner, tmp_path):
    out = tmp_path / "partner.yaml"
    result = runner.invoke(args=["import-limesurvey", str(DATA / "ls6_db624_three_languages.lss"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Frage REF: in LimeSurvey versteckt" in result.stderr      # German: the app's default language
    assert "Frage ZUFRIEDEN: JavaScript wurde entfernt" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported from a LimeSurvey survey (.lss)")
    _questionnaire, problems = parse_definition(yaml.safe_load(text), "partner.yaml")
    assert [p for p in problems if p.severity == ERROR] == []
    stdout = runner.invoke(args=["import-limesurvey", str(DATA / "ls2_db178_partner_survey.lss")])
    assert stdout.exit_code == 0 and yaml.safe_load(stdout.stdout)["id"] == "befragung-der-kooperationspartner-2017"


def test_cli_refuses_hostile_and_useless_files_with_exit_code_1(runner, tmp_path):
    bomb = tmp_path / "bomb.lss"
    bomb.write_bytes(BOMB)
    result = runner.invoke(args=["import-limesurvey", str(bomb)])
    assert result.exit_code == 1 and "aus Sicherheitsgründen abgelehnt" in result.output
    empty = tmp_path / "empty.lss"
    empty.write_bytes(build_lss({"groups": [{"questions": [{"code": "E", "type": "*", "text": "{1}"}]}]}))
    result = runner.invoke(args=["import-limesurvey", str(empty)])
    assert result.exit_code == 1 and "keine Frage" in result.output


@pytest.fixture
def admin(tmp_path):
    folder = tmp_path / "definitions"
    folder.mkdir()
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))
    from survey_app.web.auth import create_user

    with app.app_context():
        create_user("admin", PASSWORD, "admin")
        create_user("evaluator", PASSWORD, "evaluator")
    client = app.test_client()
    login(client, "admin")
    client.folder = folder
    return client


def _upload(client, name, data, lang=None):
    url = "/admin/definitions/upload" + (f"?lang={lang}" if lang else "")
    return client.post(url, data={"csrf_token": csrf_token(client, "/admin/"), "definition": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def _publish(client, review):
    """Publish the draft whose review page `review` is (the response of an upload)."""
    path = review.request.path
    return client.post(f"{path}/publish", data={"csrf_token": csrf_token(client, path)})


def _textarea(page: str) -> str:
    import html
    import re

    return html.unescape(re.search(r'<textarea[^>]*name="text"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1))


def test_admin_upload_reports_in_the_admins_language(admin):
    data = (DATA / "ls6_db624_three_languages.lss").read_bytes()
    page = _upload(admin, "partner.lss", data).get_data(as_text=True)
    assert "Was der LimeSurvey-Import geändert oder weggelassen hat" in page
    assert "Frage PRIO: Relevanzgleichung „ZEIT_SQ001 &gt; 10“ nicht übernommen (" in page
    assert "ist ein Anteil einer Verteilung, den show_if nicht verwenden kann); immer gezeigt" in page
    admin.get("/lang/en")
    page = _upload(admin, "partner.lss", data).get_data(as_text=True)
    assert "What the LimeSurvey import changed or left out" in page
    assert "question PRIO: relevance equation “ZEIT_SQ001 &gt; 10” not carried over" in page


def test_admin_upload_refuses_hostile_files_with_a_message(admin):
    for data in (BOMB, EXTERNAL, b"<document>" * 50_000):
        page = _upload(admin, "evil.lss", data).get_data(as_text=True)
        assert "aus Sicherheitsgründen abgelehnt" in page or "tiefer verschachtelt" in page
        assert "/etc/passwd" not in page and "root:" not in page
    assert list(admin.folder.iterdir()) == []


def test_large_exports_may_be_uploaded_by_admins_only(admin):
    padded = FULL | {"description": {"de": "<p>" + "Beschreibung " * 50_000 + "</p>", "en": "x"}}
    data = build_lss(padded)
    assert len(data) > 600 * 1024          # more than the 512 KB any other form may send
    response = _upload(admin, "big.lss", data)
    assert response.status_code == 200 and "Partnerbefragung" in response.get_data(as_text=True)
    anonymous = admin.application.test_client()
    refused = anonymous.post("/admin/definitions/upload", data={"definition": (io.BytesIO(data), "big.lss")},
                             content_type="multipart/form-data")
    assert refused.status_code == 413
    evaluator = admin.application.test_client()
    login(evaluator, "evaluator")
    refused = evaluator.post("/admin/definitions/upload", data={"definition": (io.BytesIO(data), "big.lss")},
                             content_type="multipart/form-data")
    assert refused.status_code == 413


def answers_for(page) -> dict:
    """Form data answering every question of a page validly, as a respondent would."""
    data: dict = {}
    for q in page.questions:
        if q.type == "single_choice":
            data[q.id] = q.options[0].value
        elif q.type == "multiple_choice":
            data[q.id] = [o.value for o in q.options[:max(q.min_choices or 1, 1)]]
        elif q.type == "scale":
            data[q.id] = str(q.scale.points[-1].value)
        elif q.type == "matrix":
            for item in q.items:
                data[f"{q.id}-{item.id}"] = str(q.scale.points[-1].value)
        elif q.type == "number":
            data[q.id] = str(int(q.max if q.max is not None else 7))
        elif q.type == "allocation":
            for index, item in enumerate(q.items):
                data[f"{q.id}-{item.id}"] = str(int(q.total)) if index == 0 else "0"
        elif q.type in ("short_text", "long_text"):
            data[q.id] = "Text"
        elif q.type == "ranking":
            for rank, option in enumerate(q.options, start=1):
                data[f"{q.id}-{option.value}"] = str(rank)
        elif q.type == "date":
            data[q.id] = q.min_date or "2020-01-01"
        elif q.type == "yes_no":
            data[q.id] = "yes"
    return data


def fill_in(client, app, slug: str) -> list[int]:
    """Walk the survey through the real routes; returns the page numbers shown."""
    from survey_app.web.catalogue import get_questionnaire

    with app.app_context():
        questionnaire = get_questionnaire(slug)
    response = client.post(f"/s/{slug}/start", data={"csrf_token": csrf_token(client, f"/s/{slug}")})
    shown = []
    while "/p/" in response.location and len(shown) < 30:
        number = int(response.location.rsplit("/p/", 1)[1].split("?")[0])
        shown.append(number)
        data = answers_for(questionnaire.pages[number - 1])
        for _attempt in range(3):       # a page is shown again when an answer brings up a question on it
            response = client.post(f"/s/{slug}/p/{number}",
                                   data={**data, "csrf_token": csrf_token(client, f"/s/{slug}/p/{number}"),
                                         "action": "next"})
            if response.status_code == 302:
                break
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.location.endswith(f"/s/{slug}/thanks")
    return shown


SERVED = [("built-old", build_lss(FULL, "old", 178)), ("built-new", build_lss(FULL, "new", 624))] + \
         [(path.name, path.read_bytes()) for path in HAND_MADE]


@pytest.mark.parametrize("name, data", SERVED, ids=[name for name, _ in SERVED])
def test_imported_surveys_are_saved_and_filled_in_through_the_real_routes(admin, name, data):
    from survey_app.web.db import get_store

    review = _upload(admin, f"{name}.lss", data)
    assert review.status_code == 200, review.get_data(as_text=True)[:2000]
    text = _textarea(review.get_data(as_text=True))
    assert _publish(admin, review).location.endswith("/admin/")
    slug = yaml.safe_load(text)["id"]
    respondent = admin.application.test_client()
    pages = fill_in(respondent, admin.application, slug)
    assert pages
    with admin.application.app_context():
        store = get_store()
        survey = store.find_survey_by_slug(slug)
        responses = store.responses(survey.id)
    assert len(responses) == 1 and responses[0]["answers"]


def test_branching_from_relevance_works_for_respondents(admin):
    from survey_app.web.db import get_store

    review = _upload(admin, "partner.lss", build_lss(FULL, "new"))
    assert _publish(admin, review).location.endswith("/admin/")
    respondent = admin.application.test_client()
    respondent.post("/s/partnerbefragung/start", data={"csrf_token": csrf_token(respondent, "/s/partnerbefragung")})
    page = respondent.get("/s/partnerbefragung/p/1").get_data(as_text=True)
    assert 'id="q-org_other"' in page
    # ORG = A2 (city): THEMEN (only for A1) and JAHRE are hidden, so the rating page depends on JANEIN alone
    response = respondent.post("/s/partnerbefragung/p/1", data={
        "csrf_token": csrf_token(respondent, "/s/partnerbefragung/p/1"), "action": "next", "org": "a2",
        "janein": "no", "themen": "sq001", "jahre": "9"})
    assert response.status_code == 302 and response.location.endswith("/p/3")   # page 2 skipped
    response = respondent.post("/s/partnerbefragung/p/3", data={
        "csrf_token": csrf_token(respondent, "/s/partnerbefragung/p/3"), "action": "next", "lang": "Text"})
    assert response.location.endswith("/thanks")
    with admin.application.app_context():
        store = get_store()
        answers = store.responses(store.find_survey_by_slug("partnerbefragung").id)[0]["answers"]
    assert answers["org"] == "a2" and answers["janein"] == "no" and "themen" not in answers and "jahre" not in answers
