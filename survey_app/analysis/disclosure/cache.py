"""One release plan per data state, kept while the data stay the same (pure).

A plan depends only on the survey, its definition, the minimum and the counted responses
(plan.plan_key). Computing it takes longer than a results page may, so pages, downloads, the
report, comparisons and triangulation share one plan per key; a changed response, a new one,
an excluded one or a raised minimum gives a new key and a new plan. A few plans are kept
(the most recently used), so several surveys opened in turn do not push each other out.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from survey_app.analysis.disclosure.plan import ReleasePlan, plan_key
from survey_app.analysis.summaries import Response
from survey_app.definitions.model import Questionnaire

KEPT = 8

_plans: OrderedDict[str, ReleasePlan] = OrderedDict()
_lock = threading.Lock()


def cached_plan(survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
                minimum: int) -> ReleasePlan:
    """The release plan of these responses at this minimum (computed once per data state)."""
    key = plan_key(survey_id, questionnaire, responses, minimum)
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
