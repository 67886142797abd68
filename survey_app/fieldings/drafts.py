"""What a draft looks like and what a response record holds (pure).

A draft holds the answers of a respondent who has not submitted yet: the answers that passed
every check (they count for branching and reach the response) and, in `entered`, the input
as typed, also what is incomplete or invalid, so that nothing typed is lost. Submitting turns
it into a response record and deletes the draft: from then on the answers live only in the
response, which carries no draft id; the storage only remembers that the draft was submitted
(storage.interface.Responses.submit_draft, in one step; `submitted_draft` stands for it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from survey_app.definitions.conditions import visibility
from survey_app.definitions.model import Questionnaire
from survey_app.fieldings.model import Fielding

OPEN, SUBMITTED = "open", "submitted"


def new_draft(survey_id: str, language: str, resume_code: str | None = None, pseudonym: str | None = None,
              today: dt.date | None = None) -> dict:
    """A draft before its first answer (the storage gives it its id)."""
    return {"survey_id": survey_id, "language": language, "answers": {}, "page": 0, "status": OPEN,
            "response_id": None, "resume_code": resume_code, "pseudonym": pseudonym,
            "created_on": (today or dt.date.today()).isoformat()}  # day only: less to re-identify a respondent


def is_open(draft: Mapping) -> bool:
    return draft.get("status") == OPEN


def is_submitted(draft: Mapping) -> bool:
    return draft.get("status") == SUBMITTED


def merged(stored: Mapping, changes: Mapping | None) -> dict:
    """`stored` with `changes` applied key by key; None deletes a key."""
    result = dict(stored)
    for key, value in (changes or {}).items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def changed(answers: Mapping | None = None, entered: Mapping | None = None, page: int | None = None,
            language: str | None = None) -> Callable[[dict], dict]:
    """The change of a draft (for Drafts.change_draft): `answers` and `entered` merged key by
    key (None deletes a key), page and language replaced when given. A submitted draft stays
    as it is."""
    def change(draft: dict) -> dict:
        if not is_open(draft):
            return draft
        new = {**draft, "answers": merged(draft["answers"], answers)}
        if entered:
            new["entered"] = merged(draft.get("entered") or {}, entered)
        if page is not None:
            new["page"] = page
        if language is not None:
            new["language"] = language
        return new
    return change


def submitted_draft(draft_id: str) -> dict:
    """What is left of a draft once submitted (the storage deleted it): only that it was."""
    return {"id": draft_id, "status": SUBMITTED, "answers": {}, "response_id": None}


def closed(draft: dict) -> dict:
    """The draft as kept once its response is stored: marked submitted, without answers."""
    return {**draft, "status": SUBMITTED, "answers": {}, "entered": {}}


def build_response(fielding: Fielding, questionnaire: Questionnaire, draft: Mapping, today: dt.date | None = None,
                   invitation: int | None = None) -> dict:
    """The record stored for a completed questionnaire.

    Only the day is kept, never the time, and nothing about the respondent's device
    or address, so answers cannot be matched to people by when or where they came from.
    Answers to questions the respondent's other answers hide are left out. `invitation` is
    the running number of the respondent's personal invitation, given only for a
    confidential fielding.
    """
    known = {q.id for q in questionnaire.questions() if q.has_answer}
    shown = visibility(questionnaire, draft["answers"]).answers
    response = {
        "survey_id": fielding.id,
        "questionnaire_id": questionnaire.id,
        "version": questionnaire.content_hash,
        "language": draft["language"],
        "submitted_on": (today or dt.date.today()).isoformat(),
        "answers": {k: v for k, v in shown.items() if k in known and v is not None},
    }
    if draft.get("pseudonym"):  # the respondent's self-generated code, to pair fieldings
        response["pseudonym"] = draft["pseudonym"]
    if invitation is not None:
        response["invitation"] = invitation
    return response
