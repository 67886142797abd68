"""One release plan per data state, computed once, in the background after a submission (pure).

A plan depends only on the survey, its definition, the minimum and the counted responses.
Computing it takes longer than a results page may (seconds for 10,000 responses), so:

* pages, downloads, the report, comparisons and triangulation share one plan per data state
  (`cached_plan`); a new response, an excluded one (or one counted again), another definition
  version or a raised minimum gives a new state and a new plan. A few plans are kept (the most
  recently used), so several surveys opened in turn do not push each other out;
* right after a submission to a survey whose results were looked at, the plan of the new
  state is computed in a background thread (`refresh`), every per-question part included (`ReleasePlan.prepare`), so that the next
  page finds it ready; then, unless newer responses wait, how many values the response-level
  files blank for k-anonymity (`ReleasePlan.blanked`, for the page's note);
* a results page that finds the plan of its state not ready within `wait` seconds may show the
  findings of the last planned state instead (`shown_plan`): the plan together with exactly the
  responses it was made for, and how many newer responses are still being included. Never new
  data under an old plan, and only when the old state is the new one minus responses that
  arrived since (same definition, same minimum, no response excluded since).

The state is read from the response ids (`state_key`), not from every answer (plan.plan_key,
which hashes all answers, takes half a second for 10,000 responses): a stored response's answers
never change (Responses.change_response is used only to mark an exclusion, which changes the
ids counted). """
from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from survey_app.analysis.disclosure.plan import PLAN_VERSION, ReleasePlan
from survey_app.analysis.summaries import Response
from survey_app.definitions.model import Questionnaire

KEPT = 8

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    """A plan of one data state: ready once `done` is set (`plan` None: its computation failed)."""
    survey_id: str
    content_hash: str
    minimum: int
    ids: frozenset
    done: threading.Event = field(default_factory=threading.Event)
    plan: ReleasePlan | None = None


@dataclass(frozen=True)
class Planned:
    """The plan a page shows, the responses it was made for (the counted ones, or those of the
    last planned state) and how many counted responses it does not include yet."""
    plan: ReleasePlan
    responses: list
    pending: int = 0


