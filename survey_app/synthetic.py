"""Plausible random answers to questionnaires: benchmark and demo data (pure, seeded).
Workshop votes: workshops/voting.py random_vote, from each poll type's own hook."""
from __future__ import annotations

import datetime as dt
import random

from survey_app.definitions.model import DONT_KNOW, Question, Questionnaire

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

