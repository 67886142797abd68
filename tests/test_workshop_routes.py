"""Workshop routes: every facilitator control, the presenter data, results and downloads, and
participants joining and voting; every refusal answers with a message and changes nothing.

Staff and phones switch to English here so that the assertions read like the code's msgids;
test_participant_pages_speak_german_by_default checks the default language."""
from __future__ import annotations

import csv
import io
import re

import pytest

from conftest import csrf_token, login, make_app
from survey_app.web.db import get_store

TEMPLATE = "neighbourhood-management-workshop"


@pytest.fixture
def facilitator(app):
    client = app.test_client()
    login(client, "facilitator")
    client.get("/lang/en")
    return client


def token(client, url="/workshops/"):
    return csrf_token(client, url)


def create(client, source=TEMPLATE, **extra):
    data = {"csrf_token": token(client), "title": "Quartiersworkshop", "date": "2025-05-20", "source": source,
            "languages": "de", **extra}
    response = client.post("/workshops/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.location.rsplit("/", 1)[1]


def record(app, workshop_id):
    with app.app_context():
        return get_store().get_workshop(workshop_id)


def act(client, workshop_id, action, **extra):
    return client.post(f"/workshops/{workshop_id}/control",
                       data={"csrf_token": token(client), "action": action, **extra}, follow_redirects=True)


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


class Participant:
    """A phone: joins by code and votes through the real forms (each from its own address,
    as phones on the room's network; `address` puts several behind one)."""

    made = 0

    def __init__(self, app, code, lang="en", address=None):
        Participant.made += 1
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address or f"10.1.{Participant.made // 250}.{Participant.made % 250 + 1}"
        self.client.get(f"/lang/{lang}")
        self.code = code

    def join(self, group=""):
        csrf = csrf_token(self.client, f"/w/{self.code}")
        return self.client.post(f"/w/{self.code}/join", data={"csrf_token": csrf, "group": group})

    def page(self):
        return self.client.get(f"/w/{self.code}")

    def form_fields(self):
        html = self.page().get_data(as_text=True)
        if 'name="run"' not in html and "?change=1" in html:   # voted: "Change vote" opens the form
            html = self.client.get(f"/w/{self.code}?change=1").get_data(as_text=True)
        return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
                for name in ("csrf_token", "poll", "run")}

    def vote(self, data, **overrides):
        fields = {**self.form_fields(), **overrides}
        return self.client.post(f"/w/{self.code}/vote", data={**fields, **data})


@pytest.fixture
def running(app, facilitator):
    """A workshop from the shipped template with voting open on its first poll (dot voting)."""
    workshop_id = create(facilitator)
    act(facilitator, workshop_id, "open")
    return workshop_id, record(app, workshop_id)["join_code"]


def votes_of(app, workshop_id, poll_id="goals"):
    stored = record(app, workshop_id)
    with app.app_context():
        return get_store().votes(workshop_id, stored["rounds"][poll_id][-1]["run"])


# -- roles ------------------------------------------------------------------------------

def test_staff_pages_need_a_login(client):
    response = client.get("/workshops/")
    assert response.status_code == 302 and "/login" in response.location


def test_evaluators_read_results_but_cannot_run_workshops(app, facilitator, running):
    workshop_id, _code = running
    evaluator = app.test_client()
    login(evaluator, "evaluator")
    index = evaluator.get("/workshops/")
    assert index.status_code == 200 and "Quartiersworkshop" in page_text(index)
    assert 'action="/workshops/"' not in page_text(index)  # no form to create one
    assert evaluator.get(f"/workshops/{workshop_id}/results").status_code == 200
    assert evaluator.get(f"/workshops/{workshop_id}/votes.csv").status_code == 200
    csrf = token(evaluator)
    for url in (f"/workshops/{workshop_id}", f"/workshops/{workshop_id}/present",
                f"/workshops/{workshop_id}/live.json", f"/workshops/{workshop_id}/settings"):
        assert evaluator.get(url).status_code == 403, url
    for url, data in ((f"/workshops/{workshop_id}/control", {"action": "close"}), ("/workshops/", {"title": "x"}),
                      (f"/workshops/{workshop_id}/polls/goals/duplicate", {})):
        assert evaluator.post(url, data={"csrf_token": csrf, **data}).status_code == 403, url
    assert record(app, workshop_id)["voting_open"] is True


def test_admin_runs_workshops_too(app, running):
    workshop_id, _code = running
    admin = app.test_client()
    login(admin, "admin")
    assert act(admin, workshop_id, "close").status_code == 200
    assert record(app, workshop_id)["voting_open"] is False


def test_mutations_need_the_csrf_token(app, facilitator, running):
    workshop_id, _code = running
    assert facilitator.post(f"/workshops/{workshop_id}/control", data={"action": "close"}).status_code == 400
    assert record(app, workshop_id)["voting_open"] is True


def test_unknown_workshops_and_actions(facilitator, running):
    workshop_id, _code = running
    assert facilitator.get("/workshops/6f1c2b1e-3d4a-4c5b-9e8f-0a1b2c3d4e5f").status_code == 404
    assert facilitator.get("/workshops/not-an-id/results").status_code == 404
    assert facilitator.post(f"/workshops/{workshop_id}/control",
                            data={"csrf_token": token(facilitator), "action": "explode"}).status_code == 400
    assert facilitator.get(f"/workshops/{workshop_id}/other.csv").status_code == 404


