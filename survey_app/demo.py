"""Demo data: synthetic responses and a workshop with votes for the shipped
neighbourhood-management set, so that a newcomer sees every chart and download right after
install."""
from __future__ import annotations

import datetime as dt
import random

from . import workshop as ws
from .fielding import build_response
from .questionnaire import Catalogue
from .store import Store
from .synthetic import random_answers, random_vote
from .workshop import TemplateCatalogue

# About six neighbourhood managers (DOMAIN.md) and dozens of partner organisations.
DEMO_SIZES = {"staff-self-assessment": 6, "stakeholder-questionnaire": 80}
DEMO_TEMPLATE = "neighbourhood-management-workshop"


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


def run_demo_workshop(store: Store, templates: TemplateCatalogue, seed: int = 2017, participants: int = 40,
                      today: dt.date | None = None) -> dict | None:
    """A workshop from the shipped template, as if run in a room: participants join with an
    organisation type and vote once on every poll. Returns the stored workshop."""
    template = templates.templates.get(DEMO_TEMPLATE)
    if template is None:
        return None
    rng = random.Random(seed)
    day = (today or dt.date.today()).isoformat()
    workshop = ws.new_workshop("Demo-Workshop Quartiersmanagement", day, ws.new_join_code(), template.languages,
                               template)
    record = store.add_workshop(ws.workshop_record(workshop))
    groups = [t.id for t in template.organisation_types]
    people = [store.add_participant(record["id"], rng.choice(groups)) for _ in range(participants)]
    workshop = ws.workshop_from_record(record)
    for poll in workshop.polls:
        workshop = ws.open_voting(ws.go_to_poll(workshop, poll.id, f"{day}T10:00"), f"{day}T10:00")
        run = workshop.current_round(poll.id).run
        for person in people:
            store.put_vote(record["id"], run, person["id"], {"value": random_vote(poll, rng), "group": person["group"]})
        workshop = ws.close_voting(workshop, f"{day}T10:05")
    store.change_workshop(record["id"], lambda _stored: ws.workshop_record(workshop))
    return store.get_workshop(record["id"])
