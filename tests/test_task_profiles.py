"""Task profiles: every task's evidence side by side (the triangulation's cells, n and suppression),
flags, the evaluator's classification, the draft task description and the consultation round."""
from __future__ import annotations

import io
import re
from pathlib import Path
from collections import Counter

import pytest

from conftest import PASSWORD, csrf_token, login, make_app
from survey_app.analysis.counting import counted
from survey_app.analysis.triangulation import Cell, Measure
from survey_app.decisions import profiles as tasks
from survey_app.output.formatting import percent
from survey_app.web.auth import create_user
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.workshops.records import workshop_from_record


def t(text):
    return {"de": text, "en": text}


# -- pure: flags ------------------------------------------------------------------------------

def evidence(source, kind, n=10, suppressed=False, mean=None, share=None, top=None):
    return tasks.Evidence(Measure(source, t(source), "q", t("Frage"), kind), Cell(n, suppressed, mean, share, top))


TIME = evidence("staff", "share", 6, share=0.15)
STAFF_LEAD = evidence("staff", "nominal", 6, share=0.5, top=t("Städtischer Sozialdienst"))
ROOM_LEAD = evidence("workshop:1", "lead", 40, share=0.4, top=t("Quartiersmanagement (allgemein)"))


def rules(found):
    return [f.rule for f in found]


def test_much_time_on_a_task_another_actor_leads_is_flagged():
    assert rules(tasks.flags([TIME, STAFF_LEAD], None)) == [tasks.TIME_ELSEWHERE]
    # 9.9 % is below the threshold; a hidden lead cell counts for nothing
    little = evidence("staff", "share", 6, share=0.099)
    assert rules(tasks.flags([little, STAFF_LEAD], None)) == []
    hidden = evidence("partners", "nominal", 3, suppressed=True)
    assert rules(tasks.flags([TIME, hidden], None)) == []


def test_sources_naming_different_actors_and_ratings_far_apart():
    assert rules(tasks.flags([STAFF_LEAD, ROOM_LEAD], None)) == [tasks.LEAD_SPLIT]
    staff = evidence("staff", "rating", 6, mean=4.2, share=0.80)
    partners = evidence("partners", "rating", 70, mean=3.1, share=0.55)
    assert rules(tasks.flags([staff, partners], None)) == [tasks.RATINGS_APART]
    closer = evidence("partners", "rating", 70, mean=3.5, share=0.56)
    assert rules(tasks.flags([staff, closer], None)) == []   # 24 points apart


def test_classification_against_the_evidence():
    not_ours = tasks.Classification(tasks.NOT_OURS, "Städtischer Sozialdienst")
    assert rules(tasks.flags([TIME, ROOM_LEAD], not_ours)) == [tasks.NOT_OURS_BUT_TIME, tasks.NOT_OURS_BUT_OWN_LEAD]
    core = tasks.Classification(tasks.CORE, "", "Netzwerke knüpfen.")
    assert rules(tasks.flags([STAFF_LEAD], core)) == [tasks.CORE_BUT_OTHER_LEAD]
    assert rules(tasks.flags([ROOM_LEAD], core)) == []


def test_reading_a_classification():
    assert tasks.read_classification("", "", "")[1] == {"kind": tasks.KIND_MISSING}
    assert tasks.read_classification("shared", " ", "Text")[1] == {"actors": tasks.ACTORS_MISSING}
    assert tasks.read_classification("core", "", "")[1] == {"description": tasks.DESCRIPTION_MISSING}
    assert tasks.read_classification("core", "", "x" * 2001)[1] == {"description": tasks.DESCRIPTION_TOO_LONG}
    found, problems = tasks.read_classification("not_ours", "  Städtischer\tSozialdienst ", "Zeile 1\x0b\r\nZeile 2")
    assert not problems and found.actors == "Städtischer Sozialdienst" and found.description == "Zeile 1\n\nZeile 2"
    core, _ = tasks.read_classification("core", "Sozialdienst", "Kern.")
    assert core.actors == ""   # a core task belongs to nobody else


