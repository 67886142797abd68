"""Demo and test data never mixed into real results: `flask demo` adds its data once, marked,
and `demo --remove` takes away exactly that; the storage operations under it delete only what
they are asked to and mark an exclusion only on its response."""
from __future__ import annotations

from pathlib import Path

from conftest import Respondent, csrf_token, login
from survey_app import workshop as ws
from survey_app.db import get_store
from survey_app.definitions import get_questionnaire
from survey_app.fielding import build_response
from survey_app.store import Store

SLUG = "staff-self-assessment"


def _survey(app, slug=SLUG):
    with app.app_context():
        return get_store().find_survey_by_slug(slug)


def _stored(app, survey_id):
    with app.app_context():
        return get_store().responses(survey_id)


def _add(app, survey, count, **answers) -> list[str]:
    """Real (not demo) responses answering the programme and role-clarity questions."""
    with app.app_context():
        questionnaire = get_questionnaire(survey["questionnaire_id"])
        ids = []
        for index in range(count):
            given = {"programme": "general", "agree_role_clear": 4, "comments": f"Antwort {index}", **answers}
            draft = {"language": "de", "answers": given}
            ids.append(get_store().add_response(survey["id"], build_response(survey, questionnaire, draft)))
        return ids


# -- the demo ------------------------------------------------------------------------------

def test_demo_twice_adds_nothing_and_remove_takes_exactly_the_demo(app, runner):
    staff, partners = _survey(app), _survey(app, "stakeholder-questionnaire")
    # Real data first: one response through the respondent's forms, two more stored, a real workshop.
    Respondent(app.test_client(), app, SLUG).complete()
    _add(app, partners, 2, organisation_type="welfare_association")
    with app.app_context():
        real_workshop = get_store().add_workshop(ws.workshop_record(
            ws.new_workshop("Echter Workshop", "2026-03-01", "RLWKSP", ("de",))))
    real = {survey["id"]: _stored(app, survey["id"]) for survey in (staff, partners)}
    assert [len(found) for found in real.values()] == [1, 2]

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "added 6 synthetic responses to /s/staff-self-assessment" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert "synthetic responses" not in second.output and "nothing added" in second.output
    assert "demo --remove" in second.output
    staff_now, partners_now = _stored(app, staff["id"]), _stored(app, partners["id"])
    assert (len(staff_now), len(partners_now)) == (1 + 6, 2 + 80)          # the same counts after two runs
    assert sum(r.get("demo") is True for r in staff_now + partners_now) == 86
    assert all("demo" not in r for r in real[staff["id"]] + real[partners["id"]])
    with app.app_context():
        workshops = get_store().list_workshops()
    assert sorted(w["title"] for w in workshops) == ["Demo-Workshop Quartiersmanagement", "Echter Workshop"]
    demo_id = next(w["id"] for w in workshops if w["id"] != real_workshop["id"])

    # A facilitator works with the demo workshop: it stays marked as demo.
    facilitator = app.test_client()
    login(facilitator, "facilitator")
    token = csrf_token(facilitator, "/workshops/")
    shown = facilitator.post(f"/workshops/{demo_id}/control", data={"csrf_token": token, "action": "show"})
    assert shown.status_code == 302
    with app.app_context():
        assert get_store().get_workshop(demo_id)["results_shown"] is True

    removed = runner.invoke(args=["demo", "--remove"])
    assert removed.exit_code == 0, removed.output
    assert "removed 6 demo responses from /s/staff-self-assessment" in removed.output
    assert "removed 80 demo responses from /s/stakeholder-questionnaire" in removed.output
    assert "Demo-Workshop Quartiersmanagement" in removed.output
    # Exactly the real records are left, unchanged.
    assert {survey_id: _stored(app, survey_id) for survey_id in real} == real
    with app.app_context():
        store = get_store()
        assert [w["id"] for w in store.list_workshops()] == [real_workshop["id"]]
        assert store.get_workshop(demo_id) is None
        assert store.get_workshop(real_workshop["id"])["title"] == "Echter Workshop"
    assert not (Path(app.config["DATA_DIR"]) / "workshops" / demo_id).exists()
    again = runner.invoke(args=["demo", "--remove"])
    assert again.exit_code == 0 and "nothing removed" in again.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(_stored(app, partners["id"])) == 2 + 80


