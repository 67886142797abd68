"""The respondent's way through a fielding: who may answer, where a page request leads, and
what a posted page does (pure rules plus the storage steps they need; no Flask).

The view reads the request (the draft named in the session, the posted form checked by
web.forms), calls `arrive` and, for a posted page, `post_page`, and turns the outcome into a
redirect or a page:

    Redirect(START | PAGE | SAVED | THANKS)   NotFound   Show(index, answers, status, appeared)   Kept()

Besides the buttons of a page (BACK, SAVE, NEXT), two posts keep what was typed without
checking it or moving on: AUTOSAVE (survey.js, shortly after typing stops) and LANGUAGE
(a language of the header chosen mid-page); neither refuses an answer, only NEXT does.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from survey_app.definitions.model import Questionnaire
from survey_app.fieldings.drafts import build_response, changed, closed, is_open, is_submitted, merged
from survey_app.fieldings.invitations import invitation_state, token_hash
from survey_app.fieldings.model import Fielding
from survey_app.fieldings.navigation import nearest_visible_page, next_page, previous_page
from survey_app.storage.interface import Drafts, InvitationUsedError, Invitations, Responses

START, PAGE, SAVED, THANKS = "start", "page", "saved", "thanks"
BACK, SAVE, NEXT = "back", "save", "next"   # the buttons of a page
AUTOSAVE, LANGUAGE = "autosave", "language"  # kept as typed, the page stays


@dataclass(frozen=True)
class Redirect:
    to: str                  # START, PAGE, SAVED or THANKS
    page: int | None = None  # with PAGE: the page's index (from 0)
    incomplete: bool = False  # with PAGE: sent back on submit, the page says what is missing


@dataclass(frozen=True)
class NotFound:
    pass


@dataclass(frozen=True)
class Show:
    """Show page `index` (again) with `answers` as the draft holds them."""
    index: int
    answers: Mapping
    status: int = 200
    appeared: bool = False   # a question appeared that the respondent has not seen yet


@dataclass(frozen=True)
class Kept:
    """The draft holds what was typed on the page; the respondent stays on it (AUTOSAVE)."""
    stored: bool = True      # False when the draft was submitted meanwhile (nothing to keep)


@dataclass(frozen=True)
class Posted:
    """A posted page as the form read it."""
    action: str              # BACK, SAVE, NEXT, AUTOSAVE or LANGUAGE
    valid: bool              # every shown question passed its checks
    answers: Mapping         # the answers that passed (None: unanswered, deletes a stored one)
    entered: Mapping         # the input as typed, also what did not pass
    language: str            # the questionnaire language of the draft from now on
    appeared: bool = False   # a question shows now that was not on the page the respondent sent


Outcome = Redirect | NotFound | Show | Kept


class RespondentStore(Drafts, Responses, Invitations, Protocol):
    """The storage a respondent's requests need."""


def invitation_status(store: Invitations, fielding: Fielding, token: str | None) -> str:
    """"open" when the fielding needs no invitation, else "unused", "used" or "missing"."""
    if not fielding.needs_invitation:
        return "open"
    record = store.find_invitation(fielding.id, token_hash(token)) if token else None
    return invitation_state(record) or "missing"


def may_answer(store: Invitations, fielding: Fielding, token: str | None, today: dt.date) -> bool:
    """The fielding takes answers today, and from this respondent (their invitation is unused)."""
    return fielding.accepts_answers(today) and invitation_status(store, fielding, token) in ("open", "unused")


def questions_appeared(questionnaire: Questionnaire, index: int, shown: list[str], seen: str | None) -> bool:
    """True when a question with an answer shows now on page `index` (`shown`: the ids the
    posted answers show) that was not on the page the respondent sent (`seen`: the ids the
    page listed in "shown_questions", kept up to date by survey.js; None when it sent none)."""
    if seen is None:
        return False
    answered = {q.id for q in questionnaire.pages[index].questions if q.has_answer}
    return bool(answered.intersection(shown) - set(seen.split()))


