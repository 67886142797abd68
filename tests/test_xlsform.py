"""XLSForm import: real .xlsx, .xls and CSV files, good, old-fashioned and hostile, through the
module, the CLI, the admin upload and the respondent routes."""
from __future__ import annotations

from xlsform_builder import xlsform  # (also used by test_definition_upload)

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

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import PASSWORD, csrf_token, login, make_app
from survey_app.definitions.loader import ERROR
from survey_app.definitions.questionnaire import parse_definition
from survey_app.definitions.xlsform import XLSFormError, companion_files, convert_workbook
from survey_app.definitions.xlsform.expressions import parse_expression
from xlsform_builder import csv_text, lying_dimension, sheets, zip_bomb, zipped

DATA = Path(__file__).parent / "data" / "xlsform"
OLD_XLS = DATA / "old_syntax_household.xls"
FEEDBACK = DATA / "feedback_csv"


def convert(data: bytes, name: str = "form.xlsx", **kw):
    """(conversion, raw pages, report): every import from these tests must validate."""
    conversion = convert_workbook(data, name, **kw)
    questionnaire, problems = parse_definition(conversion.definition, name)
    errors = [p for p in problems if p.severity == ERROR]
    assert errors == [] and questionnaire is not None, errors
    return conversion, conversion.definition["pages"], "\n".join(str(n) for n in conversion.notes)


def questions(pages) -> dict:
    return {q["id"]: q for page in pages for q in page["questions"]}


def feedback_zip() -> bytes:
    return zipped({f"feedback/{p.name}": p.read_bytes() for p in FEEDBACK.iterdir()})


# --------------------------------------------------------------------------- reading

def test_every_construct_of_the_basic_form_is_carried_over():
    conversion, pages, _ = convert(xlsform(FULL, CHOICES, {"form_title": "Partner", "form_id": "partner_form",
                                                           "default_language": "Deutsch (de)"}))
    definition = conversion.definition
    assert definition["id"] == "partner-form" and definition["languages"] == ["de", "en"]
    assert [p["id"] for p in pages] == ["about", "more"]
    assert pages[0]["title"] == {"de": "Über Sie", "en": "About you"}
    q = questions(pages)
    assert q["years"]["show_if"] == {"question": "org", "equals": "welfare"}
    assert (q["years"]["min"], q["years"]["max"], q["years"]["integer"]) == (0, 60, True)
    assert q["comment"]["type"] == "long_text" and q["comment"]["max_length"] == 300
    assert q["comment"]["show_if"] == {"any": [{"question": "topics", "contains": "net"},
                                              {"question": "years", "greater_than": 5}]}
    assert q["topics"]["max_choices"] == 1 and conversion.question_count == 7


def test_xls_file_in_the_old_syntax_is_read_like_odk_reads_it():
    conversion, pages, report = convert(OLD_XLS.read_bytes(), "old.xls")
    q = questions(pages)
    assert conversion.definition["languages"] == ["en"]           # label:English (en), one colon
    assert conversion.definition["title"]["en"] == "Household water survey"
    assert q["hh_name"]["type"] == "short_text" and q["hh_size"]["integer"] is True       # string, int
    assert (q["hh_size"]["min"], q["hh_size"]["max"], q["hh_size"]["required"]) == (1, 40, True)  # bind:*
    assert q["children"]["show_if"] == {"question": "has_children", "equals": "1"}     # selected() on one
    assert q["phone"]["pattern"] == r"\d*"                                              # phone number
    assert q["source"]["options"][-1]["value"] == "other"                              # or specify other
    assert q["source_other"]["show_if"] == {"question": "source", "equals": "other"}
    assert q["problems"]["show_if"] == {"question": "source", "one_of": ["well", "river"]}   # 'well'or
    assert q["distance"]["show_if"] == {"all": [{"not": {"question": "source", "equals": "pipe"}},
                                                {"question": "has_children", "equals": "1"}]}
    assert "works" in q and "repeats are not supported" in report                     # begin loop over
    rating = next(p for p in pages if p["id"] == "rating")
    assert rating["show_if"] == {"question": "hh_size", "greater_than": 1}           # group relevant: page
    assert [(x["id"], x["type"]) for x in rating["questions"]] == [("rating", "matrix")]   # table-list
    assert [i["id"] for i in rating["questions"][0]["items"]] == ["sat_water", "sat_school", "sat_clinic"]
    assert pages[0]["intro"] == {"en": "Ask the head of the household"}                # group hint
    assert "constraint “. <= ${hh-size}” is not carried over" in report
    assert "the constraint_message is not carried over" in report