# -- the pages, on the demo data ----------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo's data with fewer partners (12, not 80: the release plans of 80 take long to
    compute; test_demo.py checks the profiles after the whole `flask demo`)."""
    from survey_app.decisions.demo import classify_demo_tasks
    from survey_app.demo import fill_demo_surveys, run_demo_workshop
    from survey_app.fieldings.fielding import ensure_default_surveys
    from survey_app.web.catalogue import get_catalogue
    from survey_app.workshops.templates import load_templates

    app = make_app(tmp_path_factory.mktemp("profiles"))
    with app.app_context():
        for role in ("admin", "evaluator", "facilitator"):
            create_user(role, PASSWORD, role)
        store = get_store()
        ensure_default_surveys(store, get_catalogue())
        fill_demo_surveys(store, get_catalogue(), sizes={"staff-self-assessment": 6, "stakeholder-questionnaire": 12})
        run_demo_workshop(store, load_templates(Path(app.config["QUESTIONNAIRE_DIR"]) / "workshops"))
        classify_demo_tasks(store)
    return app


def staff(app, role):
    client = app.test_client()
    login(client, role)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_only_evaluators_and_admins_see_the_profiles(site):
    assert site.test_client().get("/decisions/profiles/").status_code == 302   # to the login page
    facilitator = staff(site, "facilitator")
    for url in ("/decisions/", "/decisions/profiles/", "/decisions/profiles/task.networking",
                "/decisions/profiles/draft.md", "/decisions/profiles/draft.docx"):
        assert facilitator.get(url).status_code == 403, url
    assert "Entscheidungen" in text_of(staff(site, "evaluator").get("/results/"))   # in the navigation
    assert staff(site, "evaluator").get("/decisions/profiles/task.nothing").status_code == 404
    assert staff(site, "evaluator").get("/decisions/profiles/goal.networks").status_code == 404


def test_the_overview_lists_every_task_of_the_instruments(site):
    page = text_of(staff(site, "evaluator").get("/decisions/profiles/"))
    for construct in ("task.support_initiatives", "task.networking", "task.navigator", "task.case_work",
                      "task.administration"):
        assert construct in page
    assert "goal.networks" not in page and "overall.role_clarity" not in page
    assert "Wie Hinweise gesetzt werden" in page


def profile_cells(site, construct):
    with site.test_request_context():
        from survey_app.web.views.decisions.profiles import task_profiles
        from survey_app.web.views.results import triangulation_for

        profile = next(p for p in task_profiles()[0] if p.construct == construct)
        triangulation = triangulation_for()
    return profile, triangulation


def test_profile_cells_are_the_triangulation_cells(site):
    profile, triangulation = profile_cells(site, "task.case_work")
    row = next(r for r in triangulation.rows if r.construct == "task.case_work")
    on_triangulation = [(triangulation.measures[i], cell) for i, cell in row.cells.items()]
    in_profile = [(e.measure, e.cell) for e in profile.evidence]
    assert len(in_profile) == len(on_triangulation) and all(pair in on_triangulation for pair in in_profile)
    assert {e.aspect for e in profile.evidence} == {tasks.TIME, tasks.RESPONSIBLE, tasks.PRIORITY}


def test_profile_numbers_equal_an_independent_computation(site):
    client = staff(site, "evaluator")
    page = text_of(client.get("/decisions/profiles/task.networking"))
    with site.app_context():
        store = get_store()
        staff_survey = store.find_survey_by_slug("staff-self-assessment")
        responses = counted(staff_survey, store.responses(staff_survey.id)).responses
        shares = [r["answers"]["task_time"]["networking"] / 100 for r in responses if r["answers"].get("task_time")]
        partners = store.find_survey_by_slug("stakeholder-questionnaire")
        questionnaire = get_questionnaire("stakeholder-questionnaire")
        dont_know = questionnaire.scales["usefulness5"].dont_know is not None
        ratings = [r["answers"]["task_usefulness"].get("networking")
                   for r in counted(partners, store.responses(partners.id)).responses]
        ratings = [v for v in ratings if isinstance(v, int)]
        record = next(store.get_workshop(w["id"]) for w in store.list_workshops())
        workshop = workshop_from_record(record)
        run = workshop.current_round("task_priority").run
        points = Counter()
        for vote in store.votes(workshop.id, run):
            points.update(vote["value"])
    assert len(shares) == 6 and dont_know
    assert f"{percent(sum(shares) / len(shares), 'de')} der Summe n = 6" in page
    top2 = sum(1 for v in ratings if v >= 4) / len(ratings)
    assert f"Top 2: {percent(top2, 'de')} n = {len(ratings)}" in page
    assert f"{percent(points['networking'] / sum(points.values()), 'de')} der Punkte n = 40" in page


def test_the_draft_text_is_taken_literally():
    from survey_app.consultations.document import parse
    from survey_app.output.task_description import to_markdown

    profiles = (
        tasks.Profile("task.a", t("Netz*werk"), (), tasks.Classification(tasks.CORE, "", "# Kein <b>Titel</b>\n\nZwei"), ()),
        tasks.Profile("task.b", t("Fälle"), (), tasks.Classification(tasks.NOT_OURS, "Sozialdienst", ""), ()),
        tasks.Profile("task.c", t("Offen"), (), None, ()),
    )
    sections = tasks.draft_sections(profiles)
    assert [s.kind for s in sections] == [tasks.CORE, tasks.NOT_OURS]
    words = {"title": "Entwurf", tasks.CORE: "Kern", tasks.SHARED: "Geteilt", tasks.NOT_OURS: "Nicht",
             "with": "mit: %s", "belongs": "zuständig: %s"}
    document = parse({"de": to_markdown(sections, words, "de")})
    assert [b.kind for b in document.blocks] == ["heading", "heading", "text", "heading", "text"]
    assert document.sections[0].source() == r"**Netz\*werk.** \# Kein \<b\>Titel\</b\> Zwei"
    assert document.sections[1].source() == "**Fälle.** (zuständig: Sozialdienst)"


# -- classifying, the draft and the consultation (real storage) -------------------------------------

def test_demo_classifies_the_shipped_tasks(site):
    page = text_of(staff(site, "evaluator").get("/decisions/profiles/"))
    assert "10 Aufgaben, 8 eingeordnet" in page
    assert "Keine Aufgabe des Quartiersmanagements: Städtischer Sozialdienst (z. B. in den Übergangswohnheimen)" in page
    assert "2 Aufgaben sind noch nicht eingeordnet" in page


def classify(client, construct, **fields):
    token = csrf_token(client, f"/decisions/profiles/{construct}")
    return client.post(f"/decisions/profiles/{construct}", data={"csrf_token": token, **fields})


def test_bad_input_is_said_at_the_field_and_nothing_typed_is_lost(site):
    client = staff(site, "evaluator")
    response = classify(client, "task.other", kind="", actors="", description="Mein Entwurf")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="kind-error"' in page and "Bitte wählen Sie, wie diese Aufgabe eingeordnet wird." in page
    assert ">Mein Entwurf</textarea>" in page
    response = classify(client, "task.other", kind="shared", actors=" ", description="Text")
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    assert "Bitte nennen Sie die Akteure" in text_of(response)
    response = classify(client, "task.other", kind="core", actors="", description="x" * 2001)
    assert response.status_code == 422 and "Höchstens 2000 Zeichen." in text_of(response)
    # without the CSRF token, and for a facilitator: refused, nothing stored
    assert client.post("/decisions/profiles/task.other", data={"kind": "core", "description": "x"}).status_code == 400
    facilitator = staff(site, "facilitator")
    token = csrf_token(facilitator, "/account/password")
    assert facilitator.post("/decisions/profiles/task.other", data={
        "csrf_token": token, "kind": "core", "description": "x"}).status_code == 403
    with site.app_context():
        assert get_store().get_record(tasks.RECORD_KIND, "task.other") is None


def test_classifying_a_task_and_two_evaluators_at_once(site):
    first, second = staff(site, "evaluator"), staff(site, "admin")
    form_first = csrf_token(first, "/decisions/profiles/task.administration")
    form_second = csrf_token(second, "/decisions/profiles/task.administration")
    response = first.post("/decisions/profiles/task.administration", data={
        "csrf_token": form_first, "version": "0", "kind": "shared", "actors": "Fachbereich Soziales",
        "description": "Dokumentiert die Arbeit und stimmt sich im Fachbereich ab."})
    assert response.status_code == 302
    page = text_of(first.get("/decisions/profiles/task.administration"))
    assert "Mit anderen Akteuren geteilt: Fachbereich Soziales" in page and "von evaluator" in page
    # the admin had opened the page before (version 0): told, not overwritten, their text kept
    response = second.post("/decisions/profiles/task.administration", data={
        "csrf_token": form_second, "version": "0", "kind": "core", "actors": "", "description": "Anders."})
    assert response.status_code == 409
    assert "Jemand anderes hat die Einordnung dieser Aufgabe inzwischen gespeichert" in text_of(response)
    assert ">Anders.</textarea>" in response.get_data(as_text=True)
    with site.app_context():
        stored = get_store().get_record(tasks.RECORD_KIND, "task.administration")
    assert stored["classification"] == "shared" and stored["version"] == 1 and stored["updated_by"] == "evaluator"
    overview = text_of(first.get("/decisions/profiles/"))
    assert "Mit anderen Akteuren geteilt: Fachbereich Soziales" in overview


def test_the_draft_as_markdown_and_docx(site):
    from docx import Document

    from survey_app.consultations.document import parse

    client = staff(site, "evaluator")
    markdown = client.get("/decisions/profiles/draft.md")
    assert markdown.status_code == 200 and markdown.mimetype == "text/markdown"
    text = markdown.get_data(as_text=True)
    document = parse({"de": text})
    assert document.title == "Aufgabenbeschreibung Quartiersmanagement (Entwurf)"
    headings = [b.source() for b in document.blocks if b.kind == "heading"]
    assert headings[1:4] == ["## Kernaufgaben", "## Aufgaben gemeinsam mit anderen Akteuren",
                             "## Keine Aufgaben des Quartiersmanagements"]
    with site.app_context():
        classified = len(get_store().list_records(tasks.RECORD_KIND))
    assert len(document.sections) == classified          # one section per classified task
    assert "**Netzwerkarbeit" in text and "verknüpft die Stadtteilkonferenzen" in text
    assert "(zuständig: Städtischer Sozialdienst (z. B. in den Übergangswohnheimen))" in text
    word = client.get("/decisions/profiles/draft.docx")
    assert word.status_code == 200
    paragraphs = Document(io.BytesIO(word.data)).paragraphs
    assert paragraphs[0].text == "Aufgabenbeschreibung Quartiersmanagement (Entwurf)"
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"] == [h[3:] for h in headings[1:4]]
    networking = next(p for p in paragraphs if p.text.startswith("Netzwerkarbeit"))
    assert networking.runs[0].bold and "verknüpft die Stadtteilkonferenzen" in networking.text


def test_a_consultation_round_starts_from_the_draft(site):
    evaluator = staff(site, "evaluator")
    token = csrf_token(evaluator, "/decisions/profiles/")
    assert evaluator.post("/decisions/profiles/consultation", data={"csrf_token": token}).status_code == 403
    admin = staff(site, "admin")
    assert admin.post("/decisions/profiles/consultation").status_code == 400   # no CSRF token
    draft = admin.get("/decisions/profiles/draft.md").get_data(as_text=True)
    response = admin.post("/decisions/profiles/consultation", data={"csrf_token": csrf_token(admin, "/decisions/profiles/")})
    assert response.status_code == 302 and "/consultations/" in response.location
    consultation_id = response.location.rstrip("/").split("/")[-1]
    with site.app_context():
        versions = get_store().consultation_versions(consultation_id)
    from survey_app.consultations.versions import documents

    assert len(versions) == 1 and versions[0]["source"] == "task_profiles" and versions[0]["by"] == "admin"
    assert documents(versions)[0].markdown().strip() == draft.strip()
    page = text_of(admin.get(response.location))
    assert "aus den Aufgabenprofilen erstellt" in page
    overview = text_of(admin.get("/decisions/profiles/"))
    assert "Bereits aus den Aufgabenprofilen gestartete Beteiligungsrunden: " \
           "Aufgabenbeschreibung Quartiersmanagement (Entwurf)" in overview


def test_demo_classifications_go_again_but_an_evaluators_stay(tmp_path):
    from survey_app.decisions.demo import DEMO_CLASSIFICATIONS, classify_demo_tasks, remove_demo_classifications

    app = make_app(tmp_path)
    with app.app_context():
        store = get_store()
        store.put_record(tasks.RECORD_KIND, "task.networking", {"classification": "core", "actors": "",
                                                                "description": "Eigene Fassung."}, updated_by="anna")
        assert classify_demo_tasks(store) == len(DEMO_CLASSIFICATIONS) - 1
        assert classify_demo_tasks(store) == 0
        assert store.get_record(tasks.RECORD_KIND, "task.networking")["description"] == "Eigene Fassung."
        assert remove_demo_classifications(store) == len(DEMO_CLASSIFICATIONS) - 1
        assert [key for key, _record in store.list_records(tasks.RECORD_KIND)] == ["task.networking"]


@pytest.mark.browser
def test_profile_pages_have_no_wcag_violations(site, browser):
    from browser_support import LiveServer
    from test_workshop_browser import violations

    with LiveServer(site) as server:
        page = browser.new_page()
        page.goto(f"{server.url}/login")
        page.get_by_label("Benutzername").fill("admin")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        found = {}
        for name, path in (("decisions", "/decisions/"), ("overview", "/decisions/profiles/"),
                           ("profile", "/decisions/profiles/task.case_work")):
            page.goto(server.url + path)
            found[name] = violations(page)
        page.goto(f"{server.url}/decisions/profiles/task.other")
        page.get_by_role("button", name="Speichern").click()     # nothing chosen: messages at the fields
        assert page.locator("#kind-error").is_visible()
        found["profile with errors"] = violations(page)
        page.close()
    assert {name: v for name, v in found.items() if v} == {}
