"""The release plan: which groups, counts and per-question results may be shown (pure).

Everything an evaluator sees is a summary of some group of respondents: all of them (T), the
respondents of one filter or one breakdown group (a cell of a one-way table A), or of a filter
with a breakdown (a cell of a two-way table A x B). Counts of the answers to a grouping question
within a shown group are cells of the same tables (the count of B = b among A = a is the cell
(a, b) of A x B). The plan decides once, for the whole data set, which cells may be shown, so
that no combination of shown views, added and subtracted in any way, says anything about fewer
than `minimum` people (audit.py checks exactly that):

1. T only when at least `minimum` people responded; otherwise nothing.
2. One-way tables (questionnaire order): cells of 1..minimum-1 people are hidden (primary
   suppression), then the next smallest until the hidden cells of the table hold 0 or at least
   `minimum` people (complementary suppression); "no answer" is a cell like any other.
3. Two-way tables (pairs in questionnaire order; not two multiple-choice variables): rows and
   columns whose one-way cell is hidden are hidden; small cells are hidden; then, in every row
   and column, the next smallest until the hidden cells hold 0 or at least `minimum`, repeated
   until nothing changes.
4. The tables are added in that order; one whose cells would make the release unsafe together
   with those already added is left out entirely (its cells hidden as "protecting others").
   The plan depends on the data and `minimum` only, never on which views were asked for.

Per question (`answers`): each question's answers are their own release. A question is shown in
a shown group only where the same plan, computed with the people who answered that question
(for scales: answered on the scale, not "don't know"), shows the group: a derived group of
fewer than `minimum` answerers cannot be obtained from the question's results either.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from survey_app.analysis.breakdown import cells_to_suppress
from survey_app.analysis.disclosure.audit import audit, audit_blocks, block_matrix_and_cells, partition
from survey_app.analysis.disclosure.groups import (
    CATEGORY,
    Condition,
    Variable,
    codes,
    condition_variable,
    grouping_variables,
)
from survey_app.analysis.summaries import Response, raw_answer
from survey_app.definitions.model import Questionnaire
from survey_app.questions.scale import scale_distribution

PLAN_VERSION = 1   # part of the cache key: a new rule gives new plans

# why something is not shown
TOO_FEW = "too_few"          # the group itself has 1 .. minimum-1 people (or answers)
PROTECTS = "protects"        # it has at least `minimum`, but showing it would reveal a smaller one
NOT_OFFERED = "not_offered"  # a combination the plan never shows (e.g. three grouping answers)

TableKey = tuple[int, ...]   # () all respondents, (i,) one variable, (i, j) two with i < j
Cell = tuple[int, ...]       # category index per variable of the table


@dataclass(frozen=True)
class Decision:
    shown: bool
    reason: str | None = None   # TOO_FEW, PROTECTS or NOT_OFFERED when not shown
    n: int | None = None        # the group's size (or answers), only when shown

    def __bool__(self) -> bool:
        return self.shown


@dataclass
class TableRelease:
    key: TableKey
    counts: dict[Cell, int]
    hidden: set[Cell] = field(default_factory=set)
    left_out: bool = False      # the whole table was left out by the audit

    def decision(self, cell: Cell, minimum: int) -> Decision:
        count = self.counts.get(cell, 0)
        if not self.left_out and cell not in self.hidden:
            return Decision(True, None, count)
        return Decision(False, TOO_FEW if 0 < count < minimum else PROTECTS)

    @property
    def shown_cells(self) -> set[Cell]:
        return set() if self.left_out else {c for c in self.counts if c not in self.hidden}


# --------------------------------------------------------------------------- choosing cells

def _cell_ids(table: TableKey, codes_: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    ids = np.zeros(len(codes_), dtype=np.int64)
    for v in table:
        ids = ids * sizes[v] + codes_[:, v]
    return ids


def _cell_of(table: TableKey, cell_id: int, sizes: Sequence[int]) -> Cell:
    out = []
    for v in reversed(table):
        out.append(cell_id % sizes[v])
        cell_id //= sizes[v]
    return tuple(reversed(out))


def _cell_id(table: TableKey, cell: Cell, sizes: Sequence[int]) -> int:
    out = 0
    for v, c in zip(table, cell):
        out = out * sizes[v] + c
    return out


def _counts(table: TableKey, ids: np.ndarray, weights: np.ndarray, sizes: Sequence[int]) -> dict[Cell, int]:
    total = int(np.prod([sizes[v] for v in table])) if table else 1
    counts = np.bincount(ids, weights=weights, minlength=total).astype(np.int64)
    return {_cell_of(table, i, sizes): int(c) for i, c in enumerate(counts)}


def _suppress_two_way(counts: dict[Cell, int], hidden: set[Cell], minimum: int) -> set[Cell]:
    """Complementary suppression in every row and column, repeated until nothing changes.
    Rows and columns that are wholly hidden already (hidden margins) stay so."""
    hidden = set(hidden)
    rows = sorted({c[0] for c in counts})
    cols = sorted({c[1] for c in counts})
    changed = True
    while changed:
        changed = False
        for axis, values in ((0, rows), (1, cols)):
            for value in values:
                line = {c: n for c, n in counts.items() if c[axis] == value}
                new = cells_to_suppress(line, minimum, already_hidden=hidden & set(line))
                if new - hidden:
                    hidden |= new
                    changed = True
    return hidden


def _two_way_candidates(variables: Sequence[Variable], cross_multiple_choice: bool) -> list[TableKey]:
    pairs = []
    for i in range(len(variables)):
        for j in range(i + 1, len(variables)):
            if cross_multiple_choice or variables[i].kind == CATEGORY or variables[j].kind == CATEGORY:
                pairs.append((i, j))
    return pairs


@dataclass(frozen=True)
class Blocks:
    """The blocks of a released set of cells, kept to audit subsets of it with other weights."""
    of_person: np.ndarray                   # block of each person
    matrix: np.ndarray                      # blocks x released cells
    column: dict[tuple[TableKey, int], int]  # (table, cell id) -> column
    representatives: np.ndarray             # one person per block
    gram: np.ndarray                        # matrix^T matrix


def choose(variables: Sequence[Variable], codes_: np.ndarray, weights: np.ndarray, minimum: int,
           allowed: dict[TableKey, set[Cell]] | None = None,
           cross_multiple_choice: bool = False,
           blocks: Blocks | None = None) -> tuple[dict[TableKey, TableRelease], int]:
    """The tables and their shown cells; `allowed` limits the cells that may be shown at all
    (for a question: those the group plan shows; `blocks` then are the group plan's, which are
    fine enough for any subset of its cells). Returns the tables and the audits run."""
    sizes = [len(v.categories) for v in variables]
    weights = np.asarray(weights, dtype=np.int64)
    total = int(weights.sum())
    one_way = [(i,) for i in range(len(variables))]
    two_way = _two_way_candidates(variables, cross_multiple_choice)
    ids = {t: _cell_ids(t, codes_, sizes) for t in [(), *one_way, *two_way]}
    tables = {t: TableRelease(t, _counts(t, ids[t], weights, sizes)) for t in ids}

    def not_allowed(t: TableKey) -> set[Cell]:
        return set() if allowed is None else set(tables[t].counts) - allowed.get(t, set())

    tables[()].hidden = not_allowed(())
    if 0 < total < minimum or tables[()].hidden:
        for release in tables.values():
            release.left_out = True
        return tables, 0

    for t in one_way:
        release = tables[t]
        release.hidden = cells_to_suppress({c: n for c, n in release.counts.items()}, minimum,
                                           already_hidden=not_allowed(t))
    audits = [0]

    def column(t: TableKey) -> np.ndarray:
        hidden_ids = [i for i in range(int(np.prod([sizes[v] for v in t])))
                      if _cell_of(t, i, sizes) in tables[t].hidden]
        out = ids[t].copy()
        out[np.isin(out, hidden_ids)] = -1
        return out

    released = [np.zeros(len(codes_), dtype=np.int64)]   # T
    released_keys: list[TableKey] = [()]
    if blocks is not None:
        block_weights = np.bincount(blocks.of_person, weights=weights, minlength=len(blocks.matrix)).astype(np.int64)

    def safe(columns: list[np.ndarray], keys: list[TableKey] | None = None) -> bool:
        audits[0] += 1
        if blocks is None or keys is None:
            return audit(np.column_stack(columns), weights, minimum).safe
        chosen = sorted(blocks.column[(t, _cell_id(t, cell, sizes))] for t in keys
                        for cell in tables[t].counts if cell not in tables[t].hidden
                        and (t, _cell_id(t, cell, sizes)) in blocks.column)
        return audit_blocks(blocks.matrix[:, chosen], block_weights, blocks.representatives, minimum,
                            gram=blocks.gram[np.ix_(chosen, chosen)]).safe

    def add_in_order(candidates: list[TableKey]) -> None:
        """Add the tables in order, leaving out each one that would make the release unsafe
        together with those before it (found by bisection: the safe prefixes are an interval)."""
        nonlocal released
        candidates = [t for t in candidates if any(n and c not in tables[t].hidden
                                                   for c, n in tables[t].counts.items())]
        pending = [(t, column(t)) for t in candidates]

        def safe_with(prefix) -> bool:
            return safe(released + [c for _, c in prefix], released_keys + [t for t, _ in prefix])

        while pending:
            if safe_with(pending):
                released += [c for _, c in pending]
                released_keys.extend(t for t, _ in pending)
                return
            good, bad = 0, len(pending)          # the first `good` are safe together, `bad` not
            while bad - good > 1:
                middle = (good + bad) // 2
                if safe_with(pending[:middle]):
                    good = middle
                else:
                    bad = middle
            released += [c for _, c in pending[:good]]
            released_keys.extend(t for t, _ in pending[:good])
            tables[pending[good][0]].left_out = True
            pending = pending[good + 1:]

    def suppress_two_way() -> None:
        for t in two_way:
            release = tables[t]
            i, j = t
            rows_shown = tables[(i,)].shown_cells
            cols_shown = tables[(j,)].shown_cells
            hidden = not_allowed(t)
            hidden |= {c for c in release.counts if (c[0],) not in rows_shown or (c[1],) not in cols_shown}
            hidden |= {c for c, n in release.counts.items() if 0 < n < minimum}
            release.hidden = _suppress_two_way(release.counts, hidden, minimum)

    # Everything at once first: when that is safe, adding table by table would keep every
    # table too (each prefix is part of it), so the result is the same, with one audit.
    suppress_two_way()
    everything = [t for t in [*one_way, *two_way]
                  if any(n and c not in tables[t].hidden for c, n in tables[t].counts.items())]
    if safe(released + [column(t) for t in everything], released_keys + everything):
        return tables, audits[0]
    add_in_order(one_way)
    suppress_two_way()
    add_in_order(two_way)
    return tables, audits[0]


# --------------------------------------------------------------------------- answered sets

def answer_sets(questionnaire: Questionnaire, responses: Sequence[Response]) -> dict[tuple[str, str | None], np.ndarray]:
    """Per question (and matrix item) of a non-grouping type: who answered it, as the results
    count it (scales and matrix items: a point of the scale, not "don't know"). Read with the
    summaries' own functions, one distinct stored value at a time, so that validity has one
    definition."""
    out: dict[tuple[str, str | None], np.ndarray] = {}

    def on_scale(question, values) -> np.ndarray:
        verdict: dict[str, bool] = {}
        flags = []
        for value in values:
            key = repr(value)
            if key not in verdict:
                item = scale_distribution(question.scale, [value])
                verdict[key] = item.n - item.dk > 0
            flags.append(verdict[key])
        return np.array(flags, dtype=bool)

    for question in questionnaire.questions():
        if not question.has_answer or question.kind.can_filter:   # no answer, or a grouping question
            continue
        raws = [raw_answer(r, question.id) for r in responses]
        if question.scale is not None and question.kind.items_counted_apart:
            rows = [raw if isinstance(raw, Mapping) else {} for raw in raws]
            for item in question.items:
                out[(question.id, item.id)] = on_scale(question, [row.get(item.id) for row in rows])
        elif question.scale is not None:
            out[(question.id, None)] = on_scale(question, raws)
        else:
            counts = question.kind.counts_answer
            verdict: dict[str, bool] = {}
            flags = []
            for raw in raws:
                if raw is None:
                    flags.append(False)
                    continue
                key = repr(raw)
                if key not in verdict:
                    verdict[key] = counts(question, raw)
                flags.append(verdict[key])
            out[(question.id, None)] = np.array(flags, dtype=bool)
    return out


# --------------------------------------------------------------------------- the plan

class ReleasePlan:
    """What may be shown of one data set at one minimum group size. Ask it, never compute a
    rule of your own:

    * group(filter=..., by=...): may this group's results be shown (and its size)?
    * count(filter=..., by=..., question_id=..., value=...): may the number of people in the
      group who gave this answer to a grouping question be shown (value None: no answer)?
    * answers(question_id, item_id, filter=..., by=...): may the results of this question (or
      matrix item) be shown in this group?

    Conditions are (question id, value): an option of a single-choice or yes/no question, or
    None for its "no answer" group; for a multiple-choice question an option (chose it).
    """

    def __init__(self, questionnaire: Questionnaire, responses: Sequence[Response], minimum: int,
                 *, cross_multiple_choice: bool = False):
        self.questionnaire = questionnaire
        self.minimum = minimum
        self.variables = grouping_variables(questionnaire)
        self._responses = list(responses)
        self._codes = codes(self.variables, self._responses)
        self._cross = cross_multiple_choice
        self.total = len(self._responses)
        self.tables, self.audits = choose(self.variables, self._codes, np.ones(self.total, dtype=np.int64),
                                          minimum, cross_multiple_choice=cross_multiple_choice)
        self._blocks: Blocks | None = None
        self._answer_sets: dict | None = None
        self._question_tables: dict[tuple[str, str | None], dict[TableKey, TableRelease]] = {}
        self._by_answer_set: dict[bytes, dict[TableKey, TableRelease]] = {}
        self._blanked: dict[str, int] | None = None

    # ----------------------------------------------------------- groups and counts
    def _resolve(self, conditions: Iterable[Condition | None]) -> tuple[TableKey, Cell] | None:
        """The table and cell of the group all conditions define; None when it is empty
        (two different answers to the same variable)."""
        chosen: dict[int, int] = {}
        for condition in conditions:
            if condition is None:
                continue
            variable, category = condition_variable(self.variables, condition)
            if chosen.get(variable, category) != category:
                return None
            chosen[variable] = category
        table = tuple(sorted(chosen))
        return table, tuple(chosen[v] for v in table)

    def _decide(self, tables: dict[TableKey, TableRelease], conditions) -> Decision:
        resolved = self._resolve(conditions)
        if resolved is None:
            return Decision(True, None, 0)
        table, cell = resolved
        if table not in tables:
            return Decision(False, NOT_OFFERED)
        return tables[table].decision(cell, self.minimum)

    def group(self, filter: Condition | None = None, by: Condition | None = None) -> Decision:
        return self._decide(self.tables, (filter, by))

    def group_shown(self, filter: Condition | None = None, by: Condition | None = None) -> bool:
        return self.group(filter, by).shown

    def count(self, filter: Condition | None = None, by: Condition | None = None, *,
              question_id: str, value: Any) -> Decision:
        """The count of people in the group (filter and by) with this answer to a grouping
        question. Never shown unless the group is shown."""
        if not self.group(filter, by).shown:
            return Decision(False, self.group(filter, by).reason)
        return self._decide(self.tables, (filter, by, (question_id, value)))

    # ----------------------------------------------------------- per question
    def answers(self, question_id: str, item_id: str | None = None, *,
                filter: Condition | None = None, by: Condition | None = None) -> Decision:
        """May the results of this (non-grouping) question, or matrix item, be shown in the group?
        n is the number of answers that count (scales: on the scale, "don't know" excluded)."""
        group = self.group(filter, by)
        if not group.shown:
            return Decision(False, group.reason)
        return self._decide(self.question_tables(question_id, item_id), (filter, by))

    def question_tables(self, question_id: str, item_id: str | None = None) -> dict[TableKey, TableRelease]:
        key = (question_id, item_id)
        if key not in self._question_tables:
            if self._answer_sets is None:
                self._answer_sets = answer_sets(self.questionnaire, self._responses)
            answered = self._answer_sets[key]
            same = answered.tobytes()       # questions answered by the same people share a plan
            if same not in self._by_answer_set:
                if answered.all():          # answered by everybody: the group plan itself
                    self._by_answer_set[same] = self.tables
                else:
                    allowed = {t: r.shown_cells for t, r in self.tables.items()}
                    self._by_answer_set[same], _ = choose(self.variables, self._codes, answered.astype(np.int64),
                                                          self.minimum, allowed, self._cross, self.blocks())
            self._question_tables[key] = self._by_answer_set[same]
        return self._question_tables[key]

    def prepare(self) -> "ReleasePlan":
        """Compute the plan of every question now (a page asks them all), not when first asked."""
        if self._answer_sets is None:
            self._answer_sets = answer_sets(self.questionnaire, self._responses)
        for key in self._answer_sets:
            self.question_tables(*key)
        return self

    def blanked(self, compute: bool = True) -> dict[str, int] | None:
        """Per column of the response-level files of these responses: values blanked for
        k-anonymity (microdata.k_anonymous; the same for every format and every download of
        this state). Computed once (it takes longer than a page may: the background does it
        after the plan); with `compute` False, None until then."""
        if self._blanked is None and compute:
            from survey_app.analysis.disclosure.microdata import k_anonymous

            self._blanked = k_anonymous(self.questionnaire, self._responses, self.minimum).note
        return self._blanked

    def know_blanked(self, blanked: dict[str, int]) -> None:
        """The blanking a response file of this state found (so the page can say it)."""
        self._blanked = dict(blanked)

    @property
    def questions_ready(self) -> bool:
        """Is the plan of every question computed (prepare)?"""
        return self._answer_sets is not None and all(key in self._question_tables for key in self._answer_sets)

    def blocks(self) -> Blocks:
        """The blocks of everything the group plan shows (for the per-question audits)."""
        if self._blocks is None:
            sizes = [len(v.categories) for v in self.variables]
            keys, columns = [], []
            for key, release in self.tables.items():
                shown = release.shown_cells
                if not shown:
                    continue
                ids = _cell_ids(key, self._codes, sizes)
                shown_ids = [i for i in np.unique(ids) if _cell_of(key, int(i), sizes) in shown]
                keys.append(key)
                columns.append(np.where(np.isin(ids, shown_ids), ids, -1))
            memberships = np.column_stack(columns) if columns else np.zeros((self.total, 0), dtype=np.int64)
            of_person, first = partition(memberships)
            matrix, cells = block_matrix_and_cells(memberships[first])
            column = {(keys[t], cell): index for index, (t, cell) in enumerate(cells)}
            self._blocks = Blocks(of_person, matrix, column, first, matrix.T @ matrix)
        return self._blocks

    # ----------------------------------------------------------- overview
    def share_shown(self, tables: Callable[[TableKey], bool] = lambda t: True) -> tuple[int, int]:
        """(shown, non-empty) cells over the tables selected; for reports and benchmarks."""
        shown = total = 0
        for key, release in self.tables.items():
            if not tables(key):
                continue
            for cell, n in release.counts.items():
                if n:
                    total += 1
                    shown += cell in release.shown_cells
        return shown, total


def release_plan(questionnaire: Questionnaire, responses: Sequence[Response], minimum: int) -> ReleasePlan:
    return ReleasePlan(questionnaire, responses, minimum)


def plan_key(survey_id: str, questionnaire: Questionnaire, responses: Sequence[Response], minimum: int) -> str:
    """A key for caching a plan per data state: the same survey, definition, minimum and
    responses (ids and answers) give the same key; any change gives another."""
    digest = hashlib.sha256()
    digest.update(json.dumps([PLAN_VERSION, survey_id, questionnaire.content_hash, minimum]).encode())
    for response in responses:
        digest.update(json.dumps([response.get("id"), response.get("answers")], sort_keys=True,
                                 default=str).encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- one grouping

def grouping_release(groups: Sequence[Any], categories: Sequence[Any], answered: Mapping[Any, Sequence[bool]],
                     minimum: int) -> dict[Any, frozenset]:
    """One plan for people in one grouping only (a workshop's participants by organisation
    type) who answer several things (each poll round: its voters). `groups`: each person's
    category (one of `categories`; anything else counts as the last, "not given");
    `answered`: per answer set, who answered. Returns per answer set the categories whose
    results may be shown: first the plan of the grouping over everybody (a category of 1 to
    minimum-1 people is hidden everywhere, with the next smallest), then per answer set the
    same plan with its answerers, within the categories shown for everybody, so that no
    combination of answer sets (two rounds of a poll, two polls) gives a group under k."""
    categories = tuple(categories)
    index = {c: i for i, c in enumerate(categories)}
    variable = Variable(CATEGORY, None, categories=categories)   # type: ignore[arg-type]  (no question)
    codes_ = np.array([[index.get(g, len(categories) - 1)] for g in groups], dtype=np.int64).reshape(-1, 1)
    everybody, _ = choose([variable], codes_, np.ones(len(codes_), dtype=np.int64), minimum)
    allowed = {t: r.shown_cells for t, r in everybody.items()}
    out = {}
    for key, who in answered.items():
        weights = np.asarray(who, dtype=np.int64)
        tables, _ = choose([variable], codes_, weights, minimum, allowed)
        out[key] = frozenset(categories[cell[0]] for cell in tables[(0,)].shown_cells if tables[(0,)].counts[cell])
    return out
