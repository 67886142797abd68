"""The release plan of a survey's counted responses, as pages and files ask for it, and its
computation in the background right after a submission (analysis/disclosure/cache.py)."""
from __future__ import annotations

from flask import current_app

from survey_app.analysis.counting import counted
from survey_app.analysis.disclosure.cache import Planned, keeper
from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.definitions.model import Questionnaire
from survey_app.fieldings.model import Fielding
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store
from survey_app.web.minimum import minimum_group_size


def release_plan_for(survey: Fielding, questionnaire: Questionnaire, responses) -> ReleasePlan:
    """The release plan of exactly these (counted) responses at the survey's minimum group size."""
    return keeper().plan(survey.id, questionnaire, responses, minimum_group_size(survey.min_group_size))


def shown_plan(survey: Fielding, questionnaire: Questionnaire, responses) -> Planned:
    """For a results page: the plan of these responses, or, while it is still being computed,
    the last planned state with exactly its responses (Planned.pending says how many are new)."""
    return keeper().shown_plan(survey.id, questionnaire, responses, minimum_group_size(survey.min_group_size),
                               current_app.config["RELEASE_PLAN_WAIT"])


def plan_after_submission(survey: Fielding) -> None:
    """Start computing the plan of the survey's new state in the background."""
    app = current_app._get_current_object()
    survey_id = survey.id

    def load():
        with app.app_context():
            fielding = get_store().get_survey(survey_id)
            questionnaire = get_questionnaire(fielding.questionnaire_id)
            responses = counted(fielding, get_store().responses(survey_id)).responses
            return questionnaire, responses, minimum_group_size(fielding.min_group_size)

    if not survey.test_run:
        keeper().refresh(survey_id, load)