# -- creating ----------------------------------------------------------------------------

def test_create_from_the_template_and_from_scratch(app, facilitator):
    from_template = record(app, create(facilitator))
    assert [p["id"] for p in from_template["polls"]] == ["goals", "roles", "draft_task_description", "start",
                                                         "stop", "continue", "task_priority"]
    assert from_template["languages"] == ["de", "en"] and len(from_template["organisation_types"]) == 8
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", from_template["join_code"])
    scratch = record(app, create(facilitator, source="", languages="de,en"))
    assert scratch["polls"] == [] and scratch["languages"] == ["de", "en"]
    page = page_text(facilitator.get(f"/workshops/{scratch['id']}"))
    assert scratch["join_code"] in page and f"/w/{scratch['join_code']}" in page


def test_create_refuses_a_missing_title(facilitator):
    response = facilitator.post("/workshops/", data={"csrf_token": token(facilitator), "title": "",
                                                     "date": "2025-05-20", "source": "", "languages": "de"})
    assert response.status_code == 422
    assert 'id="title-error"' in page_text(response)


# -- controls ----------------------------------------------------------------------------

def test_open_close_show_hide(app, facilitator, running):
    workshop_id, _code = running
    assert "Voting is closed." in page_text(act(facilitator, workshop_id, "close"))
    assert record(app, workshop_id)["voting_open"] is False
    assert "Voting is not open." in page_text(act(facilitator, workshop_id, "close"))
    assert "Results are shown" in page_text(act(facilitator, workshop_id, "show"))
    assert record(app, workshop_id)["results_shown"] is True
    act(facilitator, workshop_id, "hide")
    assert record(app, workshop_id)["results_shown"] is False
    # opening again hides results, to avoid herd effects while voting
    act(facilitator, workshop_id, "show")
    act(facilitator, workshop_id, "open")
    stored = record(app, workshop_id)
    assert stored["voting_open"] is True and stored["results_shown"] is False


def test_next_poll_goto_and_the_last_poll(app, facilitator, running):
    workshop_id, _code = running
    act(facilitator, workshop_id, "next")
    stored = record(app, workshop_id)
    assert stored["current_poll"] == "roles" and stored["voting_open"] is False
    act(facilitator, workshop_id, "goto", poll="task_priority")
    assert record(app, workshop_id)["current_poll"] == "task_priority"
    response = act(facilitator, workshop_id, "next")
    assert "This is the last poll." in page_text(response)
    assert "This poll does not exist" in page_text(act(facilitator, workshop_id, "goto", poll="nope"))
    assert record(app, workshop_id)["current_poll"] == "task_priority"


