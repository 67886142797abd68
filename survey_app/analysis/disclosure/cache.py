"""One release plan per data state, kept while the data stay the same (pure).

A plan depends only on the survey, its definition, the minimum and the counted responses.
Computing it takes longer than a results page may, so pages, downloads, the report,
comparisons and triangulation share one plan per data state; a new response, an excluded one
(or one counted again), another definition version or a raised minimum gives a new state and
a new plan. A few plans are kept (the most recently used), so several surveys opened in turn do
not push each other out.

The state is read from the response ids (`state_key`), not from every answer (plan.plan_key,
which hashes all answers, takes half a second for 10,000 responses): a stored response's answers
never change (Responses.change_response is used only to mark an exclusion, which changes the
ids counted). """
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import hashlib
import json

from survey_app.analysis.disclosure.plan import PLAN_VERSION, ReleasePlan
from survey_app.analysis.summaries import Response
from survey_app.definitions.model import Questionnaire

KEPT = 8

_plans: OrderedDict[str, ReleasePlan] = OrderedDict()
_lock = threading.Lock()


def cached_plan(survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
                minimum: int) -> ReleasePlan:
    """The release plan of these responses at this minimum (computed once per data state)."""
    key = state_key(survey_id, questionnaire, responses, minimum)
    with _lock:
        plan = _plans.get(key)
        if plan is not None:
            _plans.move_to_end(key)
            return plan
    plan = ReleasePlan(questionnaire, responses, minimum)
    with _lock:
        _plans[key] = plan
        while len(_plans) > KEPT:
            _plans.popitem(last=False)
    return plan


def state_key(survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response], minimum: int) -> str:
    """The data state a plan belongs to: survey, definition version, minimum, the counted ids."""
    digest = hashlib.sha256(json.dumps([PLAN_VERSION, survey_id, questionnaire.content_hash, minimum,
                                        len(responses)]).encode())
    digest.update("\n".join(str(r.get("id")) for r in responses).encode())
    return digest.hexdigest()
