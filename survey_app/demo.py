"""Demo data: synthetic responses and a workshop with votes for the shipped
neighbourhood-management set, so that a newcomer sees every chart and download right after
install. Everything it makes is marked "demo": true, so that running it again adds nothing
twice and `remove_demo` takes away exactly that, never a real response."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from survey_app.workshops import codes, records, state
from survey_app.analysis.counting import DEMO, is_demo
from survey_app.fieldings.drafts import build_response
from survey_app.definitions.questionnaire import Catalogue
from survey_app.storage.interface import Storage
from survey_app.synthetic import random_answers
from survey_app.workshops.templates import TemplateCatalogue
from survey_app.workshops.voting import random_vote

# About six neighbourhood managers (DOMAIN.md) and dozens of partner organisations.
DEMO_SIZES = {"staff-self-assessment": 6, "stakeholder-questionnaire": 80}
DEMO_TEMPLATE = "neighbourhood-management-workshop"


def fill_demo_surveys(store: Storage, catalogue: Catalogue, seed: int = 2017,
                      sizes: dict[str, int] | None = None) -> dict[str, tuple[int, int]]:
    """Give the default survey of each shipped questionnaire its synthetic responses, each
    marked "demo": true. Idempotent: responses already there from an earlier run count, only
    missing ones are added (the same ones, for the same seed). Returns (added, demo responses
    now there) per survey link."""
    result = {}
    for questionnaire_id, count in (sizes or DEMO_SIZES).items():
        questionnaire = catalogue.questionnaires.get(questionnaire_id)
        survey = store.find_survey_by_slug(questionnaire_id)
        if not questionnaire or not survey:
            continue
        present = sum(1 for r in store.responses(survey.id) if is_demo(r))
        rng = random.Random(f"{seed}-{questionnaire_id}")
        answers = [random_answers(questionnaire, rng) for _ in range(count)]
        for answer_set in answers[present:]:
            draft = {"language": questionnaire.default_language, "answers": answer_set}
            store.add_response(survey.id, {**build_response(survey, questionnaire, draft), DEMO: True})
        result[survey.slug] = (max(count - present, 0), max(count, present))
    return result


def demo_workshop(store: Storage) -> dict | None:
    """The workshop `flask demo` made, if there is one."""
    for entry in store.list_workshops():
        record = store.get_workshop(entry["id"])
        if record is not None and is_demo(record):
            return record
    return None


def run_demo_workshop(store: Storage, templates: TemplateCatalogue, seed: int = 2017, participants: int = 40,
                      today: dt.date | None = None) -> dict | None:
    """A workshop from the shipped template, as if run in a room: participants join with an
    organisation type and vote once on every poll. Returns the stored workshop; when an
    earlier run made it already, that one (there is never a second)."""
    template = templates.templates.get(DEMO_TEMPLATE)
    if template is None:
        return None
    existing = demo_workshop(store)
    if existing is not None:
        return existing
    rng = random.Random(seed)
    day = (today or dt.date.today()).isoformat()
    workshop = replace(state.new_workshop("Demo-Workshop Quartiersmanagement", day, codes.new_join_code(),
                                       template.languages, template), demo=True)
    record = store.add_workshop(records.workshop_record(workshop))
    groups = [t.id for t in template.organisation_types]
    people = [store.add_participant(record["id"], rng.choice(groups)) for _ in range(participants)]
    workshop = records.workshop_from_record(record)
    for poll in workshop.polls:
        workshop = state.open_voting(state.go_to_poll(workshop, poll.id, f"{day}T10:00"), f"{day}T10:00")
        run = workshop.current_round(poll.id).run
        for person in people:
            store.put_vote(record["id"], run, person["id"], {"value": random_vote(poll, rng), "group": person["group"]})
        workshop = state.close_voting(workshop, f"{day}T10:05")
    store.change_workshop(record["id"], lambda _stored: records.workshop_record(workshop))
    return store.get_workshop(record["id"])


def remove_demo(store: Storage) -> tuple[dict[str, int], dict | None]:
    """Delete exactly what `flask demo` made: the responses marked "demo" in every survey and
    the demo workshop. Returns the responses deleted per survey link (only links that had
    any) and the deleted workshop (None when there was none)."""
    removed = {}
    for survey in store.list_surveys():
        count, _ = store.remove_responses(survey.id, is_demo)
        if count:
            removed[survey.slug] = count
    workshop = demo_workshop(store)
    if workshop is not None:
        store.remove_workshop(workshop["id"])
    return removed, workshop
