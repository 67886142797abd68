"""Questionnaires and responses for the disclosure tests, built in code (no files)."""
from __future__ import annotations

import random

from survey_app.definitions.model import Item, Option, Page, Question, Questionnaire, Scale, ScalePoint


def t(text: str) -> dict[str, str]:
    return {"de": text, "en": text}


AGREE = Scale("agree", tuple(ScalePoint(v, t(str(v))) for v in range(1, 6)), dont_know=t("dk"))


def single(qid: str, values, kind: str = "single_choice") -> Question:
    if kind == "yes_no":
        return Question(qid, "yes_no", t(qid))
    return Question(qid, kind, t(qid), options=tuple(Option(v, t(v)) for v in values))


def multiple(qid: str, values) -> Question:
    return Question(qid, "multiple_choice", t(qid), options=tuple(Option(v, t(v)) for v in values))


def scale(qid: str) -> Question:
    return Question(qid, "scale", t(qid), scale=AGREE)


def matrix(qid: str, items) -> Question:
    return Question(qid, "matrix", t(qid), scale=AGREE, items=tuple(Item(i, t(i)) for i in items))


def number(qid: str) -> Question:
    return Question(qid, "number", t(qid), min=0, max=100)


def text(qid: str) -> Question:
    return Question(qid, "long_text", t(qid))


def questionnaire(*questions: Question, qid: str = "test") -> Questionnaire:
    return Questionnaire(qid, f"{qid}.yaml", t(qid), t(""), t(""), None, ("de", "en"),
                         (Page("p1", t("p1"), tuple(questions)),), {"agree": AGREE}, content_hash="h-" + qid)


def responses(rows: list[dict]) -> list[dict]:
    """Responses with ids r0, r1 ... from answer dicts (None values left out)."""
    return [{"id": f"r{i}", "version": "v1", "answers": {k: v for k, v in row.items() if v is not None}}
            for i, row in enumerate(rows)]


def repeat(row: dict, times: int) -> list[dict]:
    return [dict(row) for _ in range(times)]


def random_rows(rng: random.Random, n: int, spec: dict[str, list], missing: float = 0.05,
                skew: float = 1.5) -> list[dict]:
    """n rows with the categorical answers of `spec` drawn with skewed weights."""
    weights = {q: [1 / (i + 1) ** skew for i in range(len(v))] for q, v in spec.items()}
    rows = []
    for _ in range(n):
        row = {}
        for q, values in spec.items():
            if rng.random() >= missing:
                row[q] = rng.choices(values, weights[q])[0]
        rows.append(row)
    return rows