# -- the store methods under them ----------------------------------------------------------

def test_store_removes_only_what_it_is_asked_to_across_shards(tmp_path):
    store = Store(tmp_path, shard_size=3)
    one = store.add_survey("q", "one")
    two = store.add_survey("q", "two")
    kept = [store.add_response(one["id"], {"answers": {"n": i}}) for i in range(4)]
    demo = [store.add_response(one["id"], {"answers": {"n": i}, "demo": True}) for i in range(4)]
    store.add_response(one["id"], {"answers": {}})
    theirs = [store.add_response(two["id"], {"answers": {"n": i}, "demo": True}) for i in range(2)]
    draft = store.create_draft(one["id"], "de")
    assert store.remove_responses(one["id"], lambda r: r.get("demo") is True) == (4, 0)
    assert [r["id"] for r in store.responses(one["id"])][:4] == kept and store.count_responses(one["id"]) == 5
    assert [r["id"] for r in store.responses(two["id"])] == theirs          # the other survey is untouched
    assert store.get_draft(one["id"], draft["id"]) is not None
    assert store.remove_responses(one["id"], lambda r: True, drafts=True) == (5, 1)
    assert store.responses(one["id"]) == [] and store.list_drafts(one["id"]) == []
    new = store.add_response(one["id"], {"answers": {}})                     # the survey takes answers again
    assert [r["id"] for r in store.responses(one["id"])] == [new]
    assert store.remove_responses("nope", lambda r: True) == (0, 0)
    assert demo[0] not in {r["id"] for r in store.responses(one["id"])}


def test_store_marks_an_exclusion_only_on_its_response(tmp_path):
    store = Store(tmp_path, shard_size=2)
    survey = store.add_survey("q", "one")
    ids = [store.add_response(survey["id"], {"answers": {"n": i}}) for i in range(5)]
    marked = store.set_response_excluded(survey["id"], ids[3], True, "anna")
    assert (marked["excluded_by"], marked["answers"]) == ("anna", {"n": 3})
    assert store.set_response_excluded(survey["id"], ids[3], True, "bert")["excluded_by"] == "anna"
    assert [bool(r.get("excluded_at")) for r in store.responses(survey["id"])] == [False, False, False, True, False]
    back = store.set_response_excluded(survey["id"], ids[3], False, "bert")
    assert "excluded_by" not in back and back["included_by"] == "bert" and back["answers"] == {"n": 3}
    assert store.set_response_excluded(survey["id"], "nope", True, "anna") is None
    assert store.set_response_excluded("nope", ids[0], True, "anna") is None
    other = store.add_survey("q", "two")
    assert store.set_response_excluded(other["id"], ids[0], True, "anna") is None


def test_store_removes_one_workshop_with_its_votes(tmp_path):
    store = Store(tmp_path)
    keep = store.add_workshop(ws.workshop_record(ws.new_workshop("Bleibt", "2026-01-01", "KEEPAA", ("de",))))
    gone = store.add_workshop(ws.workshop_record(ws.new_workshop("Geht", "2026-01-01", "GONEAA", ("de",))))
    person = store.add_participant(gone["id"], None)
    run = "0b6d7a47-2a8c-4b53-9a5c-3f2c4f3f9d11"
    store.put_vote(gone["id"], run, person["id"], {"value": "a"})
    store.put_vote(keep["id"], run, store.add_participant(keep["id"], None)["id"], {"value": "b"})
    assert store.remove_workshop(gone["id"]) is True
    assert [w["id"] for w in store.list_workshops()] == [keep["id"]]
    assert store.get_workshop(gone["id"]) is None and not (tmp_path / "workshops" / gone["id"]).exists()
    assert store.find_workshop_by_code("GONEAA") is None
    assert [v["value"] for v in store.votes(keep["id"], run)] == ["b"] and store.count_participants(keep["id"]) == 1
    assert store.remove_workshop(gone["id"]) is False and store.remove_workshop("nope") is False
