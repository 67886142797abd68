"""Synthetic answers are valid answers: analysis counts none of them as invalid."""
from __future__ import annotations

import random
from pathlib import Path

from survey_app.analysis import summarize
from survey_app.questionnaire import load_folder
from survey_app.synthetic import random_answers

ROOT = Path(__file__).resolve().parent


def test_synthetic_answers_are_valid_for_every_question_type():
    definitions = [q for folder in (ROOT.parent / "questionnaires", ROOT / "data" / "question_types")
                   for q in load_folder(folder).questionnaires.values()]
    assert {q.type for d in definitions for q in d.questions()} >= {"ranking", "date", "yes_no", "note", "matrix"}
    rng = random.Random(11)
    for definition in definitions:
        responses = [{"id": str(i), "answers": random_answers(definition, rng)} for i in range(40)]
        for summary in summarize(definition, responses):
            assert summary.invalid == 0, (definition.id, summary.question.id)
