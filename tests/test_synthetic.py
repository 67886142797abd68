"""Synthetic answers are valid answers: analysis counts none of them as invalid."""
from __future__ import annotations

import random
from pathlib import Path

from survey_app.analysis.summaries import summarize
from survey_app.definitions.questionnaire import load_folder
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


def test_synthetic_votes_are_valid_for_every_poll_of_the_shipped_template():
    from survey_app.workshops.templates import load_templates
    from survey_app.workshops.voting import random_vote, validate_vote

    templates = load_templates(ROOT.parent / "questionnaires" / "workshops").templates
    polls = [poll for template in templates.values() for poll in template.polls]
    assert {p.type for p in polls} >= {"dot_voting", "role_matrix", "fist_to_five", "open_text"}
    rng = random.Random(4)
    for poll in polls:
        for _ in range(30):
            vote = random_vote(poll, rng)
            assert not validate_vote(poll, vote), (poll.id, vote)
