"""The respondent's way through a fielding without Flask (fieldings/respondent.py): where a page
request leads, what each button does to the draft, and that a response is stored once, with its
invitation used up, however the requests race. Real files in a temporary data folder; the view
around it is tested through its routes (test_survey_flow, test_branching, test_save_resume)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from survey_app.definitions.questionnaire import load_bytes
from survey_app.fieldings import respondent
from survey_app.fieldings.drafts import changed, new_draft
from survey_app.fieldings.invitations import token_hash
from survey_app.fieldings.model import CONFIDENTIAL, INVITATION, Fielding
from survey_app.fieldings.respondent import NEXT, PAGE, SAVED, START, THANKS, NotFound, Posted, Redirect, Show
from survey_app.storage.tinydb.store import Store

ABOUT, QFI, HOURS, END = 0, 1, 2, 3   # the pages of tests/data/branching/branching.yaml
DAY = dt.date(2026, 11, 25)
QUESTIONNAIRE, _ = load_bytes((Path(__file__).parent / "data" / "branching" / "branching.yaml").read_bytes(),
                              "branching.yaml")


def everything_fine(draft):
    return None, draft["answers"]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data")


@pytest.fixture
def fielding(store):
    return store.add_survey(Fielding.new("branching", "branching"))


def started(store, fielding, **answers):
    draft = store.add_draft(fielding.id, new_draft(fielding.id, "de"))
    return store.change_draft(fielding.id, draft["id"], changed(answers)) if answers else draft


def post(store, fielding, draft, index, answers=None, action=NEXT, valid=True, appeared=False, token=None,
         check=everything_fine):
    posted = Posted(action, valid, answers or {}, {key: [str(v)] for key, v in (answers or {}).items()}, "de",
                    appeared)
    return respondent.post_page(store, fielding, QUESTIONNAIRE, draft, index, posted, check, token)


# -- where a page request leads ---------------------------------------------------------------

def test_a_page_request_leads_where_the_draft_allows(store, fielding):
    draft = started(store, fielding, programme="general")
    assert respondent.arrive(QUESTIONNAIRE, draft, 1, allowed=False) == Redirect(START)
    assert respondent.arrive(QUESTIONNAIRE, None, 1, allowed=True) == Redirect(START)
    assert respondent.arrive(QUESTIONNAIRE, draft, 0, allowed=True) == NotFound()
    assert respondent.arrive(QUESTIONNAIRE, draft, 5, allowed=True) == NotFound()
    assert respondent.arrive(QUESTIONNAIRE, draft, QFI + 1, allowed=True) == Redirect(PAGE, HOURS)  # hidden
    assert respondent.arrive(QUESTIONNAIRE, draft, HOURS + 1, allowed=True) == Show(HOURS, {"programme": "general"})
    assert respondent.arrive(QUESTIONNAIRE, {**draft, "status": "submitted"}, 1, allowed=True) == Redirect(THANKS)


def test_who_may_answer(store, fielding):
    assert respondent.may_answer(store, fielding, None, DAY)
    assert not respondent.may_answer(store, store.update_survey(fielding.id, status="closed"), None, DAY)
    assert not respondent.may_answer(store, store.update_survey(fielding.id, status="open", opens_on="2026-12-01"),
                                     None, DAY)
    invited = store.update_survey(fielding.id, opens_on=None, access=INVITATION)
    store.add_invitations(fielding.id, [token_hash("mine")])
    assert respondent.invitation_status(store, invited, None) == "missing"
    assert respondent.invitation_status(store, invited, "guessed") == "missing"
    assert respondent.invitation_status(store, invited, "mine") == "unused"
    assert respondent.may_answer(store, invited, "mine", DAY) and not respondent.may_answer(store, invited, None, DAY)


def test_a_question_that_appears_is_noticed_only_if_the_page_did_not_show_it():
    about = QUESTIONNAIRE.pages[ABOUT]
    assert about.questions[1].id == "qfi_since"
    assert respondent.questions_appeared(QUESTIONNAIRE, ABOUT, ["programme", "qfi_since"], "programme obstacles")
    assert not respondent.questions_appeared(QUESTIONNAIRE, ABOUT, ["programme", "qfi_since"], "programme qfi_since")
    assert not respondent.questions_appeared(QUESTIONNAIRE, ABOUT, ["programme", "qfi_since"], None)  # no list sent


# -- the buttons of a page ----------------------------------------------------------------

def test_back_skips_pages_the_answers_hide_and_keeps_what_was_typed(store, fielding):
    draft = started(store, fielding, programme="general")
    assert post(store, fielding, draft, HOURS, {"hours": 45}, action="back") == Redirect(PAGE, ABOUT)
    stored = store.get_draft(fielding.id, draft["id"])
    assert stored["answers"] == {"programme": "general", "hours": 45} and stored["page"] == ABOUT
    assert stored["entered"] == {"hours": ["45"]}


def test_save_keeps_the_page_for_later(store, fielding):
    draft = started(store, fielding, programme="qfi")
    assert post(store, fielding, draft, QFI, {"qfi_funding_known": "no"}, action="save") == Redirect(SAVED)
    assert store.get_draft(fielding.id, draft["id"])["page"] == QFI


def test_an_invalid_page_is_shown_again_with_everything_kept(store, fielding):
    draft = started(store, fielding, programme="general")
    outcome = post(store, fielding, draft, HOURS, {"hours": None}, valid=False)
    assert outcome == Show(HOURS, {"programme": "general"}, status=422)
    assert store.get_draft(fielding.id, draft["id"])["entered"] == {"hours": ["None"]}


def test_next_moves_on_past_hidden_pages_or_stays_when_a_question_appeared(store, fielding):
    draft = started(store, fielding)
    assert post(store, fielding, draft, ABOUT, {"programme": "general"}) == Redirect(PAGE, HOURS)
    assert store.get_draft(fielding.id, draft["id"])["page"] == HOURS
    draft = store.get_draft(fielding.id, draft["id"])
    outcome = post(store, fielding, draft, ABOUT, {"programme": "qfi"}, appeared=True)
    assert outcome == Show(ABOUT, {"programme": "qfi"}, appeared=True)
    assert store.get_draft(fielding.id, draft["id"])["page"] == ABOUT
    assert store.responses(fielding.id) == []


def test_an_incomplete_draft_goes_back_to_its_first_problem_instead_of_being_submitted(store, fielding):
    draft = started(store, fielding, programme="general")
    outcome = post(store, fielding, draft, HOURS, {"hours": 5}, check=lambda d: (ABOUT, d["answers"]))
    assert outcome == Redirect(PAGE, ABOUT, incomplete=True)
    assert store.get_draft(fielding.id, draft["id"])["page"] == ABOUT and store.responses(fielding.id) == []


# -- submitting -------------------------------------------------------------------------------

def test_the_last_page_submits_once_however_often_it_is_sent(store, fielding):
    draft = started(store, fielding, programme="general")
    assert post(store, fielding, draft, HOURS, {"hours": 5}) == Redirect(THANKS)   # 5 hours: no last page
    # A second click with the page as it was before the first one was answered.
    assert post(store, fielding, draft, HOURS, {"hours": 6}) == Redirect(THANKS)
    [response] = store.responses(fielding.id)
    assert response["answers"] == {"programme": "general", "hours": 5} and response["survey_id"] == fielding.id
    assert "invitation" not in response
    # the draft is deleted and its response names no draft (issue 10: unlinkable)
    assert store.get_draft(fielding.id, draft["id"]) is None and store.was_submitted(fielding.id, draft["id"])
    assert draft["id"] not in str(response) and "submission_key" not in response


def test_the_checked_answers_are_submitted_not_what_the_draft_holds(store, fielding):
    draft = started(store, fielding, programme="general", comments="kept out")
    post(store, fielding, draft, HOURS, {"hours": 5}, check=lambda d: (None, {"programme": "general", "hours": 5}))
    assert store.responses(fielding.id)[0]["answers"] == {"programme": "general", "hours": 5}


@pytest.mark.parametrize("anonymity", ["anonymous", CONFIDENTIAL])
def test_a_personal_invitation_is_used_up_with_the_response(store, fielding, anonymity):
    fielding = store.update_survey(fielding.id, access=INVITATION, anonymity=anonymity)
    store.add_invitations(fielding.id, [token_hash("first"), token_hash("mine")])
    draft = started(store, fielding, programme="general")
    assert post(store, fielding, draft, HOURS, {"hours": 5}, token="mine") == Redirect(THANKS)
    [response] = store.responses(fielding.id)
    assert response.get("invitation") == (2 if anonymity == CONFIDENTIAL else None)
    assert store.find_invitation(fielding.id, token_hash("mine"))["used"] is True
    # The same link in another browser: sent back to the start page, nothing stored.
    other = started(store, fielding, programme="general")
    assert post(store, fielding, other, HOURS, {"hours": 5}, token="mine") == Redirect(START)
    assert len(store.responses(fielding.id)) == 1 and store.get_draft(fielding.id, other["id"])["status"] == "open"