def test_new_round_keeps_the_first_round(app, facilitator, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    phone.vote({"points-networks": "3"})
    act(facilitator, workshop_id, "new_round")
    rounds = record(app, workshop_id)["rounds"]["goals"]
    assert [r["number"] for r in rounds] == [1, 2]
    with app.app_context():
        assert len(get_store().votes(workshop_id, rounds[0]["run"])) == 1
    assert votes_of(app, workshop_id) == []
    results = page_text(facilitator.get(f"/workshops/{workshop_id}/results"))
    assert "Round 1: n = 1" in results


def test_new_round_before_any_voting_is_refused(app, facilitator, running):
    workshop_id, _code = running
    act(facilitator, workshop_id, "next")
    response = act(facilitator, workshop_id, "new_round")
    assert "Open voting first" in page_text(response)
    assert "roles" not in record(app, workshop_id)["rounds"]


def test_reset_needs_confirmation(app, facilitator, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    phone.vote({"points-networks": "3"})
    response = act(facilitator, workshop_id, "reset")
    assert "Tick the box to confirm" in page_text(response)
    assert len(votes_of(app, workshop_id)) == 1
    act(facilitator, workshop_id, "reset", confirm="yes")
    stored = record(app, workshop_id)
    assert votes_of(app, workshop_id) == [] and stored["voting_open"] is False
    assert len(stored["rounds"]["goals"]) == 1 and len(stored["rounds"]["goals"][0]["discarded"]) == 1


def test_joined_and_voted_counts(app, facilitator, running):
    workshop_id, code = running
    for points in ("2", "3"):
        phone = Participant(app, code)
        phone.join()
        phone.vote({"points-networks": points})
    Participant(app, code).join()
    state = facilitator.get(f"/workshops/{workshop_id}/live.json").json
    assert (state["joined"], state["voted"]) == (3, 2)
    page = page_text(facilitator.get(f"/workshops/{workshop_id}"))
    assert 'data-live="joined">3<' in page and 'data-live="voted">2<' in page


# -- polls -----------------------------------------------------------------------------

def new_poll(client, workshop_id, poll_type, **fields):
    url = f"/workshops/{workshop_id}/polls/new?type={poll_type}"
    return client.post(url, data={"csrf_token": token(client, url), **fields})


# Per poll type: the editor's fields for a new poll, and a valid vote on it.
EVERY_TYPE = {
    "single_choice": ({"options_de": "Ja\nNein"}, {"choice": "option_1"}),
    "multiple_choice": ({"options_de": "A\nB\nC", "max_choices": "2"}, {"choice": ["option_1", "option_3"]}),
    "scale": ({"labels_de": "gar nicht\nwenig\nteils\neher\nvoll"}, {"value": "4"}),
    "fist_to_five": ({}, {"value": "1"}),
    "dot_voting": ({"options_de": "Ziel A\nZiel B", "points": "5", "max_per_option": "3"}, {"points-option_2": "3"}),
    "ranking": ({"options_de": "A\nB\nC"}, {"rank-option_1": "2", "rank-option_2": "1", "rank-option_3": "3"}),
    "role_matrix": ({"tasks_de": "Netzwerk\nLotsen", "actors_de": "QM\nSozialdienst", "supporting": "y"},
                    {"lead-task_1": "actor_1", "support-task_1": "actor_2", "lead-task_2": "unclear"}),
    "open_text": ({"max_items": "2", "max_length": "100"}, {"idea-1": "Mehr Zeit für Netzwerkarbeit"}),
}


def workshop_with_every_type(facilitator):
    workshop_id = create(facilitator, source="", languages="de")
    for poll_type, (fields, _vote) in EVERY_TYPE.items():
        response = new_poll(facilitator, workshop_id, poll_type, text_de=f"Frage {poll_type}",
                            construct="task.networking", **fields)
        assert response.status_code == 302, (poll_type, page_text(response)[:3000])
    return workshop_id


def test_add_polls_of_every_type(app, facilitator):
    workshop_id = workshop_with_every_type(facilitator)
    polls = {p["type"]: p for p in record(app, workshop_id)["polls"]}
    assert set(polls) == set(EVERY_TYPE)
    assert [o["label"]["de"] for o in polls["dot_voting"]["options"]] == ["Ziel A", "Ziel B"]
    assert polls["dot_voting"]["points"] == 5 and polls["role_matrix"]["supporting"] is True
    assert polls["scale"]["labels"][4] == {"de": "voll"} and polls["open_text"]["max_items"] == 2
    assert polls["multiple_choice"]["construct"] == "task.networking"


# The messages are the poll definition's own (a template file gets the same ones after the key).
@pytest.mark.parametrize("poll_type, fields, field_id, message", [
    ("single_choice", {"options_de": "nur eine"}, "options_de", "Enter between 2 and 20 entries."),
    ("ranking", {"options_de": "\n".join("ABCDEFGHIJK")}, "options_de", "Enter between 2 and 10 entries."),
    ("dot_voting", {"options_de": "A\nB", "points": "0"}, "points", "Enter a whole number from 1 to 100."),
    ("dot_voting", {"options_de": "A\nB", "points": "zwei"}, "points", "Enter a whole number from 1 to 100."),
    ("dot_voting", {"options_de": "A\nB", "points": ""}, "points", "This is required."),
    ("dot_voting", {"options_de": "A\nB", "points": "3", "max_per_option": "5"}, "max_per_option",
     "This is more than the points per participant."),
    ("multiple_choice", {"options_de": "A\nB", "max_choices": "3"}, "max_choices", "This is more than there are options."),
    ("scale", {"labels_de": "a\nb"}, "labels_de", "Enter exactly 5 entries."),
    ("open_text", {"max_items": "11", "max_length": "100"}, "max_items", "Enter a whole number from 1 to 10."),
    ("single_choice", {"options_de": "A\nB", "construct": "Not A Key"}, "construct",
     "Use lower-case letters, digits and _, parts separated by dots."),
    ("single_choice", {"options_de": "A\nB", "text_de": "  "}, "text_de", "Please enter the text in every language."),
])
def test_poll_editor_refuses_at_the_field(app, facilitator, poll_type, fields, field_id, message):
    workshop_id = create(facilitator, source="", languages="de")
    response = new_poll(facilitator, workshop_id, poll_type, **{"text_de": "Frage", **fields})
    assert response.status_code == 422
    page = page_text(response)
    assert f'id="{field_id}-error"' in page and message in page
    assert record(app, workshop_id)["polls"] == []


def test_poll_editor_says_it_in_the_users_language(app):
    german = app.test_client()
    login(german, "facilitator")
    workshop_id = create(german, source="", languages="de")
    response = new_poll(german, workshop_id, "dot_voting", text_de="Frage", options_de="A\nB", points="0")
    assert response.status_code == 422
    assert 'id="points-error"' in page_text(response)
    assert "Geben Sie eine ganze Zahl von 1 bis 100 ein." in page_text(response)


def test_editor_and_template_files_follow_the_same_idea_length_rule(app, facilitator):
    # A template file may ask for ideas of up to 5 characters; so may the editor now (it refused under 10).
    workshop_id = create(facilitator, source="", languages="de")
    response = new_poll(facilitator, workshop_id, "open_text", text_de="Stichwort", max_items="3", max_length="5")
    assert response.status_code == 302
    assert record(app, workshop_id)["polls"][0]["max_length"] == 5
    response = new_poll(facilitator, workshop_id, "open_text", text_de="Lang", max_items="3", max_length="501")
    assert response.status_code == 422 and "Enter a whole number from 1 to 500." in page_text(response)


def test_settings_refuse_more_organisation_types_than_a_template_may_have(app, facilitator):
    workshop_id = create(facilitator, source="", languages="de")
    url = f"/workshops/{workshop_id}/settings"
    response = facilitator.post(url, data={"csrf_token": token(facilitator, url), "title": "T", "date": "2025-06-01",
                                           "organisation_types_de": "\n".join(f"Typ {i}" for i in range(21))})
    assert response.status_code == 422
    page = page_text(response)
    assert 'id="organisation_types_de-error"' in page and "Enter between 0 and 20 entries." in page
    assert record(app, workshop_id)["organisation_types"] == []


def test_poll_editor_in_two_languages_needs_matching_lines(app, facilitator):
    workshop_id = create(facilitator, source="", languages="de,en")
    response = new_poll(facilitator, workshop_id, "single_choice", text_de="Frage", text_en="Question",
                        options_de="Ja\nNein", options_en="Yes")
    assert response.status_code == 422
    assert "Enter the same number of lines in every language." in page_text(response)
    assert facilitator.get(f"/workshops/{workshop_id}/polls/new?type=smiley").status_code == 404


def test_edit_keeps_option_ids_and_constructs(app, facilitator):
    workshop_id = create(facilitator)
    url = f"/workshops/{workshop_id}/polls/goals/edit"
    form = facilitator.get(url)
    assert "Bürgerschaftliches Engagement stärken" in page_text(form)
    stored = record(app, workshop_id)["polls"][0]
    fields = {"csrf_token": token(facilitator, url), "text_de": "Neue Frage", "text_en": "New question",
              "points": "8", "max_per_option": "4", "construct": "goals.priority",
              "options_de": "\n".join(o["label"]["de"] for o in stored["options"]).replace("Bürger", "BÜRGER"),
              "options_en": "\n".join(o["label"]["en"] for o in stored["options"])}
    assert facilitator.post(url, data=fields).status_code == 302
    poll = record(app, workshop_id)["polls"][0]
    assert poll["text"] == {"de": "Neue Frage", "en": "New question"} and poll["points"] == 8
    assert poll["options"][0]["id"] == "civic_engagement" and poll["options"][0]["construct"] == "goal.civic_engagement"
    assert poll["options"][0]["label"]["de"].startswith("BÜRGERschaftliches")


def test_polls_that_were_opened_cannot_be_edited_or_deleted(app, facilitator, running):
    workshop_id, _code = running
    response = facilitator.get(f"/workshops/{workshop_id}/polls/goals/edit", follow_redirects=True)
    assert "duplicate it to change it" in page_text(response)
    response = facilitator.post(f"/workshops/{workshop_id}/polls/goals/delete",
                                data={"csrf_token": token(facilitator)}, follow_redirects=True)
    assert "it is kept with its votes" in page_text(response)
    assert record(app, workshop_id)["polls"][0]["id"] == "goals"


def test_duplicate_move_and_delete(app, facilitator):
    workshop_id = create(facilitator)

    def post(poll_id, operation):
        return facilitator.post(f"/workshops/{workshop_id}/polls/{poll_id}/{operation}",
                                data={"csrf_token": token(facilitator)}, follow_redirects=True)

    def order():
        return [p["id"] for p in record(app, workshop_id)["polls"]]

    post("roles", "duplicate")
    assert order()[:3] == ["goals", "roles", "roles_copy"]
    post("roles_copy", "up")
    assert order()[:3] == ["goals", "roles_copy", "roles"]
    post("goals", "down")
    assert order()[:3] == ["roles_copy", "goals", "roles"]
    assert "cannot move further" in page_text(post("roles_copy", "up"))
    post("roles_copy", "delete")
    assert order() == ["goals", "roles", "draft_task_description", "start", "stop", "continue", "task_priority"]
    assert facilitator.post(f"/workshops/{workshop_id}/polls/goals/explode",
                            data={"csrf_token": token(facilitator)}).status_code == 404
    assert "does not exist" in page_text(post("nope", "duplicate"))


def test_settings_set_organisation_types_and_minimum(app, facilitator):
    workshop_id = create(facilitator, source="", languages="de")
    url = f"/workshops/{workshop_id}/settings"
    response = facilitator.post(url, data={"csrf_token": token(facilitator, url), "title": "Neuer Titel",
                                           "date": "2025-06-01", "min_group_size": "7",
                                           "organisation_types_de": "Verwaltung\nVerband\n"})
    assert response.status_code == 302
    stored = record(app, workshop_id)
    assert stored["title"] == "Neuer Titel" and stored["min_group_size"] == 7
    assert [o["label"]["de"] for o in stored["organisation_types"]] == ["Verwaltung", "Verband"]
    response = facilitator.post(url, data={"csrf_token": token(facilitator, url), "title": "", "date": "x"})
    assert response.status_code == 422 and 'id="title-error"' in page_text(response)


# -- presenter ---------------------------------------------------------------------------

def test_presenter_shows_code_qr_and_live_state(app, facilitator, running):
    workshop_id, code = running
    page = page_text(facilitator.get(f"/workshops/{workshop_id}/present"))
    assert code in page and "<svg" in page and "/vendor/plotly.min.js" in page
    first = facilitator.get(f"/workshops/{workshop_id}/live.json")
    assert first.json["chart"] is None  # hidden while voting
    etag = first.headers["ETag"]
    assert facilitator.get(f"/workshops/{workshop_id}/live.json", headers={"If-None-Match": etag}).status_code == 304
    phone = Participant(app, code)
    phone.join()
    phone.vote({"points-networks": "4", "points-civic_engagement": "2"})
    act(facilitator, workshop_id, "show")
    changed = facilitator.get(f"/workshops/{workshop_id}/live.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    chart = changed.json["chart"]
    assert changed.json["voted"] == 1 and chart["n"] == 1
    assert dict(zip(chart["labels"], chart["values"]))["Connect actors, pool resources and knowledge"] == 4


# -- participants ------------------------------------------------------------------------

def test_join_by_typed_code(app, running):
    _workshop_id, code = running
    client = app.test_client()
    client.get("/lang/en")
    csrf = csrf_token(client, "/w/")
    typed = f" {code[:3].lower()} {code[3:]} "
    response = client.post("/w/", data={"csrf_token": csrf, "code": typed})
    assert response.status_code == 302 and response.location.endswith(f"/w/{code}")
    join_page = page_text(client.get(f"/w/{code}"))
    assert "Quartiersworkshop" in join_page and "qm_general" in join_page


def test_wrong_codes_are_refused_and_then_rate_limited(app, running):
    _workshop_id, code = running
    app.config["CODE_FAILURE_LIMIT"] = 3
    client = app.test_client()
    client.get("/lang/en")
    csrf = csrf_token(client, "/w/")
    first = client.post("/w/", data={"csrf_token": csrf, "code": "ZZZZZZ"})
    # refused, and yet redirected: a reload or the browser's back button never sends the code again
    assert first.status_code == 302 and first.location.startswith("/w/?code=ZZZZZZ")
    shown = client.get(first.location)
    assert shown.status_code == 404 and "There is no workshop with this code." in page_text(shown)
    assert 'value="ZZZZZZ"' in shown.get_data(as_text=True)
    assert "There is no workshop" not in page_text(client.get("/w/"))   # said once
    assert client.post(f"/w/ZZZZZ2/join", data={"csrf_token": csrf}, follow_redirects=True).status_code == 404
    assert client.post("/w/", data={"csrf_token": csrf, "code": "ZZZZZ3"}, follow_redirects=True).status_code == 429
    # now even the right code pauses for this client
    assert client.post("/w/", data={"csrf_token": csrf, "code": code}, follow_redirects=True).status_code == 429
    assert client.post(f"/w/{code}/join", data={"csrf_token": csrf}, follow_redirects=True).status_code == 429


def test_code_links_opened_by_get_look_nothing_up_and_count_nothing(app, running):
    _workshop_id, code = running
    app.config["CODE_FAILURE_LIMIT"] = 3
    client = app.test_client()
    client.get("/lang/en")
    for wrong in ("ZZZZZZ", "ZZZZZ2", "ZZZZZ3", "ZZZZZ4", "ZZZZZ5"):
        page = client.get(f"/w/{wrong}")  # e.g. <img> tags on a page elsewhere
        assert page.status_code == 200 and "There is no workshop" not in page_text(page)
        assert client.get(f"/w/{wrong}/state.json").status_code == 404
    # a right code by link gets the same page: the code filled in, one tap to go on
    link = client.get(f"/w/{code}")
    assert link.status_code == 200 and f'value="{code}"' in link.get_data(as_text=True)
    assert "Quartiersworkshop" not in page_text(link)
    confirmed = client.post("/w/", data={"csrf_token": csrf_token(client, "/w/"), "code": code})
    assert confirmed.status_code == 302 and confirmed.location.endswith(f"/w/{code}")
    assert "Quartiersworkshop" in page_text(client.get(f"/w/{code}"))


def test_participants_who_joined_are_not_slowed_by_the_limit(app, running):
    _workshop_id, code = running
    app.config["CODE_FAILURE_LIMIT"] = 2
    phone = Participant(app, code)
    phone.join()
    csrf = csrf_token(phone.client, "/w/")
    for wrong in ("ZZZZZZ", "ZZZZZ2"):
        phone.client.post("/w/", data={"csrf_token": csrf, "code": wrong})
    assert phone.page().status_code == 200
    assert phone.client.get(f"/w/{code}/state.json").status_code == 200


def test_join_with_and_without_organisation_type(app, running):
    workshop_id, code = running
    for group, expected in (("welfare_association", "welfare_association"), ("", None), ("mayor", None)):
        phone = Participant(app, code)
        assert phone.join(group).status_code == 302
        phone.vote({"points-networks": "1"})
        stored = [v for v in votes_of(app, workshop_id)]
        assert stored[-1]["group"] == expected or expected in [v["group"] for v in stored]
    with app.app_context():
        assert get_store().count_participants(workshop_id) == 3


def test_a_phone_that_lost_its_session_joins_as_the_same_participant(app, facilitator, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    phone.vote({"points-networks": "4"})
    for _ in range(5):   # the session cookie goes (a staff login on the phone, a cleared session) ...
        phone.client.delete_cookie("session")
        phone.client.post("/w/", data={"csrf_token": csrf_token(phone.client, "/w/"), "code": code})
        assert phone.join().status_code == 302   # ... and it joins again
        phone.vote({"points-networks": "2"})
    assert [v["value"] for v in votes_of(app, workshop_id)] == [{"networks": 2}]   # its vote replaced
    state = facilitator.get(f"/workshops/{workshop_id}/live.json").json
    assert (state["joined"], state["voted"]) == (1, 1)
    # a forged or foreign phone cookie names nobody
    other = Participant(app, code)
    other.client.set_cookie("survey_app_phone", phone.client.get_cookie("survey_app_phone", path="/w/").value[:-2] + "xx",
                            path="/w/")
    other.join()
    other.vote({"points-networks": "1"})
    assert sorted(v["value"]["networks"] for v in votes_of(app, workshop_id)) == [1, 2]


def test_joins_from_one_address_are_limited_per_workshop(app, facilitator, running):
    workshop_id, code = running
    app.config["WORKSHOP_JOIN_LIMIT"] = 3
    stuffer = Participant(app, code, address="192.0.2.50")
    for _ in range(3):   # every cookie dropped each time: a new phone to the server
        stuffer.client.delete_cookie("session")
        stuffer.client.delete_cookie("survey_app_phone", path="/w/")
        stuffer.client.post("/w/", data={"csrf_token": csrf_token(stuffer.client, "/w/"), "code": code})
        assert stuffer.join().status_code == 302
        stuffer.vote({"points-networks": "1"})
    stuffer.client.delete_cookie("session")
    stuffer.client.delete_cookie("survey_app_phone", path="/w/")
    stuffer.client.get("/lang/en")
    stuffer.client.post("/w/", data={"csrf_token": csrf_token(stuffer.client, "/w/"), "code": code})
    refused = stuffer.join()
    assert refused.status_code == 302 and refused.location.endswith(f"/w/{code}")   # redirected, also now
    page = stuffer.page()
    assert page.status_code == 429 and "Too many phones joined from your network" in page_text(page)
    assert "Too many phones" not in page_text(stuffer.page())   # said once; the join form again
    state = facilitator.get(f"/workshops/{workshop_id}/live.json").json
    assert (state["joined"], state["voted"]) == (3, 3)
    # the other phones of the room (own addresses) join as before; a phone behind the same
    # address that joined before keeps its place
    assert Participant(app, code).join().status_code == 302
    with app.app_context():
        assert get_store().count_participants(workshop_id) == 4


def test_vote_is_recorded_and_a_change_replaces_it(app, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    response = phone.vote({"points-networks": "4", "points-civic_engagement": "3"})
    assert response.status_code == 302
    page = page_text(phone.page())
    assert 'id="recorded"' in page and 'name="run"' not in page   # the confirmation, the same for every voter
    change = page_text(phone.client.get(f"/w/{code}?change=1"))     # "Change vote": the form with the vote
    assert 'value="4"' in change and 'value="3"' in change and "Change vote" in change
    phone.vote({"points-networks": "1"})
    stored = votes_of(app, workshop_id)
    assert len(stored) == 1 and stored[0]["value"] == {"networks": 1}
    assert set(stored[0]) == {"id", "participant", "value", "group"}  # nothing else about the person


def test_a_vote_sent_by_the_script_is_answered_with_the_page_at_once(app, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    script = {"X-Workshop-Script": "1"}   # workshop.js sends its votes in the background (fetch)
    answer = phone.client.post(f"/w/{code}/vote", headers=script,
                               data={**phone.form_fields(), "points-networks": "4"})
    assert answer.status_code == 200   # no second request for the page: it is the answer
    page = page_text(answer)
    run = record(app, workshop_id)["rounds"]["goals"][-1]["run"]
    assert 'id="recorded"' in page and f'data-voted-run="{run}"' in page and 'name="run"' not in page
    assert f'data-page-url="/w/{code}"' in page   # the page the script stays on
    again = phone.client.post(f"/w/{code}/vote", headers=script,
                              data={**phone.form_fields(), "points-networks": "2"})
    assert again.status_code == 200 and [v["value"] for v in votes_of(app, workshop_id)] == [{"networks": 2}]
    refused = phone.client.post(f"/w/{code}/vote", headers=script,
                                data={**phone.form_fields(), "points-networks": "9"})
    assert refused.status_code == 302 and refused.location == f"/w/{code}"   # a refusal: the redirect
    assert "At most 4 points per option." in page_text(phone.page())


@pytest.mark.parametrize("data, message", [
    ({"points-networks": "4", "points-civic_engagement": "4", "points-local_offers": "4"},
     "You gave 12 points but have only 10."),
    ({"points-networks": "5"}, "At most 4 points per option."),
    ({"points-networks": "drei"}, "Please enter a whole number of points (0 or more)."),
    ({}, "Please give at least one point."),
])
def test_invalid_votes_are_refused_with_a_message(app, running, data, message):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    response = phone.vote(data)
    assert response.status_code == 302 and response.location == f"/w/{code}"   # never left on /vote
    shown = phone.page()
    assert shown.status_code == 422
    assert message in page_text(shown)
    for key, value in data.items():   # what the phone sent is filled in again
        assert re.search(rf'name="{key}"[^>]*value="{value}"', shown.get_data(as_text=True))
    assert 'id="error-summary"' not in page_text(phone.page())   # once: a reload shows the form as it is now
    assert votes_of(app, workshop_id) == []


def test_unknown_options_are_refused(app, facilitator, running):
    workshop_id, code = running
    act(facilitator, workshop_id, "goto", poll="roles")
    act(facilitator, workshop_id, "open")
    phone = Participant(app, code)
    phone.join()
    response = phone.vote({"lead-networking": "mayor"})
    assert response.status_code == 302
    response = phone.page()
    assert response.status_code == 422 and "Please choose who should lead this task." in page_text(response)
    phone.vote({"lead-networking": "qm_general", "support-networking": ["qm_general"]})
    assert "The lead cannot also be a supporting actor." in page_text(phone.page())
    assert votes_of(app, workshop_id, "roles") == []
    assert phone.vote({"lead-networking": "qm_general", "support-networking": ["volunteers"]}).status_code == 302
    assert votes_of(app, workshop_id, "roles")[0]["value"] == {
        "networking": {"lead": "qm_general", "support": ["volunteers"]}}


def test_votes_on_closed_polls_old_rounds_or_other_polls_change_nothing(app, facilitator, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    old = phone.form_fields()
    act(facilitator, workshop_id, "close")
    response = phone.client.post(f"/w/{code}/vote", data={**old, "points-networks": "2"}, follow_redirects=True)
    assert "Voting on this poll is closed." in page_text(response)
    act(facilitator, workshop_id, "new_round")
    response = phone.client.post(f"/w/{code}/vote", data={**old, "points-networks": "2"}, follow_redirects=True)
    assert "started a new round" in page_text(response)
    response = phone.client.post(f"/w/{code}/vote", data={**old, "poll": "roles", "points-networks": "2"},
                                 follow_redirects=True)
    assert "moved on to another poll" in page_text(response)
    with app.app_context():
        for r in record(app, workshop_id)["rounds"]["goals"]:
            assert get_store().votes(workshop_id, r["run"]) == []


def test_voting_before_joining_leads_to_the_join_page(app, running):
    workshop_id, code = running
    client = app.test_client()
    csrf = csrf_token(client, f"/w/{code}")
    response = client.post(f"/w/{code}/vote", data={"csrf_token": csrf, "poll": "goals", "run": "x",
                                                    "points-networks": "2"})
    assert response.status_code == 302 and response.location.endswith(f"/w/{code}")
    assert votes_of(app, workshop_id) == []


def test_waiting_screen_and_state_changes_when_the_facilitator_moves_on(app, facilitator, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    first = phone.client.get(f"/w/{code}/state.json")
    assert phone.client.get(f"/w/{code}/state.json",
                            headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    act(facilitator, workshop_id, "show")  # the phone's screen does not change for this
    assert phone.client.get(f"/w/{code}/state.json").json == first.json
    act(facilitator, workshop_id, "next")
    moved = phone.client.get(f"/w/{code}/state.json", headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200 and moved.json["view"] != first.json["view"]
    assert f'data-view="{moved.json["view"]}"' in phone.page().get_data(as_text=True)
    page = page_text(phone.page())
    assert 'class="waiting"' in page and 'name="run"' not in page
    act(facilitator, workshop_id, "open")
    assert "Who should lead each task?" in page_text(phone.page())


# -- results and downloads -----------------------------------------------------------------

def vote_in_room(app, facilitator, workshop_id, code, values, groups):
    for value, group in zip(values, groups):
        phone = Participant(app, code)
        phone.join(group)
        assert phone.vote(value).status_code == 302


def test_results_and_downloads(app, facilitator, running):
    workshop_id, code = running
    values = ([{"points-networks": "4", "points-civic_engagement": "1"}] * 6 + [{"points-local_offers": "2"}]
              + [{"points-everyday_problems": "1"}] * 5)
    vote_in_room(app, facilitator, workshop_id, code, values, ["qm_general"] * 6 + ["volunteers"] + [""] * 5)
    act(facilitator, workshop_id, "close")
    page = page_text(facilitator.get(f"/workshops/{workshop_id}/results"))
    assert "n = 12" in page and "n = 6" in page
    assert page.count('data-chart="chart-goals-1"') == 1
    csv_text = facilitator.get(f"/workshops/{workshop_id}/votes.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 12 and {r["poll_id"] for r in rows} == {"goals"}
    # the lone volunteer is not named, nor the next smallest group (else the one could be derived)
    assert sorted(r["group"] for r in rows) == [""] * 6 + ["qm_general"] * 6
    tallies = list(csv.DictReader(io.StringIO(
        facilitator.get(f"/workshops/{workshop_id}/tallies.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {(r["option"], r["value"]) for r in tallies if r["group"] == "all" and r["measure"] == "points"} >= {
        ("networks", "24"), ("civic_engagement", "6"), ("local_offers", "2")}
    record_rows = list(csv.DictReader(io.StringIO(
        facilitator.get(f"/workshops/{workshop_id}/record.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert record_rows[0]["voted"] == "12" and record_rows[0]["joined"] == "12" and record_rows[0]["closed_at"]
    response = facilitator.get(f"/workshops/{workshop_id}/votes.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]


def test_every_poll_type_is_voted_on_counted_and_shown(app, facilitator):
    workshop_id = workshop_with_every_type(facilitator)
    code = record(app, workshop_id)["join_code"]
    phones = [Participant(app, code), Participant(app, code)]
    for phone in phones:
        phone.join()
    for poll in record(app, workshop_id)["polls"]:
        act(facilitator, workshop_id, "goto", poll=poll["id"])
        act(facilitator, workshop_id, "open")
        for phone in phones:
            response = phone.vote(EVERY_TYPE[poll["type"]][1])
            assert response.status_code == 302, (poll["type"], page_text(response)[:2000])
            assert 'id="recorded"' in page_text(phone.page())
        act(facilitator, workshop_id, "show")
        state = facilitator.get(f"/workshops/{workshop_id}/live.json").json
        assert state["voted"] == 2 and state["chart"]["n"] == 2, poll["type"]
        assert facilitator.get(f"/workshops/{workshop_id}/present").status_code == 200
    page = page_text(facilitator.get(f"/workshops/{workshop_id}/results"))
    assert page.count("Round 1: n = 2") == len(EVERY_TYPE)
    # task 1: both chose the same lead; task 2: both said "unclear", a gap without a clear lead
    assert page.count('<span class="flag">gap</span>') == 1
    assert page.count('<span class="flag">no clear lead</span>') == 1
    assert "Kendall" in page and "Objections (0 or 1)" in page
    for kind in ("votes", "tallies", "record"):
        rows = list(csv.DictReader(io.StringIO(facilitator.get(f"/workshops/{workshop_id}/{kind}.csv")
                                               .get_data(as_text=True).lstrip("\ufeff"))))
        assert {r["poll_id"] for r in rows} == {p["id"] for p in record(app, workshop_id)["polls"]}, kind


def test_facilitator_hides_an_idea(app, facilitator, running):
    workshop_id, code = running
    act(facilitator, workshop_id, "goto", poll="start")
    act(facilitator, workshop_id, "open")
    vote_in_room(app, facilitator, workshop_id, code, [{"idea-1": "Sprechstunde im Café"}, {"idea-1": "Unsinn"}],
                 ["", ""])
    act(facilitator, workshop_id, "show")
    results = facilitator.get(f"/workshops/{workshop_id}/results").get_data(as_text=True)
    key = re.search(r'name="item" value="([^"]+)"[^<]*<input type="hidden" name="back" value="results">\s*'
                    r'<input type="hidden" name="hidden" value="1">', results)
    keys = re.findall(r'name="item" value="([^"]+)"', results)
    assert len(keys) == 2 and key
    stored = votes_of(app, workshop_id, "start")
    nonsense = next(f"{v['id']}:0" for v in stored if v["value"] == ["Unsinn"])
    facilitator.post(f"/workshops/{workshop_id}/ideas",
                     data={"csrf_token": token(facilitator), "item": nonsense, "hidden": "1", "back": "results"})
    chart = facilitator.get(f"/workshops/{workshop_id}/live.json").json["chart"]
    assert chart["items"] == ["Sprechstunde im Café"] and "unsinn" not in chart["labels"]
    facilitator.post(f"/workshops/{workshop_id}/ideas",
                     data={"csrf_token": token(facilitator), "item": nonsense, "hidden": "0"})
    assert len(facilitator.get(f"/workshops/{workshop_id}/live.json").json["chart"]["items"]) == 2


def test_participant_pages_speak_german_by_default(app, running):
    _workshop_id, code = running
    phone = Participant(app, code, lang="de")
    assert "Bitte prüfen Sie den Code" in page_text(phone.page())
    phone.client.post("/w/", data={"csrf_token": csrf_token(phone.client, "/w/"), "code": code})
    assert "Wo arbeiten Sie? (freiwillig)" in page_text(phone.page())
    phone.join()
    phone.vote({"points-networks": "4", "points-civic_engagement": "4", "points-local_offers": "4"})
    assert "Sie haben 12 Punkte vergeben, haben aber nur 10." in page_text(phone.page())
    phone.vote({"points-networks": "4"})
    page = page_text(phone.page())
    assert "Ihre Stimme ist gespeichert." in page and "Welche Ziele sind" in page


def test_health_endpoint(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_behind_a_proxy_the_join_limit_counts_each_phone_by_its_forwarded_address(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_APP_PROXIES", "1")
    app = make_app(tmp_path, CODE_FAILURE_LIMIT=2)
    guesser, phone = app.test_client(), app.test_client()

    def guess(client, code, address):
        token = csrf_token(client, "/w/")
        return client.post("/w/", data={"csrf_token": token, "code": code}, headers={"X-Forwarded-For": address},
                           follow_redirects=True)

    for wrong in ("ZZZZZZ", "ZZZZZ2"):
        guess(guesser, wrong, "203.0.113.7")
    assert guess(guesser, "ZZZZZ3", "203.0.113.7").status_code == 429
    # another phone in the same room (same proxy, other forwarded address) is not locked out
    assert guess(phone, "ZZZZZ4", "203.0.113.8").status_code == 404


def test_after_a_reset_or_a_new_round_the_phone_that_voted_gets_the_form_again(app, facilitator, running):
    workshop_id, code = running
    phone = Participant(app, code)
    phone.join()
    phone.vote({"points-networks": "4"})
    assert 'name="run"' not in page_text(phone.page())
    act(facilitator, workshop_id, "reset", confirm="yes")
    act(facilitator, workshop_id, "open")
    assert 'name="run"' in page_text(phone.page()) and 'id="recorded"' not in page_text(phone.page())
    phone.vote({"points-networks": "2"})
    act(facilitator, workshop_id, "new_round")
    assert 'name="run"' in page_text(phone.page())
