"""How long does the release plan take, and how much does it keep?

    .venv/bin/python benchmarks/bench_disclosure.py [N]

For N synthetic responses (default 10,000) it times the plan (best of 3) for
  * six single-choice grouping questions of four options each (skewed, some "no answer"),
  * the shipped staff questionnaire (a programme question and three multiple-choice questions
    with 25 options: 29 grouping variables), answers as benchmarks/bench_findings.py makes them,
  * 2,800 responses of the six-question kind (the size of the issue's survey),
and prints the share of non-empty groups (cells) each keeps: one-way (a filter or a breakdown)
and two-way (a filter with a breakdown), and the time of the per-question plans.

Last line: responses=N plan_s=X staff_plan_s=Y staff_questions_s=Z
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from survey_app.analysis.disclosure.plan import ReleasePlan  # noqa: E402
from survey_app.definitions.model import Option, Page, Question, Questionnaire, Scale, ScalePoint  # noqa: E402
from survey_app.definitions.questionnaire import load_file  # noqa: E402
from survey_app.synthetic import random_answers  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]



def t(text):
    return {"de": text, "en": text}


def six_questions():
    scale = Scale("agree", tuple(ScalePoint(v, t(str(v))) for v in range(1, 6)), dont_know=t("dk"))
    questions = [Question(f"g{i}", "single_choice", t(f"g{i}"), options=tuple(Option(f"v{j}", t(f"v{j}"))
                                                                              for j in range(4)))
                 for i in range(6)]
    questions.append(Question("sat", "scale", t("sat"), scale=scale))
    return Questionnaire("six", "six.yaml", t("six"), t(""), t(""), None, ("de", "en"),
                         (Page("p", t("p"), tuple(questions)),), {"agree": scale}, content_hash="six")


def six_responses(n, seed=2):
    rng = random.Random(seed)
    weights = [1 / (j + 1) ** 1.5 for j in range(4)]
    out = []
    for i in range(n):
        answers = {f"g{g}": rng.choices([f"v{j}" for j in range(4)], weights)[0]
                   for g in range(6) if rng.random() >= 0.05}
        answers["sat"] = rng.choice([1, 2, 3, 4, 5, "dk"])
        out.append({"id": str(i), "version": "v1", "answers": answers})
    return out


def shares(plan):
    one = plan.share_shown(lambda key: len(key) == 1)
    two = plan.share_shown(lambda key: len(key) == 2)
    return f"one-way {one[0]}/{one[1]} ({one[0] / max(one[1], 1):.0%}), two-way {two[0]}/{two[1]} " \
           f"({two[0] / max(two[1], 1):.0%})"


def all_questions(plan, questionnaire):
    for q in questionnaire.questions():
        if q.type == "matrix":
            for item in q.items:
                plan.question_tables(q.id, item.id)
        elif q.type not in ("note", "single_choice", "yes_no", "multiple_choice"):
            plan.question_tables(q.id)


def main(n: int) -> None:
    six = six_questions()
    responses = six_responses(n)
    seconds, plan = best_of(3, lambda: ReleasePlan(six, responses, 5))
    print(f"six single-choice questions, {n} responses: plan {seconds:.2f} s, {plan.audits} audits, {shares(plan)}")

    staff, _ = load_file(ROOT / "questionnaires" / "staff-self-assessment.yaml")
    rng = random.Random(1)
    staff_responses = [{"id": str(i), "version": "v1", "answers": random_answers(staff, rng)} for i in range(n)]
    staff_seconds, staff_plan = best_of(3, lambda: ReleasePlan(staff, staff_responses, 5))
    started = time.perf_counter()
    all_questions(staff_plan, staff)
    questions_seconds = time.perf_counter() - started
    print(f"staff questionnaire ({len(staff_plan.variables)} grouping variables), {n} responses: plan "
          f"{staff_seconds:.2f} s, {staff_plan.audits} audits, {shares(staff_plan)}; "
          f"every question's plan {questions_seconds:.2f} s")

    mid = six_responses(2800)
    mid_seconds, mid_plan = best_of(1, lambda: ReleasePlan(six, mid, 5))
    print(f"six single-choice questions, 2800 responses: plan {mid_seconds:.2f} s, {mid_plan.audits} audits, "
          f"{shares(mid_plan)}")
    print(f"responses={n} plan_s={seconds:.2f} staff_plan_s={staff_seconds:.2f} "
          f"staff_questions_s={questions_seconds:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
