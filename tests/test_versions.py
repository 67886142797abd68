"""Which edits of a definition break comparability with answers already given."""
from __future__ import annotations

from dataclasses import replace

from support.texts import five_points, t
from survey_app.definitions.model import Item, Option, Page, Question, Questionnaire, Scale
from survey_app.definitions.versions import (
    ITEMS_REMOVED,
    OPTIONS_REMOVED,
    POINTS_RELABELLED,
    POINTS_REORDERED,
    REMOVED,
    TOTAL_CHANGED,
    TYPE_CHANGED,
    breaking_changes,
)


AGREE = five_points("agree", lambda v: f"p{v}")
QUESTIONS = (
    Question("org", "single_choice", t("Org"), options=(Option("a", t("A")), Option("b", t("B")))),
    Question("sat", "scale", t("Zufrieden"), scale=AGREE),
    Question("tasks", "matrix", t("Aufgaben"), scale=AGREE, items=(Item("x", t("X")), Item("y", t("Y")))),
    Question("time", "allocation", t("Zeit"), total=100, items=(Item("x", t("X")),)),
    Question("note", "long_text", t("Text")),
)


def version(*questions):
    return Questionnaire("q", "q.yaml", t("T"), t(""), t(""), None, ("de", "en"), (Page("p", t("P"), questions),))


BASE = version(*QUESTIONS)


def kinds(new):
    return {(c.question, c.kind) for c in breaking_changes(BASE, new)}


def test_compatible_edits_are_not_reported():
    reworded = replace(QUESTIONS[0], text=t("Organisation?"), options=QUESTIONS[0].options + (Option("c", t("C")),))
    extra = Question("new", "short_text", t("Neu"))
    assert breaking_changes(BASE, version(reworded, *QUESTIONS[1:], extra)) == []


def test_breaking_edits_are_named_per_question():
    fewer_options = replace(QUESTIONS[0], options=QUESTIONS[0].options[:1])
    relabelled = replace(QUESTIONS[1], scale=five_points("agree", lambda v: f"q{v}"))
    reordered = replace(QUESTIONS[1], scale=Scale("agree", tuple(reversed(AGREE.points))))
    fewer_items = replace(QUESTIONS[2], items=QUESTIONS[2].items[:1])
    new_total = replace(QUESTIONS[3], total=40)
    retyped = replace(QUESTIONS[4], type="short_text")
    assert kinds(version(fewer_options, relabelled, fewer_items, new_total, retyped)) == {
        ("org", OPTIONS_REMOVED), ("sat", POINTS_RELABELLED), ("tasks", ITEMS_REMOVED), ("time", TOTAL_CHANGED),
        ("note", TYPE_CHANGED)}
    assert ("sat", POINTS_REORDERED) in kinds(version(QUESTIONS[0], reordered, *QUESTIONS[2:]))
    assert kinds(version(*QUESTIONS[1:])) == {("org", REMOVED)}
    [change] = breaking_changes(BASE, version(fewer_options, *QUESTIONS[1:]))
    assert change.detail == "b"


def test_versions_are_kept_and_an_edit_is_explained(tmp_path):
    import shutil

    from conftest import make_app
    from survey_app import PROJECT_ROOT
    from survey_app.web.db import get_store
    from survey_app.web.catalogue import get_questionnaire, version_changes

    folder = tmp_path / "definitions"
    shutil.copytree(PROJECT_ROOT / "questionnaires", folder)
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))
    client = app.test_client()
    client.get("/")
    with app.app_context():
        first = get_questionnaire("staff-self-assessment")
    path = folder / "staff-self-assessment.yaml"
    # remove the option "preuswald" from the quarter question
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if "value: preuswald" not in line]
    path.write_text("".join(lines), encoding="utf-8")
    client.get("/")
    with app.app_context():
        second = get_questionnaire("staff-self-assessment")
        assert second.content_hash != first.content_hash
        store = get_store()
        assert store.definition_version("staff-self-assessment", first.content_hash) == text
        [change] = version_changes(store, second, first.content_hash)
        assert (change.question, change.kind, change.detail) == ("quarter", OPTIONS_REMOVED, "preuswald")
        assert version_changes(store, second, second.content_hash) == []
        assert version_changes(store, second, "0" * 64) is None
        assert store.definition_version("../etc", first.content_hash) is None


def test_results_page_warns_about_breaking_changes_between_versions(tmp_path):
    import random
    import shutil

    from conftest import PASSWORD, login, make_app
    from survey_app import PROJECT_ROOT
    from survey_app.web.auth import create_user
    from survey_app.web.db import get_store
    from survey_app.web.catalogue import get_questionnaire
    from survey_app.fieldings.drafts import build_response
    from survey_app.synthetic import random_answers

    folder = tmp_path / "definitions"
    shutil.copytree(PROJECT_ROOT / "questionnaires", folder)
    app = make_app(tmp_path, QUESTIONNAIRE_DIR=str(folder))
    client = app.test_client()
    rng = random.Random(2)

    def answer(count):
        client.get("/")
        with app.app_context():
            store, questionnaire = get_store(), get_questionnaire("staff-self-assessment")
            survey = store.find_survey_by_slug("staff-self-assessment")
            for _ in range(count):
                draft = {"language": "de", "answers": random_answers(questionnaire, rng)}
                store.add_response(survey.id, build_response(survey, questionnaire, draft))
            return survey.id, questionnaire.content_hash

    survey_id, old_hash = answer(5)      # each version answered by at least the minimum (else pooled)
    path = folder / "staff-self-assessment.yaml"
    path.write_text("".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                            if "value: preuswald" not in line), encoding="utf-8")
    answer(5)
    with app.app_context():
        create_user("evaluator", PASSWORD, "evaluator")
    login(client, "evaluator")
    page = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert f"Seit Version {old_hash[:10]} machen diese Änderungen die Antworten nicht vergleichbar" in page
    assert "<code>quarter</code>: Optionen entfernt" in page and "(preuswald)" in page
    # the admin is warned on the administration page too
    with app.app_context():
        create_user("admin", PASSWORD, "admin")
    admin = app.test_client()
    login(admin, "admin")
    overview = admin.get("/admin/").get_data(as_text=True)
    assert "Geänderte Definitionen" in overview
    assert f"5 Antworten beziehen sich auf Version {old_hash[:10]}" in overview