class PlanKeeper:
    """The plans of recent data states of every survey, and their background computation."""

    def __init__(self, kept: int = KEPT, compute: Callable[..., ReleasePlan] = ReleasePlan):
        self.kept = kept
        self._compute = compute
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._refreshing: dict[str, Callable[[], tuple] | None] = {}   # survey id -> next state to load

    # ----------------------------------------------------------- one state
    def _entry(self, survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
               minimum: int) -> tuple[_Entry, bool]:
        """The entry of this state and whether the caller must compute it."""
        key = state_key(survey_id, questionnaire, responses, minimum)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (entry.plan is not None or not entry.done.is_set()):
                self._entries.move_to_end(key)
                return entry, False
            entry = _Entry(survey_id, questionnaire.content_hash, minimum,
                           frozenset(str(r.get("id")) for r in responses))
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)
            return entry, True

    def _fill(self, entry: _Entry, questionnaire: Questionnaire, responses: Sequence[Response],
              minimum: int, prepare: bool) -> None:
        try:
            plan = self._compute(questionnaire, list(responses), minimum)
            if prepare:
                plan.prepare()
            entry.plan = plan
        finally:
            entry.done.set()

    def plan(self, survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
             minimum: int) -> ReleasePlan:
        """The plan of exactly this state: kept, being computed (then waited for) or computed now."""
        entry, mine = self._entry(survey_id, questionnaire, responses, minimum)
        if mine:
            self._fill(entry, questionnaire, responses, minimum, prepare=False)
        entry.done.wait()
        if entry.plan is None:          # the background computation failed: try here, errors show
            entry, _ = self._entry(survey_id, questionnaire, responses, minimum)
            self._fill(entry, questionnaire, responses, minimum, prepare=False)
        return entry.plan

    # ----------------------------------------------------------- in the background
    def start(self, survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
              minimum: int) -> _Entry:
        """Compute the plan of this state in a background thread (unless kept or under way)."""
        entry, mine = self._entry(survey_id, questionnaire, responses, minimum)
        if mine:
            threading.Thread(target=self._fill_logged, args=(entry, questionnaire, list(responses), minimum),
                             name=f"release-plan-{survey_id}", daemon=True).start()
        return entry

    def _fill_logged(self, entry: _Entry, questionnaire: Questionnaire, responses, minimum: int) -> None:
        try:
            self._fill(entry, questionnaire, responses, minimum, prepare=True)
        except Exception:   # the page that waits for it computes it again, and shows the error
            log.exception("release plan of survey %s in the background", entry.survey_id)

    def refresh(self, survey_id: str, load: Callable[[], tuple[Questionnaire, Sequence[Response], int]]) -> None:
        """After a submission: in a background thread, read the survey's state with `load()`
        (questionnaire, counted responses, minimum) and compute its plan. Submissions that
        arrive meanwhile are read together in one more round, not one thread each. Only for
        a survey whose results were looked at here (a plan of it is kept): no work for surveys
        nobody reads."""
        with self._lock:
            if not any(entry.survey_id == survey_id for entry in self._entries.values()):
                return
            if survey_id in self._refreshing:
                self._refreshing[survey_id] = load
                return
            self._refreshing[survey_id] = None
        threading.Thread(target=self._refresh_loop, args=(survey_id, load),
                         name=f"release-plan-refresh-{survey_id}", daemon=True).start()

    def _refresh_loop(self, survey_id: str, load) -> None:
        entry = None
        while load is not None:
            try:
                questionnaire, responses, minimum = load()
                entry, mine = self._entry(survey_id, questionnaire, responses, minimum)
                if mine:
                    self._fill(entry, questionnaire, responses, minimum, prepare=True)
            except Exception:   # a page computes it again and shows the error where it belongs
                log.exception("release plan of survey %s in the background", survey_id)
            with self._lock:
                load = self._refreshing.get(survey_id)
                self._refreshing[survey_id] = None     # taken (still running: newer ones wait here)
            if load is None:      # nothing newer: what the response files blank, for the page
                try:
                    if entry is not None and entry.plan is not None:
                        entry.plan.blanked()
                except Exception:
                    log.exception("microdata of survey %s in the background", survey_id)
                with self._lock:
                    load = self._refreshing.get(survey_id)
                    if load is None:
                        self._refreshing.pop(survey_id, None)
                    else:
                        self._refreshing[survey_id] = None

    def shown_plan(self, survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
                   minimum: int, wait: float) -> Planned:
        """What a results page shows: the plan of this state when it is ready within `wait`
        seconds (its computation starts in the background if needed), else the last planned
        state that is this one minus newer responses, with exactly its responses; with no such
        state, the plan of this state, however long it takes."""
        responses = list(responses)
        entry = self.start(survey_id, questionnaire, responses, minimum)
        if entry.done.wait(wait) and entry.plan is not None:
            return Planned(entry.plan, responses)
        ids = [str(r.get("id")) for r in responses]
        present = set(ids)
        with self._lock:
            older = [e for e in reversed(self._entries.values())
                     if e is not entry and e.plan is not None and e.survey_id == survey_id
                     and e.content_hash == questionnaire.content_hash and e.minimum == minimum
                     and e.ids <= present]
        if older:
            best = max(older, key=lambda e: len(e.ids))
            return Planned(best.plan, [r for r, i in zip(responses, ids) if i in best.ids],
                           len(responses) - len(best.ids))
        return Planned(self.plan(survey_id, questionnaire, responses, minimum), responses)


_keeper = PlanKeeper()


def keeper() -> PlanKeeper:
    """The plans of this process."""
    return _keeper


def cached_plan(survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response],
                minimum: int) -> ReleasePlan:
    """The release plan of these responses at this minimum (computed once per data state)."""
    return _keeper.plan(survey_id, questionnaire, responses, minimum)


def state_key(survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response], minimum: int) -> str:
    """The data state a plan belongs to: survey, definition version, minimum, the counted ids."""
    digest = hashlib.sha256(json.dumps([PLAN_VERSION, survey_id, questionnaire.content_hash, minimum,
                                        len(responses)]).encode())
    digest.update("\n".join(str(r.get("id")) for r in responses).encode())
    return digest.hexdigest()
