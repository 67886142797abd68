"""Triangulation: constructs shared by instruments side by side, each cell with n, small cells hidden."""
from __future__ import annotations

import random

import pytest

from conftest import login
from survey_app.web.db import get_store
from survey_app.web.catalogue import get_questionnaire
from survey_app.fieldings.drafts import build_response
from survey_app.definitions.model import Item, Page, Question, Questionnaire, Scale, ScalePoint
from survey_app.synthetic import random_answers
from survey_app.analysis.triangulation import survey_observations, triangulate


def t(text):
    return {"de": text, "en": text}


QUALITY = Scale("q", tuple(ScalePoint(v, t(str(v))) for v in range(1, 6)))
ACTORS = Scale("a", (ScalePoint(1, t("QM")), ScalePoint(2, t("Sozialdienst"))), ordered=False)
ITEMS = (Item("net", t("Netzwerk"), "task.networking"), Item("nav", t("Lotsen"), "task.navigator"))


def questionnaire(qid, questions):
    return Questionnaire(qid, f"{qid}.yaml", t(qid), t(""), t(""), None, ("de", "en"), (Page("p", t("p"), questions),))


STAFF = questionnaire("staff", (Question("quality", "matrix", t("Wie gut?"), scale=QUALITY, items=ITEMS),))
PARTNERS = questionnaire("partners", (Question("lead", "matrix", t("Wer?"), scale=ACTORS, items=ITEMS),
                                      Question("other", "scale", t("Sonst"), scale=QUALITY, construct="only.here")))


def rows(answers, qid):
    return [{"id": str(i), "answers": {qid: a}} for i, a in enumerate(answers)]


def test_shared_constructs_side_by_side_with_n():
    staff = rows([{"net": 4, "nav": 2}, {"net": 5, "nav": 2}, {"net": 3, "nav": 1}, {"net": 4}, {"net": 4, "nav": 2}], "quality")
    partners = rows([{"net": 1, "nav": 2}] * 4 + [{"net": 2, "nav": 2}] * 2, "lead")
    result = triangulate(survey_observations("staff", STAFF, staff, 3) + survey_observations("partners", PARTNERS, partners, 3))
    assert [m.question_id for m in result.measures] == ["quality", "lead"]
    assert [r.construct for r in result.rows] == ["task.networking", "task.navigator"]  # not only.here
    networking = result.rows[0]
    assert networking.cells[0].mean == pytest.approx(4.0) and networking.cells[0].n == 5
    assert networking.cells[0].share == pytest.approx(4 / 5)  # top 2: 4, 5, 4, 4
    assert networking.cells[1].top == t("QM") and networking.cells[1].share == pytest.approx(4 / 6)
    navigator = result.rows[1]
    assert navigator.cells[0].n == 4 and navigator.cells[0].mean == pytest.approx(7 / 4)


def test_cells_below_the_minimum_are_hidden():
    # 7 staff, only 2 rated networking (the others navigation): too few for a cell
    staff = rows([{"net": 4, "nav": 3}] * 2 + [{"nav": 2}] * 5, "quality")
    partners = rows([{"net": 1, "nav": 1}] * 6, "lead")
    result = triangulate(survey_observations("staff", STAFF, staff, 5) + survey_observations("partners", PARTNERS, partners, 5))
    staff_column = next(i for i, m in enumerate(result.measures) if m.source == "staff")
    networking = next((r for r in result.rows if r.construct == "task.networking"), None)
    cell = networking.cells.get(staff_column) if networking else None   # no row: only the partners have it
    assert cell is None or (cell.suppressed and cell.mean is None and cell.share is None)
    navigator = next(r for r in result.rows if r.construct == "task.navigator")
    assert navigator.cells[staff_column].n == 7


def test_triangulation_page_compares_staff_and_stakeholders(app, client):
    app.test_client().get("/")
    rng = random.Random(3)
    with app.app_context():
        store = get_store()
        for slug, count in (("staff-self-assessment", 6), ("stakeholder-questionnaire", 8)):
            survey = store.find_survey_by_slug(slug)
            q = get_questionnaire(slug)
            for _ in range(count):
                store.add_response(survey.id, build_response(survey, q, {"language": "de", "answers": random_answers(q, rng)}))
    login(client, "evaluator")
    page = client.get("/results/triangulation").get_data(as_text=True)
    assert "task.networking" in page and "overall.role_clarity" in page
    assert "Selbsteinschätzung der Quartiersmanager*innen" in page
    assert "Befragung der Partner*innen des Quartiersmanagements" in page
    # with 6 staff and about 10 % "cannot judge" per item, some staff cells fall below 5 and are hidden
    assert "n = " in page
    facilitator = app.test_client()
    login(facilitator, "facilitator")
    assert facilitator.get("/results/triangulation").status_code == 403


def test_workshop_role_matrix_joins_the_questionnaires_on_the_same_tasks():
    from pathlib import Path

    from survey_app.workshops import model, state, templates
    from survey_app.workshops.polls.role_matrix import UNCLEAR
    from survey_app.analysis.triangulation import workshop_observations

    template, problems = templates.load_template_file(
        Path(__file__).resolve().parent.parent / "questionnaires" / "workshops" / "neighbourhood-management-workshop.yaml")
    assert template and not [p for p in problems if getattr(p, "severity", "error") == "error"]
    workshop = state.new_workshop("Workshop Nord", "2017-11-20", "ABCDEF", template.languages, template)
    workshop = state.go_to_poll(workshop, "roles", "2017-11-20T10:00")
    workshop = state.open_voting(workshop, "2017-11-20T10:00")
    run = workshop.current_round("roles").run
    # six participants: five name QM general as lead for networking, one says unclear
    votes = [model.CastVote(str(i), f"p{i}", {"networking": {"lead": "qm_general" if i < 5 else UNCLEAR}})
             for i in range(6)]
    observations = workshop_observations(workshop, {run: votes}, minimum=5)
    networking = [o for o in observations if o[0] == "task.networking"]
    assert len(networking) == 1
    construct, label, measure, cell = networking[0]
    assert measure.kind == "lead" and cell.n == 6 and cell.share == pytest.approx(5 / 6)
    assert cell.top["de"] == "Quartiersmanagement (allgemein)"
    # a task nobody answered rests on n = 0: hidden, never guessed
    navigator = next(o for o in observations if o[0] == "task.navigator")
    assert navigator[3].suppressed

    staff = rows([{"networking": 4}] * 5, "quality")
    staff_q = questionnaire("staff", (Question("quality", "matrix", t("Wie gut?"), scale=QUALITY,
                                               items=(Item("networking", t("Netzwerk"), "task.networking"),)),))
    result = triangulate(survey_observations("staff", staff_q, staff, 5) + observations)
    assert [m.kind for m in result.measures] == ["rating", "lead"]
    assert [r.construct for r in result.rows] == ["task.networking"]
