"""Plausible random answers to questionnaires and workshop polls: benchmark and demo data
(pure, seeded)."""
from __future__ import annotations

import datetime as dt
import random

from survey_app.definitions.model import DONT_KNOW, Question, Questionnaire
from survey_app.workshops.workshop import UNCLEAR, Poll

SAMPLE_TEXTS = (
    "Mehr Zeit für Netzwerkarbeit.",
    "Die Abgrenzung zum Sozialdienst ist im Alltag oft unklar.",
    "Gute Zusammenarbeit mit dem Begegnungszentrum.",
    "Räume für Initiativen fehlen.",
)


def random_answer(question: Question, rng: random.Random):
    kind = question.type
    if kind == "single_choice":
        return rng.choice(question.options).value
    if kind == "multiple_choice":
        limit = question.max_choices or len(question.options)
        return [o.value for o in rng.sample(question.options, rng.randint(1, limit))]
    if kind in ("scale", "matrix"):
        def point():
            if question.scale.dont_know and rng.random() < 0.1:
                return DONT_KNOW
            return rng.choice(question.scale.points).value

        if kind == "scale":
            return point()
        return {item.id: point() for item in question.items}
    if kind == "number":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 100
        value = rng.uniform(low, high)
        return round(value) if question.integer else round(value, 1)
    if kind == "ranking":
        return [o.value for o in rng.sample(question.options, len(question.options))]
    if kind == "yes_no":
        return rng.choice(("yes", "no"))
    if kind == "date":
        first = dt.date.fromisoformat(question.min_date) if question.min_date else dt.date(2017, 1, 1)
        last = dt.date.fromisoformat(question.max_date) if question.max_date else first + dt.timedelta(days=365)
        return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()
    if kind == "note":
        return None
    if kind == "allocation":
        # Whole units spread over the items so that they add up exactly to the total.
        total = int(question.total)
        cuts = sorted(rng.randint(0, total) for _ in range(len(question.items) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
        return {item.id: share for item, share in zip(question.items, shares)}
    return rng.choice(SAMPLE_TEXTS) if rng.random() < 0.5 else None


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