def test_csv_form_as_a_zip_and_as_files_beside_each_other(runner, tmp_path):
    conversion, pages, report = convert(feedback_zip(), "feedback.zip")
    q = questions(pages)
    assert conversion.definition["languages"] == ["de"]          # plain "label", German texts
    assert "they look like de" in report
    assert q["gesamt"]["type"] == "scale"                          # likert
    assert q["warum_nicht"]["show_if"] == {"all": [{"question": "wieder", "equals": "nein"},
                                                   {"question": "gesamt", "at_most": 2}]}
    assert q["thema_a"]["type"] == "matrix" and "thema_a1" not in q            # label + list-nolabel
    assert [i["id"] for i in q["thema_a"]["items"]] == ["thema_a1", "thema_a2"]
    assert q["sonst"]["show_if"] == {"question": "mehr", "contains": "sonstiges"}
    for path in FEEDBACK.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert set(companion_files(str(tmp_path / "survey.csv"))) == {"choices.csv", "settings.csv"}
    result = runner.invoke(args=["import-xlsform", str(tmp_path / "survey.csv")])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout)["id"] == "workshop-feedback"
    assert "sehen nach de aus" in result.stderr                      # the report in the default language


def test_pyxform_one_file_csv_form():
    data = csv_text([["survey", "", "", ""], ["", "type", "name", "label"], ["", "select_one yn", "ok", "OK?"],
                     ["", "text", "why", "Why?"], ["choices", "", "", ""], ["", "list_name", "name", "label"],
                     ["", "yn", "yes", "Yes"], ["", "yn", "no", "No"]])
    _, pages, _ = convert(data, "form.csv")
    assert [o["value"] for o in questions(pages)["ok"]["options"]] == ["yes", "no"]


def test_windows_csv_with_semicolons_is_read_and_the_encoding_reported():
    survey = "type;name;label::Deutsch (de)\ntext;stadt;Gr\xf6\xdfe der Stadt\n".encode("cp1252")
    _, pages, report = convert(zipped({"survey.csv": survey}), "f.zip")
    assert questions(pages)["stadt"]["text"] == {"de": "Größe der Stadt"}
    assert "Windows-1252" in report


# --------------------------------------------------------------------------- hostile files

@pytest.mark.parametrize("data, message", [
    (zip_bomb(500), "zip bomb"),
    (lying_dimension(last_row=1_048_576), "rows past row 20000"),
    (sheets([["type", "name", "label"], ["text", "q", "Q"] + [None] * 2000 + ["far"]]), "past column 1000"),
    (b"PK\x03\x04 not really", "damaged"),
    (b"\xd0\xcf\x11\xe0 not an xls", "not a readable .xls"),
    (b"not a workbook", "not a workbook"),
    (sheets([["name", "label"], ["q", "Q"]]), "no column “type”"),
    (zipped({"notes.txt": b"x"}), "neither a workbook nor CSV"),
])
def test_hostile_and_broken_files_are_refused_with_a_message(data, message):
    with pytest.raises(XLSFormError, match=message):
        convert_workbook(data, "x.xlsx")


def test_a_sheet_claiming_a_million_rows_is_read_by_its_content():
    _, pages, _ = convert(lying_dimension("A1:XFD1048576"), "x.xlsx")
    assert list(questions(pages)) == ["q"]
    _, pages, _ = convert(lying_dimension(empty_rows=2_000), "x.xlsx")    # as Google Sheets exports
    assert list(questions(pages)) == ["q"]
    with pytest.raises(XLSFormError, match="more than 50000 rows"):
        convert_workbook(lying_dimension(empty_rows=60_000), "x.xlsx")


