"""Demo data: realistic synthetic responses for the shipped neighbourhood-management set,
so that a newcomer sees every chart and download right after install."""
from __future__ import annotations

import random

from .fielding import build_response
from .questionnaire import Catalogue
from .store import Store
from .synthetic import random_answers

# About six neighbourhood managers (DOMAIN.md) and dozens of partner organisations.
DEMO_SIZES = {"staff-self-assessment": 6, "stakeholder-questionnaire": 80}


def fill_demo_surveys(store: Store, catalogue: Catalogue, seed: int = 2017,
                      sizes: dict[str, int] | None = None) -> dict[str, int]:
    """Add synthetic responses to the default survey of each shipped questionnaire;
    returns how many were added per survey link."""
    rng = random.Random(seed)
    added = {}
    for questionnaire_id, count in (sizes or DEMO_SIZES).items():
        questionnaire = catalogue.questionnaires.get(questionnaire_id)
        survey = store.find_survey_by_slug(questionnaire_id)
        if not questionnaire or not survey:
            continue
        for _ in range(count):
            draft = {"language": questionnaire.default_language, "answers": random_answers(questionnaire, rng)}
            store.add_response(survey["id"], build_response(survey, questionnaire, draft))
        added[survey["slug"]] = count
    return added
