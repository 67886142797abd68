"""The committee pack: the selection per audience (saved as a decision record), the DOCX and
PDF opened and read back (captions, numbering, images with alt text, numbers equal to the
results' aggregates and to an independent count), role checks, bad input, axe."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter

import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from survey_app.decisions import pack
from survey_app.web.auth import create_user
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store

PARTNERS = "stakeholder-questionnaire"
STAFF = "staff-self-assessment"


# -- pure: reading the form ------------------------------------------------------------------

def _candidates():
    filters = (("organisation_type:city", {"en": "Kind"}, {"en": "City"}),)
    return [pack.Candidate(pack.QUESTION, "s1", "q1", {"en": "S"}, {"en": "Q1"}, 1, (("organisation_type", {"en": "Kind"}),), filters),
            pack.Candidate(pack.QUESTION, "s1", "q2", {"en": "S"}, {"en": "Q2"}, 2, (), filters),
            pack.Candidate(pack.POLL, "w1", "goals", {"en": "W"}, {"en": "Goals"})]


def test_the_form_gives_items_in_the_order_of_their_positions_and_round_trips():
    candidates = _candidates()
    first, second, poll = (c.ref for c in candidates)
    form = {"title": " Paper ", "summary": "One.\r\n\r\nTwo.", "profiles": "1",
            f"use-{first}": "1", f"order-{first}": "2", f"by-{first}": "organisation_type",
            f"use-{second}": "1", f"order-{second}": "2", f"filter-{second}": "organisation_type:city",
            f"use-{poll}": "1", f"order-{poll}": "1"}
    selection, errors = pack.read_selection("social_committee", form, candidates)
    assert errors == {}
    assert [i.item for i in selection.items] == ["goals", "q1", "q2"]   # equal positions: list order
    assert selection.title == "Paper" and selection.summary == "One.\n\nTwo."
    assert selection.profiles and not selection.staffing
    assert pack.selection_from_value("social_committee", json.loads(json.dumps(selection.value()))) == selection


def test_bad_input_gets_a_message_at_its_field():
    candidates = _candidates()
    first, second, _poll = (c.ref for c in candidates)
    _, errors = pack.read_selection("social_committee", {"title": ""}, candidates)
    assert set(errors) == {"title", "items"}
    form = {"title": "x" * 201, "summary": "y" * 20_001, f"use-{first}": "1", f"order-{first}": "first",
            f"by-{first}": "nonsense", f"use-{second}": "1", f"order-{second}": "0", f"filter-{second}": "q:zzz"}
    _, errors = pack.read_selection("social_committee", form, candidates)
    assert set(errors) == {"title", "summary", f"order-{first}", f"by-{first}", f"order-{second}", f"filter-{second}"}
    form = {"title": "T", f"use-{first}": "1", f"order-{first}": "1", f"by-{first}": "organisation_type",
            f"filter-{first}": "organisation_type:city"}
    _, errors = pack.read_selection("social_committee", form, candidates)
    assert list(errors) == [f"by-{first}"]          # a breakdown by the filter's own question


def test_a_stored_selection_with_odd_parts_reads_without_them():
    value = {"title": 3, "items": [{"kind": "question", "source": "s", "item": "q", "by": 5},
                                   {"kind": "other", "source": "s", "item": "q"}, "junk"], "staffing": False}
    selection = pack.selection_from_value("social_committee", value)
    assert selection.title == "" and selection.items == (pack.Item("question", "s", "q"),)
    assert not selection.staffing and selection.profiles


# -- the pages and files, on the demo data ---------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("pack"))
    with app.app_context():
        for role in ("admin", "evaluator", "facilitator"):
            create_user(role, PASSWORD, role)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "committee pack for the social committee" in result.output
    return app


def staff(app, role="evaluator"):
    client = app.test_client()
    login(client, role)
    return client


@pytest.fixture(scope="module")
def files(site):
    """The demo's pack for the social committee, downloaded once as DOCX and PDF."""
    client = staff(site)
    out = {}
    for kind in ("docx", "pdf"):
        response = client.get(f"/decisions/pack/social_committee/pack.{kind}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        assert response.headers["Content-Disposition"].startswith('attachment; filename="social-committee-')
        out[kind] = response.data
    return out


def _docx(data: bytes):
    import docx
    return docx.Document(io.BytesIO(data))


def _table_texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _survey(app, slug):
    with app.app_context():
        return get_store().find_survey_by_slug(slug)


def test_the_docx_has_numbered_captions_images_with_alt_text_and_the_appendix(site, files):
    document = _docx(files["docx"])
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert styles[0] == ("Title", "Quartiersmanagement: Aufgaben und Rollen (Demo)")
    assert ("Subtitle", "Sozialausschuss") in styles
    headings = [text for style, text in styles if style == "Heading 1"]
    assert headings[:2] == ["Zusammenfassung", "Ergebnisse"] and headings[-1] == "Anhang: Methode"
    captions = [text for style, text in styles if style == "Caption"]
    figures = [c for c in captions if c.startswith("Abbildung ")]
    tables = [c for c in captions if c.startswith("Tabelle ")]
    assert [int(re.match(r"Abbildung (\d+):", c).group(1)) for c in figures] == list(range(1, len(figures) + 1))
    assert [int(re.match(r"Tabelle (\d+):", c).group(1)) for c in tables] == list(range(1, len(tables) + 1))
    assert len(figures) >= 8 and len(tables) == len(document.tables)
    for caption in (c for c in captions if "Grundlage:" not in c and "Aufgabenprofile:" not in c):   # (below)
        assert re.search(r"\((n = \d+|n nicht gezeigt); Quelle: .+; Stand: \d{4}-\d\d-\d\d\)$", caption), caption
    assert any("Aufgeschlüsselt nach: Für welche Art von Organisation" in c for c in captions)
    # every figure is an image with its alternative text, naming the numbers it draws
    shapes = document.inline_shapes
    assert len(shapes) == len(figures)
    for shape, caption in zip(shapes, figures):
        described = shape._inline.docPr.get("descr")
        assert described and described.startswith("Balkendiagramm: "), described
        assert re.search(r"\d+,\d %|\d,\d\d", described)
        assert shape._inline.docPr.get("title") == caption.split(":")[0]
    # the Word caption numbers are fields Word renumbers
    assert files["docx"] and b"SEQ Abbildung" in _document_xml(files["docx"])
    assert any("Mindestgruppengröße: 5." in text for _, text in styles)


def _document_xml(data: bytes) -> bytes:
    import zipfile
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def _aggregates(client, survey, **args) -> dict:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client.get(f"/results/{survey.id}/download/aggregates.json?{query}")
    return {q["question"]: q for q in json.loads(response.data)["questions"]}


def _exhibit_table(document, question_text: str, occurrence: int = 0) -> list[list[str]]:
    """The table whose caption names the question (the n-th such table)."""
    found = []
    captions = [p for p in document.paragraphs if p.style.name == "Caption" and p.text.startswith("Tabelle ")]
    for caption, table in zip(captions, document.tables):
        if question_text in caption.text:
            found.append(_table_texts(table))
    return found[occurrence]


def test_numbers_equal_the_results_aggregates_and_an_independent_count(site, files):
    document = _docx(files["docx"])
    client = staff(site)
    partners = _survey(site, PARTNERS)
    with site.app_context():
        questionnaire = get_questionnaire(partners.questionnaire_id)
        responses = [r for r in get_store().responses(partners.id)]
    scale = next(q for q in questionnaire.questions() if q.id == "agree_role_clear")
    rows = _exhibit_table(document, scale.text["de"], occurrence=1)   # staff first, then partners
    aggregates = _aggregates(client, partners)["agree_role_clear"]
    [item] = aggregates["items"]
    assert rows[0][1] == f"Alle (n = {item['n']})"
    # independent: count the stored answers on the scale (not "don't know")
    values = Counter(r["answers"].get("agree_role_clear") for r in responses)
    on_scale = sum(values[p.value] for p in scale.scale.points)
    assert on_scale == item["n"] - item["dont_know"]
    for row, point in zip(rows[1:], scale.scale.points):
        count = values[point.value]
        assert row[0] == point.label["de"]
        assert row[1].endswith(f"({count})")
        share = float(row[1].split(" %")[0].replace(",", "."))
        assert abs(share - 100 * count / on_scale) <= 0.1
        stored = next(p for p in item["points"] if p["value"] == point.value)
        assert stored["count"] == count

    # what the staff's results hide (5 answers on the scale at most), the pack hides and says so
    hidden = _aggregates(client, _survey(site, STAFF))["agree_role_clear"]
    assert hidden.get("suppressed") is True
    assert _exhibit_table(document, scale.text["de"], occurrence=0) == [["Antwort"], ["Nicht gezeigt: weniger als 5 Personen."]]

    # the breakdown by kind of organisation: the group columns as aggregates.json has them
    usefulness = next(q for q in questionnaire.questions() if q.id == "task_usefulness")
    rows = _exhibit_table(document, usefulness.text["de"], occurrence=1)
    broken = _aggregates(client, partners, by="organisation_type")["task_usefulness"]
    shown = [g for g in broken["groups"] if not g["suppressed"]]
    assert rows[0][2:] == [f"{g['label']} (n = {g['size']})" for g in shown]
    hidden = [g["label"] or "keine Angabe" for g in broken["groups"] if g["suppressed"]]
    notes = " ".join(p.text for p in document.paragraphs)
    assert hidden and all(f"{label}: nicht gezeigt" in notes for label in hidden)
    for row, item in zip(rows[1:], broken["items"]):
        assert row[0] == item["label"]
        for cell, group in zip(row[2:], shown):
            [mine] = [i for i in group["summary"]["items"] if i["item"] == item["item"]]
            assert cell == f"{_decimal(mine['mean'])} (n = {mine['n']})"
        # independent: the mean of the item's answers on the scale
        answers = [r["answers"].get("task_usefulness", {}).get(item["item"]) for r in responses]
        points = [int(a) for a in answers if a is not None and str(a).isdigit()]
        assert abs(float(row[1].split(" ")[0].replace(",", ".")) - sum(points) / len(points)) < 0.006


def _decimal(value: float) -> str:
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def test_the_staffing_tables_follow_the_findings_with_their_captions(files):
    """The staffing section (decisions.staffing through the release plan): today's FTE per task
    of the team are the posts (2,5 + 3,5) times the staff's mean share of working time that the
    pack's own allocation table shows; the scenario table follows with the next number."""
    document = _docx(files["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Personalbedarf in Vollzeitäquivalenten" in headings
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption" and p.text.startswith("Tabelle ")]
    today = next(i for i, c in enumerate(captions) if "Vollzeitäquivalente je Aufgabe heute (n = 6" in c)
    assert "Stellenbedarf im Szenario „Mehr Netzwerkarbeit, keine Einzelfallbetreuung“" in captions[today + 1]
    assert captions[today].startswith(f"Tabelle {today + 1}: ") and captions[today].endswith(f"; Stand: {dt.date.today()}")
    fte = _table_texts(document.tables[today])
    assert fte[0][-1] == "Team" and fte[-1] == ["Stellen insgesamt", "2,5", "3,5", "6"]
    shares = {row[0]: float(row[1].rstrip(" %").replace(",", ".")) / 100 for row in _table_texts(document.tables[0])[1:]}
    for row in fte[1:-1]:
        assert abs(float(row[-1].replace(",", ".")) - 6 * shares[row[0]]) <= 0.006, row


def test_the_task_profiles_are_in_the_pack_as_classified(site, files):
    from survey_app.decisions import profiles
    from survey_app.web.db import get_decision_records

    with site.app_context():
        stored = dict(get_decision_records().list_records(profiles.RECORD_KIND))
    document = _docx(files["docx"])
    assert "Aufgabenprofile" in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    [table] = [t for t in document.tables if _table_texts(t)[0] == ["Aufgabe", "Einordnung", "Beschreibung", "Quellen (n)"]]
    rows = _table_texts(table)[1:]
    described = [record["description"] for record in stored.values() if record.get("description")]
    assert len(rows) == len(stored) and described
    assert sorted(row[2] for row in rows if row[2] != "–") == sorted(described)
    assert all("(n = " in row[3] for row in rows)


def test_the_pdf_holds_the_same_captions_and_numbers(site, files):
    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(files["pdf"]))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    document = _docx(files["docx"])
    for caption in (p.text for p in document.paragraphs if p.style.name == "Caption"):
        assert caption in flat, caption
    for table in document.tables[:3]:
        for row in _table_texts(table)[1:]:
            assert re.sub(r"\s+", " ", row[-1]) in flat
    assert "Anhang: Methode" in flat and "Mindestgruppengröße: 5." in flat
    assert "Seite 2 / " in flat


def test_only_evaluators_and_admins_reach_the_pack(site):
    paths = ["/decisions/pack/", "/decisions/pack/social_committee", "/decisions/pack/social_committee/pack.docx",
             "/decisions/pack/social_committee/pack.pdf"]
    facilitator = staff(site, "facilitator")
    for path in paths:
        assert facilitator.get(path).status_code == 403
    token = csrf_token(facilitator, "/workshops/")
    assert facilitator.post(paths[1], data={"csrf_token": token, "title": "x"}).status_code == 403
    anonymous = site.test_client()
    for path in paths:
        assert anonymous.get(path).status_code == 302
    admin = staff(site, "admin")
    page = admin.get("/decisions/pack/").get_data(as_text=True)
    assert "Sozialausschuss" in page and "Personalausschuss" in page
    assert admin.get("/decisions/pack/nobody").status_code == 404
    assert admin.get("/decisions/pack/social_committee/pack.odt").status_code == 404


def test_saving_a_selection_with_bad_input_keeps_what_was_typed_and_says_why(site):
    client = staff(site)
    url = "/decisions/pack/personnel_committee"
    assert client.get(f"{url}/pack.docx").status_code == 409    # nothing saved yet
    page = client.get(url).get_data(as_text=True)
    refs = re.findall(r'name="use-([^"]+)"', page)
    assert any(ref.startswith("q~") for ref in refs) and any(ref.startswith("p~") for ref in refs)
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "version": "0", "title": "",
                                      "summary": "Mein Text", f"use-{refs[0]}": "1", f"order-{refs[0]}": "erst"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte geben Sie der Vorlage einen Titel." in body
    assert "Bitte geben Sie eine Position von 1 bis 999 ein." in body
    assert 'value="erst"' in body and "Mein Text" in body
    assert client.post(url, data={"title": "Ohne Token", f"use-{refs[0]}": "1"}).status_code == 400


def test_a_saved_selection_comes_back_in_its_order_and_a_stale_one_is_refused(site):
    client = staff(site)
    url = "/decisions/pack/personnel_committee"
    page = client.get(url).get_data(as_text=True)
    refs = re.findall(r'name="use-([^"]+)"', page)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    poll = next(r for r in refs if r.startswith("p~"))
    staff_time = next(r for r in refs if r.endswith("~task_time"))
    data = {"csrf_token": csrf_token(client, url), "version": version, "title": "Personalbemessung",
            f"use-{poll}": "1", f"order-{poll}": "2", f"use-{staff_time}": "1", f"order-{staff_time}": "1",
            "staffing": "1"}
    response = client.post(url, data=data)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Die Auswahl für die Vorlage ist gespeichert." in page
    assert re.search(rf'id="use-{re.escape(staff_time)}" name="use-{re.escape(staff_time)}" value="1" checked', page)
    assert re.search(rf'name="order-{re.escape(poll)}"[^>]*value="2"', page)
    document = _docx(client.get(f"{url}/pack.docx").data)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings[0].startswith("Welcher Anteil Ihrer Arbeitszeit") and len(headings) == 2
    # the same form again (its version is old now): refused, nothing changed
    stale = client.post(url, data={**data, "title": "Überschrieben"})
    assert stale.status_code == 422 and "Jemand anderes hat diese Vorlage inzwischen gespeichert" in \
        stale.get_data(as_text=True)
    assert "Überschrieben" not in client.get("/decisions/pack/").get_data(as_text=True)


@pytest.mark.browser
def test_the_pack_pages_have_no_wcag_violations(site, browser):
    from browser_support import LiveServer, log_in
    from test_accessibility import _violations

    with LiveServer(site) as server:
        page = browser.new_page()
        log_in(page, server.url, "evaluator", PASSWORD)
        found = {}
        for name, path in (("list", "/decisions/pack/"), ("selection", "/decisions/pack/social_committee")):
            page.goto(server.url + path)
            found[name] = _violations(page)
        page.goto(server.url + "/decisions/pack/social_committee")
        page.get_by_label("Titel der Vorlage").fill("")
        page.get_by_role("button", name="Auswahl speichern").click()
        found["errors"] = _violations(page)
        page.close()
    assert {name: v for name, v in found.items() if v} == {}