def test_entities_in_a_workbook_are_refused_not_expanded():
    data = sheets([["type", "name", "label"], ["text", "q", "Q"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {i.filename: source.read(i) for i in source.infolist()}
    files["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                                         b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                                         + files["xl/worksheets/sheet1.xml"].split(b"?>", 1)[-1])
    with pytest.raises(XLSFormError):
        convert_workbook(zipped(files), "x.xlsx")


def test_deeply_nested_conditions_and_scripts_in_labels_are_reported_not_crashing():
    deep = "not(" * 1500 + "${a} = 'x'" + ")" * 1500
    rows = [["type", "name", "label"], ["text", "a", "A <script>alert(1)</script><b>bold</b>"],
            ["text", "b", "B", ], ["text", "c", "C"]]
    rows[2] += [None] * 0
    data = sheets([rows[0] + ["relevant"], rows[1] + [None], rows[2] + [deep], ["text", "c", "C", "(" * 60 + "1"]])
    _, pages, report = convert(data)
    q = questions(pages)
    assert "script" not in str(q["a"]["text"]) and q["a"]["text"]["en"] == "A bold"
    assert "nested more than 40 levels" in report and "show_if" not in q["b"]
    assert "contained a script, which was removed" in report


# --------------------------------------------------------------------------- languages

def test_english_form_without_default_language_is_english():
    data = sheets([["type", "name", "label::English (en)", "label::French (fr)"], ["text", "q", "Name?", "Nom ?"]])
    conversion, _, _ = convert(data)
    assert conversion.definition["languages"] == ["en", "fr"]


@pytest.mark.parametrize("heading, code", [("label::chinese", "zh"), ("label::Chichewa (ny)", "ny"),
                                           ("label:English (en)", "en"), ("label::Deutsch", "de"),
                                           ("label::Arabic (ar)", "ar"), ("label::pt-BR", "pt_BR")])
def test_language_columns_in_every_way_they_are_written(heading, code):
    conversion, pages, _ = convert(sheets([["type", "name", heading], ["text", "q", "Text"]]))
    assert conversion.definition["languages"] == [code] and questions(pages)["q"]["text"] == {code: "Text"}


# --------------------------------------------------------------------------- mappings

CHOICE_SHEET = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"],
                ["num", "1", "One"], ["num", "2", "Two"], ["num", "3", "Three"],
                ["fruit", "apple", "Apple"], ["fruit", "pear", "Pear"]]


def test_types_and_columns_map_or_are_reported():
    survey = [["type", "name", "label", "hint", "constraint", "constraint_message", "parameters", "appearance",
               "media::image", "required"],
              ["range", "temp", "Temperature", None, None, None, "start=0 end=40 step=0.5"],
              ["acknowledge", "ok", "I agree"],
              ["rank", "order", "Order these", None, None, None, None, None, None, None],
              ["select_one fruit", "fruit", "Fruit"],
              ["text", "code", "Code", None, "regex(., '^[A-Z]{3}$')", "Three capitals"],
              ["text", "free", "Free", None, "regex(., '[0-9]')"],
              ["dateTime", "when", "When"],
              ["select_one yn", "dd", "Dropdown", None, None, None, None, "minimal"],
              ["note", "pic", "A picture", None, None, None, None, None, "cat.png"],
              ["calculate", "calc", None], ["geopoint", "gps", "Where"], ["start", "start", None],
              ["select_one num", "lik", "Agree?", None, None, None, None, "likert"],
              ["text", "req", "Conditional", None, None, None, None, None, None, "${temp} > 3"],
              ["textt", "typo", "Typo"]]
    survey[3][0] = "rank fruit"
    _, pages, report = convert(sheets(survey, CHOICE_SHEET, [["form_title"], ["Mappings"]]))
    q = questions(pages)
    assert (q["temp"]["type"], q["temp"]["min"], q["temp"]["max"], q["temp"]["step"]) == ("number", 0, 40, 0.5)
    assert q["ok"]["type"] == "yes_no" and q["order"]["type"] == "ranking"
    assert (q["code"]["pattern"], q["code"]["pattern_message"]) == ("[A-Z]{3}", {"en": "Three capitals"})
    assert q["free"]["pattern"] == "(?s:.*?)(?:[0-9])(?s:.*)"
    assert q["when"]["type"] == "date" and q["lik"]["type"] == "scale"
    assert "calc" not in q and "gps" not in q and "start" not in q and "typo" not in q
    for expected in ("appearance “minimal” has no counterpart", "the question's media (image) are left out",
                     "a calculation", "location, media", "data from the device", "did you mean “text”",
                     "required only under a condition", "time of day is not asked", "“acknowledge” becomes"):
        assert expected in report, expected


def test_conditions_in_ordinary_xlsform_are_carried_over():
    survey = [["type", "name", "label", "relevant"],
              ["select_one yn", "q-1", "Q1"], ["select_one num", "n.1", "N"], ["integer", "age", "Age"],
              ["select_multiple fruit", "fr", "Fruits"],
              ["text", "a", "A", "${q-1} = 'yes'and ${n.1}=1"],
              ["text", "b", "B", "selected(${q-1}, 'no') or ${age} >= 18"],
              ["text", "c", "C", "${n.1} > 1"],
              ["text", "d", "D", "${q-1} != 'yes'"],
              ["text", "e", "E", "string-length(${a}) > 0"],
              ["text", "f", "F", "count-selected(${fr}) = 0"],
              ["text", "g", "G", "${age} >= '18' and not(selected(${fr}, 'pear'))"],
              ["text", "h", "H", "/data/q-1 = “yes”"],
              ["text", "i", "I", "${age} + 1 > 3"],
              ["text", "j", "J", "${later} = 1"],
              ["text", "later", "Later"]]
    _, pages, report = convert(sheets(survey, CHOICE_SHEET))
    q = questions(pages)
    assert q["a"]["show_if"] == {"all": [{"question": "q_1", "equals": "yes"}, {"question": "n_1", "equals": "1"}]}
    assert q["b"]["show_if"] == {"any": [{"question": "q_1", "equals": "no"}, {"question": "age", "at_least": 18}]}
    assert q["c"]["show_if"] == {"question": "n_1", "one_of": ["2", "3"]}
    assert q["d"]["show_if"] == {"not": {"question": "q_1", "equals": "yes"}}
    assert q["e"]["show_if"] == {"question": "a", "answered": True}
    assert q["f"]["show_if"] == {"question": "fr", "answered": False}
    assert q["g"]["show_if"] == {"all": [{"question": "age", "at_least": 18},
                                         {"not": {"question": "fr", "contains": "pear"}}]}
    assert q["h"]["show_if"] == {"question": "q_1", "equals": "yes"}
    assert "show_if" not in q["i"] and "calculations" in report
    assert "show_if" not in q["j"] and "comes later" in report


def test_nested_group_conditions_are_kept_on_pages_or_questions():
    survey = [["type", "name", "label", "relevant", "appearance"],
              ["select_one yn", "start", "Start?"],
              ["begin group", "outer", "Outer", "${start} = 'yes'"],
              ["select_one yn", "inner_q", "Inner?"],
              ["begin group", "inner", "Inner group", "${inner_q} = 'yes'"],
              ["text", "deep", "Deep"],
              ["end group"],
              ["begin group", "same", "Same page", "${inner_q} = 'no'", "field-list"],
              ["select_one yn", "s1", "S1"],
              ["begin group", "sub", "Sub", "${s1} = 'yes'"],
              ["text", "s2", "S2"],
              ["end group"],
              ["end group"],
              ["end group"]]
    _, pages, report = convert(sheets(survey, CHOICE_SHEET))
    by_id = {p["id"]: p for p in pages}
    assert by_id["outer"]["show_if"] == {"question": "start", "equals": "yes"}
    assert by_id["inner"]["show_if"] == {"all": [{"question": "start", "equals": "yes"},
                                                 {"question": "inner_q", "equals": "yes"}]}
    same = {q["id"]: q for q in by_id["same"]["questions"]}
    assert same["s2"]["show_if"] == {"question": "s1", "equals": "yes"}     # the merged group's condition
    assert "merged into its page" in report


def test_grid_rows_used_by_later_conditions_stay_questions():
    survey = [["type", "name", "label", "relevant", "appearance"],
              ["begin group", "grid", "Grid", None, "table-list"],
              ["select_one num", "r1", "Row 1"], ["select_one num", "r2", "Row 2"], ["end group"],
              ["text", "why", "Why?", "${r1} = 1"]]
    _, pages, report = convert(sheets(survey, CHOICE_SHEET))
    q = questions(pages)
    assert "r1" in q and "grid" not in q and q["why"]["show_if"] == {"question": "r1", "equals": "1"}
    assert "because later conditions use it" in report


def test_duplicate_names_are_reported_not_asked_twice():
    survey = [["type", "name", "label"], ["text", "q", "Q"], ["text", "q", "Q again"]]
    _, pages, report = convert(sheets(survey))
    assert list(questions(pages)) == ["q"] and "used already in row 2" in report


def test_texts_lose_html_and_references_with_a_report():
    survey = [["type", "name", "label", "hint"], ["text", "name", "Your name"],
              ["note", "hi", "<p>Hello <span style='color:red'>${name}</span> &amp; welcome</p>", "**Read** this"]]
    _, pages, report = convert(sheets(survey))
    note = questions(pages)["hi"]
    assert note["text"] == {"en": "Hello […] & welcome"} and note["help"] == {"en": "Read this"}
    assert "refers to ${name}" in report and "HTML or Markdown" in report


def test_report_lines_are_translated():
    conversion = convert_workbook(sheets([["type", "name", "label"], ["geopoint", "g", "Where"],
                                          ["text", "t", "T"]]), "f.xlsx")
    german = {"type “%(type)s” (location, media, barcode, time) is not supported; left out":
              "Typ „%(type)s“ (Ort, Medien, Barcode, Uhrzeit) wird nicht unterstützt; weggelassen",
              "survey row %(row)d (%(question)s)": "survey-Zeile %(row)d (%(question)s)"}
    lines = [n.render(lambda m: german.get(m, m)) for n in conversion.notes]
    assert "survey-Zeile 2 (g): Typ „geopoint“ (Ort, Medien, Barcode, Uhrzeit) wird nicht unterstützt; weggelassen" \
        in lines


@pytest.mark.parametrize("text", ["${a}='x'and${b}='y'", "selected( ${a} , 'x' )", "not(${a-b}!= 1)",
                                  "${a} = “x”", "/data/g/a = 'x' or ../a = 1"])
def test_the_grammar_reads_what_odk_accepts(text):
    assert parse_expression(text)


# --------------------------------------------------------------------------- admin and respondents

@pytest.fixture
def admin(tmp_path):
    folder = tmp_path / "definitions"
    folder.mkdir()
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))
    from survey_app.web.auth import create_user

    with app.app_context():
        create_user("admin", PASSWORD, "admin")
    client = app.test_client()
    login(client, "admin")
    return client


def _upload(client, name, data):
    return client.post("/admin/definitions/upload", data={"csrf_token": csrf_token(client, "/admin/"),
                                                         "definition": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_hostile_uploads_get_a_message_in_the_admins_language(admin):
    deep = sheets([["type", "name", "label", "relevant"], ["text", "a", "A"],
                   ["text", "b", "B", "not(" * 1500 + "${a} = 'x'" + ")" * 1500]])
    page = _upload(admin, "deep.xlsx", deep)
    assert page.status_code == 200 and "tiefer als 40 Ebenen verschachtelt" in page.get_data(as_text=True)
    page = _upload(admin, "bomb.xlsx", zip_bomb(100)).get_data(as_text=True)
    assert "Zip-Bombe" in page


SERVED = [("old.xls", OLD_XLS.read_bytes()), ("feedback.zip", feedback_zip()),
          ("partner.xlsx", xlsform(FULL, CHOICES, {"form_title": "Partner", "default_language": "Deutsch (de)"}))]


@pytest.mark.parametrize("name, data", SERVED, ids=[name for name, _ in SERVED])
def test_imported_forms_are_saved_and_filled_in_through_the_real_routes(admin, name, data):
    from test_limesurvey import _publish, _textarea
    from survey_app.web.db import get_store

    review = _upload(admin, name, data)
    assert review.status_code == 200, review.get_data(as_text=True)[:2000]
    text = _textarea(review.get_data(as_text=True))
    assert _publish(admin, review).location.endswith("/admin/")  # upload, review, publish
    slug = yaml.safe_load(text)["id"]
    respondent = admin.application.test_client()
    start = respondent.get(f"/s/{slug}").get_data(as_text=True)
    language = yaml.safe_load(text)["languages"][0]
    assert f'lang="{language}"' in start
    assert _fill_in(respondent, admin.application, slug)
    with admin.application.app_context():
        store = get_store()
        responses = store.responses(store.find_survey_by_slug(slug).id)
    assert len(responses) == 1 and responses[0]["answers"]


def _fill_in(client, app, slug: str) -> list[int]:
    """Walk the survey through the real routes, answering as test_limesurvey does (texts with a
    pattern are left empty: they are optional here); returns the page numbers shown."""
    from test_limesurvey import answers_for
    from survey_app.web.catalogue import get_questionnaire

    with app.app_context():
        questionnaire = get_questionnaire(slug)
    response = client.post(f"/s/{slug}/start", data={"csrf_token": csrf_token(client, f"/s/{slug}")})
    shown = []
    while "/p/" in response.location and len(shown) < 30:
        number = int(response.location.rsplit("/p/", 1)[1].split("?")[0])
        shown.append(number)
        page = questionnaire.pages[number - 1]
        data = {k: v for k, v in answers_for(page).items()
                if not any(q.pattern and q.id == k for q in page.questions)}
        for _attempt in range(3):       # a page is shown again when an answer brings up a question on it
            response = client.post(f"/s/{slug}/p/{number}",
                                   data={**data, "csrf_token": csrf_token(client, f"/s/{slug}/p/{number}"),
                                         "action": "next"})
            if response.status_code == 302:
                break
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.location.endswith(f"/s/{slug}/thanks")
    return shown


PIECES = ["${a}", "${b}", "${n}", "${m}", "'x'", "'1'", "1", "2.5", "-3", "=", "!=", "<", ">=", " and ", " or ",
          "and", "not(", "selected(", ",", "(", ")", "count-selected(", "string-length(", "+", ".", "''", "true()",
          "date('2020-01-01')", "/data/a", "jr:choice-name(", "[", "“", "${", "}"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=25), st.lists(st.sampled_from(PIECES), max_size=12))
def test_any_expression_gives_a_valid_definition_or_a_report(relevant, constraint):
    survey = [["type", "name", "label", "relevant", "constraint"],
              ["select_one yn", "a", "A"], ["select_one num", "b", "B"], ["integer", "n", "N"],
              ["select_multiple fruit", "m", "M"],
              ["text", "t", "T", "".join(relevant), "".join(constraint)],
              ["integer", "u", "U", None, "".join(constraint)]]
    convert(sheets(survey, CHOICE_SHEET))


def test_cli_reports_hostile_files_without_a_traceback(runner, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb(100))
    result = runner.invoke(args=["import-xlsform", str(bomb)])
    assert result.exit_code == 1 and "Zip-Bombe" in result.output and "Traceback" not in result.output
    deep = tmp_path / "deep.xlsx"
    deep.write_bytes(sheets([["type", "name", "label", "relevant"], ["text", "a", "A"],
                             ["text", "b", "B", "not(" * 1500 + "${a} = 'x'" + ")" * 1500]]))
    result = runner.invoke(args=["import-xlsform", str(deep)])
    assert result.exit_code == 0 and "tiefer als 40 Ebenen verschachtelt" in result.stderr
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(sheets([["type", "name", "label"], ["calculate", "c", None]]))
    assert runner.invoke(args=["import-xlsform", str(empty)]).exit_code == 1
