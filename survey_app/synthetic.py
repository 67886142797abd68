"""Plausible random answers to questionnaires: benchmark and demo data (pure, seeded).
Workshop votes: workshops/voting.py random_vote, from each poll type's own hook."""
from __future__ import annotations

import random

from survey_app.definitions.model import Question, Questionnaire


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

