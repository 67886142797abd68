"""The last step of an import: the result is checked as any definition is, and a condition
the checker still refuses is taken off (and reported), so that every import loads."""
from __future__ import annotations

import re

from survey_app.definitions.imports import N_
from survey_app.definitions.loader import ERROR

MAX_ROUNDS = 3


def repair(conv, definition: dict) -> None:
    from survey_app.definitions.questionnaire import parse_definition

    for _ in range(MAX_ROUNDS):
        _questionnaire, problems = parse_definition(definition, conv.source)
        failing = [p for p in problems if p.severity == ERROR and p.message.startswith("show_if")]
        if not failing:
            return
        for problem in failing:
            match = re.match(r'(question|page) "([^"]+)"', problem.location)
            if not match:
                continue
            kind, ident = match.groups()
            for page in definition["pages"]:
                targets = [page] if kind == "page" and page["id"] == ident else \
                    [q for q in page["questions"] if q["id"] == ident] if kind == "question" else []
                for target in targets:
                    if target.pop("show_if", None) is not None:
                        conv.note(N_("%(what)s %(id)s"), N_("its condition does not pass the check (%(reason)s); "
                                                            "shown always"), "dropped", what=kind, id=ident,
                                  reason=problem.message[:160])
