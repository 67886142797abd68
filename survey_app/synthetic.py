"""Plausible random answers to questionnaires and workshop polls: benchmark and demo data
(pure, seeded)."""
from __future__ import annotations

import random

from survey_app.definitions.model import Question, Questionnaire
from survey_app.workshops.workshop import UNCLEAR, Poll

def random_answer(question: Question, rng: random.Random):
    """A plausible valid answer, as the question's type makes one; None for none."""
    return question.kind.random_answer(question, rng)


def random_answers(questionnaire: Questionnaire, rng: random.Random) -> dict:
    """Every required question answered; optional ones left out now and then."""
    answers = {}
    for question in questionnaire.questions():
        if not question.required and rng.random() < 0.15:
            continue
        value = random_answer(question, rng)
        if value is not None:
            answers[question.id] = value
    return answers


IDEAS = ("Sprechstunden im Quartier", "Runder Tisch Integration", "Doppelte Einzelfallberatung",
         "Mehr Räume für Initiativen", "Newsletter für Partner")


def random_vote(poll: Poll, rng: random.Random):
    """A valid workshop vote for a poll of any type."""
    ids = [o.id for o in poll.options]
    kind = poll.type
    if kind == "single_choice":
        return rng.choice(ids)
    if kind == "multiple_choice":
        return rng.sample(ids, rng.randint(1, poll.max_choices or len(ids)))
    if kind in ("scale", "fist_to_five"):
        # rooms lean towards agreement: the upper half of the scale is more likely
        values = poll.scale_values
        return rng.choices(values, weights=range(1, len(values) + 1))[0]
    if kind == "dot_voting":
        dots: dict[str, int] = {}
        for _ in range(poll.points):
            choice = rng.choice(ids)
            if not poll.max_per_option or dots.get(choice, 0) < poll.max_per_option:
                dots[choice] = dots.get(choice, 0) + 1
        return dots
    if kind == "ranking":
        return rng.sample(ids, len(ids))
    if kind == "role_matrix":
        actors = [a.id for a in poll.actors]
        # the first two actors (the two kinds of neighbourhood management) are named most
        weights = [4, 3] + [1] * (len(actors) - 2) + [1]
        return {task.id: {"lead": rng.choices(actors + [UNCLEAR], weights=weights[:len(actors) + 1])[0]}
                for task in poll.tasks}
    return rng.sample(IDEAS, rng.randint(1, min(poll.max_items or 1, len(IDEAS))))
