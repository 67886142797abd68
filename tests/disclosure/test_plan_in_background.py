"""Right after a submission: the release plan of the new state is computed in the background,
and a results page that cannot wait for it shows the last planned state, with exactly its
responses and a note, never new data under an old plan (issue 10, timing)."""
from __future__ import annotations

import threading

from conftest import PASSWORD, login, make_app
from disclosure.data import questionnaire, repeat, responses, scale, single
from survey_app.analysis.disclosure.cache import PlanKeeper
from survey_app.analysis.disclosure.plan import ReleasePlan
from survey_app.fieldings.drafts import build_response
from survey_app.fieldings.fielding import add_fielding
from survey_app.web.auth import create_user
from survey_app.web.catalogue import get_questionnaire
from survey_app.web.db import get_store

K = 5
TEAM = questionnaire(single("region", ["north", "south"]), scale("sat"), qid="team")


class SlowPlans:
    """Plans that are computed only when the test lets them (as a large survey's take seconds)."""

    def __init__(self):
        self.go = threading.Event()
        self.go.set()
        self.computed = []

    def __call__(self, q, rs, minimum):
        self.go.wait(10)
        self.computed.append(len(rs))
        return ReleasePlan(q, rs, minimum)


def team(n_north: int, n_south: int):
    return responses(repeat({"region": "north", "sat": 4}, n_north) + repeat({"region": "south", "sat": 2}, n_south))


def test_a_page_that_cannot_wait_shows_the_last_planned_state_with_its_own_responses():
    slow = SlowPlans()
    keeper = PlanKeeper(compute=slow)
    before = team(6, 5)
    planned = keeper.shown_plan("s", TEAM, before, K, wait=30)
    assert planned.pending == 0 and planned.plan.total == 11 and planned.responses == before

    slow.go.clear()                                      # the new state's plan takes a while
    after = before + responses(repeat({"region": "south", "sat": 5}, 12))[11:]   # one new response
    assert len(after) == 12
    planned = keeper.shown_plan("s", TEAM, after, K, wait=0.05)
    assert planned.pending == 1
    assert planned.plan.total == len(planned.responses) == 11       # the old plan with the old data
    assert [r["id"] for r in planned.responses] == [r["id"] for r in before]

    slow.go.set()                                        # ready: the new state with its own plan
    planned = keeper.shown_plan("s", TEAM, after, K, wait=30)
    assert planned.pending == 0 and planned.plan.total == 12 and planned.responses == after


def test_no_old_state_after_an_exclusion_or_a_raised_minimum():
    slow = SlowPlans()
    keeper = PlanKeeper(compute=slow)
    rs = team(6, 6)
    keeper.shown_plan("s", TEAM, rs, K, wait=30)
    slow.go.clear()
    threading.Timer(0.2, slow.go.set).start()
    # one response excluded: the old state holds a response that no longer counts, so the page waits
    planned = keeper.shown_plan("s", TEAM, rs[1:], K, wait=0.01)
    assert planned.pending == 0 and planned.plan.total == 11
    slow.go.clear()
    threading.Timer(0.2, slow.go.set).start()
    planned = keeper.shown_plan("s", TEAM, rs, K + 1, wait=0.01)  # another minimum: never the old plan
    assert planned.pending == 0 and planned.plan.minimum == K + 1


def test_a_submission_computes_the_plan_in_the_background_once_for_a_burst():
    slow = SlowPlans()
    keeper = PlanKeeper(compute=slow)
    rs = team(6, 6)
    keeper.refresh("s", lambda: (TEAM, rs, K))      # nobody looked at the results yet: no work
    keeper.plan("s", TEAM, rs[:9], K)               # an evaluator looked
    assert slow.computed == [9]
    slow.computed.clear()
    slow.go.clear()
    loads = []

    def load(n):
        def read():
            loads.append(n)
            return TEAM, rs[:n], K
        return read

    keeper.refresh("s", load(10))
    for n in (11, 12):       # arrive while the first is computed: read together afterwards
        keeper.refresh("s", load(n))
    slow.go.set()
    planned = keeper.shown_plan("s", TEAM, rs, K, wait=30)
    assert planned.plan.total == 12 and planned.pending == 0
    assert loads == [10, 12] and sorted(slow.computed) == [10, 12]   # each state once
    assert keeper.plan("s", TEAM, rs, K).questions_ready     # every question's part done in the background


def test_the_results_page_says_new_responses_are_being_included(tmp_path):
    from survey_app.analysis.disclosure import cache

    app = make_app(tmp_path, RELEASE_PLAN_WAIT=0.05)
    with app.app_context():
        create_user("evaluator", PASSWORD, "evaluator")
        store = get_store()
        fielding = add_fielding(store, "staff-self-assessment", label="timing", status="open")
        staff = get_questionnaire("staff-self-assessment")
        for _ in range(6):
            store.add_response(fielding.id, build_response(fielding, staff, {"language": "de", "answers": {}}))
    client = app.test_client()
    login(client, "evaluator")
    assert b"pending-notice" not in client.get(f"/results/{fielding.id}").data
    slow = SlowPlans()
    real, cache._keeper._compute = cache._keeper._compute, slow
    try:
        slow.go.clear()
        with app.app_context():
            store.add_response(fielding.id, build_response(fielding, staff, {"language": "de", "answers": {}}))
        page = client.get(f"/results/{fielding.id}").get_data(as_text=True)
        assert 'id="pending-notice"' in page and "Antworten: n = 6" in page
        slow.go.set()
        for _ in range(100):     # the plan is being finished in the background
            page = client.get(f"/results/{fielding.id}").get_data(as_text=True)
            if 'id="pending-notice"' not in page:
                break
        assert 'id="pending-notice"' not in page and "Antworten: n = 7" in page
    finally:
        slow.go.set()
        cache._keeper._compute = real