def arrive(questionnaire: Questionnaire, draft: Mapping | None, number: int, allowed: bool) -> Outcome:
    """Where a request for page `number` (from 1) leads: Show(index) when the respondent may
    see it, else a redirect (to the start page when they may not answer or have no draft, to
    the thanks page after submitting, to the nearest page the answers show) or NotFound."""
    if not allowed or not draft:   # the start page says why
        return Redirect(START)
    if is_submitted(draft):
        return Redirect(THANKS)
    if not 1 <= number <= len(questionnaire.pages):
        return NotFound()
    index = number - 1
    shown = nearest_visible_page(questionnaire, draft["answers"], index)
    if shown != index:  # the answers hide this page (e.g. after going back and changing one)
        return Redirect(PAGE, shown)
    return Show(index, draft["answers"])


def post_page(store: RespondentStore, fielding: Fielding, questionnaire: Questionnaire,
              draft: dict, index: int, posted: Posted,
              check: Callable[[dict], tuple[int | None, dict]], token: str | None = None) -> Outcome:
    """A posted page: BACK, SAVE or NEXT (which submits after the last page), AUTOSAVE or
    LANGUAGE (kept as typed, unchecked; the page stays, in `posted.language` after LANGUAGE).

    Everything typed is kept in the draft, also what is incomplete or invalid; only answers
    that pass every check count for branching and reach the response. `check(draft)` checks
    the whole draft again before it is submitted: (index of the first page with a problem or
    None, the answers to submit). `token` is the respondent's personal invitation, if any.
    """
    def store_draft(**change) -> dict:
        return store.change_draft(fielding.id, draft["id"], changed(
            posted.answers, posted.entered, language=posted.language, **change)) or draft

    after = merged(draft["answers"], posted.answers)
    if posted.action == BACK:
        back = previous_page(questionnaire, after, index)
        store_draft(page=back)
        return Redirect(PAGE, back)
    if posted.action == AUTOSAVE:
        return Kept(is_open(store_draft()))
    if posted.action == LANGUAGE:
        store_draft(page=index)
        return Redirect(PAGE, index)
    if posted.action == SAVE:  # give the respondent a way back in later
        store_draft(page=index)
        return Redirect(SAVED)
    if not posted.valid:
        return Show(index, store_draft()["answers"], status=422)

    # Without JavaScript an answer on this page can reveal a question the respondent has
    # not seen yet: then the page is shown again instead of moving on past it.
    following = None if posted.appeared else next_page(questionnaire, after, index)
    draft = store_draft(page=index if following is None else following)
    if draft is None or is_submitted(draft):  # a second click raced the first one (and deleted it)
        return Redirect(THANKS)
    if posted.appeared:
        return Show(index, draft["answers"], appeared=True)
    if following is not None:
        return Redirect(PAGE, following)
    return submit(store, fielding, questionnaire, draft, check, token)


def submit(store: RespondentStore, fielding: Fielding, questionnaire: Questionnaire,
           draft: dict, check: Callable[[dict], tuple[int | None, dict]], token: str | None) -> Outcome:
    """Submit a draft after its last page: back to the first page with a problem, else the
    response is stored (once, however often this runs) and the thanks page follows."""
    problem, checked = check(draft)
    if problem is not None:
        store.change_draft(fielding.id, draft["id"], changed(page=problem))
        return Redirect(PAGE, problem, incomplete=True)
    invitation = token_hash(token) if token and fielding.needs_invitation else None
    number = None
    if invitation and fielding.records_invitation:  # a confidential fielding: the response says which one
        number = (store.find_invitation(fielding.id, invitation) or {}).get("number")
    response = build_response(fielding, questionnaire, {**draft, "answers": checked}, invitation=number)
    try:
        store.submit_draft(fielding.id, draft["id"], response, closed, invitation=invitation)
    except InvitationUsedError:  # used up in another browser meanwhile
        return Redirect(START)
    return Redirect(THANKS)
