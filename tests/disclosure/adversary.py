"""An evaluator who combines every view the results offer, written independently of the plan.

It reads the raw answers itself (which option, which options chosen, answered or not), lists
every view the UI offers (all respondents; each filter; each breakdown; each filter with each
breakdown), asks the plan what each view shows, and writes everything shown as linear
equations over the atoms (the combinations of grouping answers that occur):

* a shown group: its members (its results are sums over them);
* a shown count of a grouping answer within a shown group: the people counted;
* a question shown in a group: the members who answered it (its own system of equations).

Then it tries to find a group of fewer than k people in their span with numpy least squares:
every atom, every cell of every sub-table over one to three grouping variables, random small
unions, and differences of two small groups ("p minus q"). For tiny data it also decides the
question exactly with fractions: is any non-zero combination supported on fewer than k people?
"""
from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np

from survey_app.definitions.model import DONT_KNOW

GROUPING = ("single_choice", "yes_no")
COUNT_FIELDS = ("n", "dont_know", "missing", "invalid")   # released counts of a question in a group


# --------------------------------------------------------------------------- reading answers

def _options(q):
    return ["yes", "no"] if q.type == "yes_no" else [o.value for o in q.options]


def grouping_columns(questionnaire, responses):
    """name -> list of values per response, read independently: single choice and yes/no as the
    option (None otherwise); multiple choice as one True/False column per option and one for
    'chose any known option'."""
    cols = {}
    for q in questionnaire.questions():
        raws = [r.get("answers", {}).get(q.id) for r in responses]
        if q.type in GROUPING:
            cols[q.id] = [v if isinstance(v, str) and v in _options(q) else None for v in raws]
        elif q.type == "multiple_choice":
            known = _options(q)
            chosen = [set(v) & set(known) if isinstance(v, list) else set() for v in raws]
            for o in known:
                cols[f"{q.id}={o}"] = [o in c for c in chosen]
            cols[f"{q.id}?"] = [bool(c) for c in chosen]
    return cols


def answered(question, response, item=None):
    raw = response.get("answers", {}).get(question.id)
    if question.type == "matrix":
        raw = raw.get(item) if isinstance(raw, dict) else None
    if question.type in ("scale", "matrix"):
        return isinstance(raw, int) and not isinstance(raw, bool) and raw in question.scale.values and raw != DONT_KNOW
    if question.type == "number":
        return isinstance(raw, (int, float)) and not isinstance(raw, bool)
    if question.type in ("short_text", "long_text"):
        return isinstance(raw, str) and bool(raw.strip())
    return raw not in (None, "", [], {})


# --------------------------------------------------------------------------- the views

def views(questionnaire):
    """(filter, by) of every view the UI offers."""
    filters = [None]
    breakdowns = [None]
    for q in questionnaire.questions():
        if q.type in GROUPING:
            filters += [(q.id, v) for v in _options(q)]
            breakdowns.append(q)
        elif q.type == "multiple_choice":
            filters += [(q.id, v) for v in _options(q)]
    return [(f, b) for f in filters for b in breakdowns]


def members_of(questionnaire, responses, cols, *conditions):
    """The people (indices) every (question id, value) condition holds for, read independently."""
    n = len(responses)
    out = set(range(n))
    for c in conditions:
        if c is None:
            continue
        qid, value = c
        q = questionnaire.question(qid)
        if q.type in GROUPING:
            out &= {i for i in range(n) if cols[qid][i] == value}
        elif value is None:
            out &= {i for i in range(n) if not cols[f"{qid}?"][i]}
        else:
            out &= {i for i in range(n) if cols[f"{qid}={value}"][i]}
    return frozenset(out)


def counted_keys(questionnaire):
    """(question, item) of every non-grouping question with results (matrix: per item)."""
    questions = [q for q in questionnaire.questions() if q.type not in (*GROUPING, "multiple_choice", "note")]
    return [(q, item.id) for q in questions if q.type == "matrix" for item in q.items] + \
           [(q, None) for q in questions if q.type != "matrix"]


def released(plan, questionnaire, responses):
    """Everything the views show: lists of member sets (index tuples over responses)."""
    cols = grouping_columns(questionnaire, responses)

    def members(*conditions):
        return members_of(questionnaire, responses, cols, *conditions)

    groups, counts, per_question = set(), set(), {}
    keys = counted_keys(questionnaire)
    for f, by in views(questionnaire):
        shown_groups = []
        if plan.group(filter=f).shown:
            shown_groups.append((f, None))
        if by is not None:
            for value in [*_options(by), None]:
                if plan.group(filter=f, by=(by.id, value)).shown:
                    shown_groups.append((f, (by.id, value)))
        for gf, gb in shown_groups:
            g = members(gf, gb)
            groups.add(g)
            for q in questionnaire.questions():
                if q.type in GROUPING or q.type == "multiple_choice":
                    for value in [*_options(q), None]:
                        if plan.count(filter=gf, by=gb, question_id=q.id, value=value).shown:
                            counts.add(g & members((q.id, value)))
            for q, item in keys:
                if plan.answers(q.id, item, filter=gf, by=gb).shown:
                    who = frozenset(i for i in g if answered(q, responses[i], item))
                    per_question.setdefault((q.id, item), set()).add(who)
    return groups, counts, per_question


def released_by_documents(documents, questionnaire, responses):
    """What aggregate documents (aggregates.json of the real route, one per view) show, as the
    same member sets: `documents` is a list of (filter, by, document)."""
    cols = grouping_columns(questionnaire, responses)

    def members(*conditions):
        return members_of(questionnaire, responses, cols, *conditions)

    groups, counts, per_question = set(), set(), {}

    def record_sets(record, g):
        q = questionnaire.question(record["question"])
        # n answered, "don't know", missing and invalid are counts over the group too (also in
        # a record marked suppressed): sums of an attribute over its members, so the group
        # itself is released and must be safe; a matrix line's counts are over its answerers
        if any(record.get(name) is not None for name in COUNT_FIELDS):
            counts.add(g)
        for item in record.get("items", []):
            if any(item.get(name) is not None for name in COUNT_FIELDS):
                counts.add(g)
        if record.get("suppressed"):
            return
        if q.type in GROUPING or q.type == "multiple_choice":
            for option in record.get("options", []):
                if option.get("count") is not None:
                    counts.add(g & members((q.id, option["value"])))
            if record.get("n") is not None:
                counts.add(g - members((q.id, None)))
            return
        if q.type == "note":
            return
        if q.type == "matrix":
            for item in record.get("items", []):
                if item.get("n") is not None:
                    who = frozenset(i for i in g if answered(q, responses[i], item["item"]))
                    per_question.setdefault((q.id, item["item"]), set()).add(who)
        elif record.get("n") is not None:
            who = frozenset(i for i in g if answered(q, responses[i]))
            per_question.setdefault((q.id, None), set()).add(who)

    for f, by, document in documents:
        if not document["shown"]:
            continue
        g = members(f)
        groups.add(g)
        if document.get("n") is not None:
            counts.add(g)
        for record in document["questions"]:
            record_sets(record, g)
            for group in record.get("groups", []):
                if group["size"] is None:
                    assert group["suppressed"]
                    continue
                sub = g & members((by, group["group"]))
                groups.add(sub)
                if group["suppressed"] and group.get("summary"):   # counts of a hidden group: a leak
                    record_sets({**group["summary"], "question": record["question"], "suppressed": True}, sub)
                if not group["suppressed"]:
                    record_sets({**group["summary"], "question": record["question"]}, sub)
    return groups, counts, per_question


# --------------------------------------------------------------------------- the span

def atoms_of(questionnaire, responses, people=None):
    cols = grouping_columns(questionnaire, responses)
    people = range(len(responses)) if people is None else people
    atoms = {}
    for i in people:
        atoms.setdefault(tuple(cols[c][i] for c in cols), []).append(i)
    return list(atoms.values())


def equations(sets, atoms):
    index = {p: a for a, members in enumerate(atoms) for p in members}
    rows = []
    for s in sets:
        row = np.zeros(len(atoms))
        for p in s:
            if p in index:
                row[index[p]] = 1
        # a shown set is a union of atoms; a partial atom would mean the adversary misread
        rows.append(row)
    return np.array(rows) if rows else np.zeros((0, len(atoms)))


def in_span(matrix, vector) -> bool:
    return bool(spanned(matrix, [vector])[0])


def spanned(matrix, vectors) -> np.ndarray:
    """For each vector: is it a non-zero combination of the rows of matrix? (least squares
    through an orthonormal basis of the row space)"""
    if len(matrix) == 0 or not len(vectors):
        return np.zeros(len(vectors), dtype=bool)
    vectors = np.array(vectors, dtype=float)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[singular > 1e-9 * singular[0]] if singular.size and singular[0] > 0 else vt[:0]
    residual = vectors - (vectors @ basis.T) @ basis
    return (np.abs(residual).max(axis=1) < 1e-6) & (np.abs(vectors).max(axis=1) > 0)


def small_groups(questionnaire, responses, atoms, k, rng, people=None, unions=200):
    """Vectors over atoms of groups with 1..k-1 people: atoms, sub-table cells over one to
    three grouping variables, random unions of small atoms, differences of two small groups."""
    cols = grouping_columns(questionnaire, responses)
    names = list(cols)
    people = set(range(len(responses))) if people is None else set(people)
    sizes = np.array([len(a) for a in atoms])
    out = []
    for a, size in enumerate(sizes):
        if size < k:
            v = np.zeros(len(atoms))
            v[a] = 1
            out.append(v)
    atom_of = {p: a for a, members in enumerate(atoms) for p in members}
    for r in (1, 2, 3):
        combos = list(itertools.combinations(names, r))
        if len(combos) > 400:
            combos = rng.sample(combos, 400)
        for combo in combos:
            cells = {}
            for p in people:
                cells.setdefault(tuple(cols[c][p] for c in combo), set()).add(atom_of[p])
            for cell_atoms in cells.values():
                weight = sizes[list(cell_atoms)].sum()
                if 0 < weight < k:
                    v = np.zeros(len(atoms))
                    v[list(cell_atoms)] = 1
                    out.append(v)
    small = [a for a in range(len(atoms)) if sizes[a] < k]
    for _ in range(unions):
        if not small:
            break
        pick = rng.sample(small, min(len(small), rng.randint(1, k - 1)))
        while pick and sizes[pick].sum() >= k:
            pick.pop()
        if pick:
            v = np.zeros(len(atoms))
            v[pick] = 1
            out.append(v)
    # p minus q: where two people answered differently it shows both of their answers
    for _ in range(unions):
        if len(small) < 2:
            break
        a, b = rng.sample(small, 2)
        if sizes[a] + sizes[b] < k:
            v = np.zeros(len(atoms))
            v[a], v[b] = 1, -1
            out.append(v)
    return out


def leaks(plan, questionnaire, responses, k, seed=0, unions=200):
    """Descriptions of every small group the adversary could compute; empty when none."""
    return leaks_in(released(plan, questionnaire, responses), questionnaire, responses, k, seed, unions)


def leaks_in(shown, questionnaire, responses, k, seed=0, unions=200):
    """The same for released sets (groups, counts, per question), however they were collected."""
    rng = random.Random(seed)
    groups, counts, per_question = shown
    found = []
    atoms = atoms_of(questionnaire, responses)
    matrix = equations(groups | counts, atoms)
    candidates = small_groups(questionnaire, responses, atoms, k, rng, unions=unions)
    for v, hit in zip(candidates, spanned(matrix, candidates)):
        if hit:
            found.append(("groups", [atoms[a] for a in np.flatnonzero(v)]))
    for (qid, item), sets in per_question.items():
        q = questionnaire.question(qid)
        who = [i for i in range(len(responses)) if answered(q, responses[i], item)]
        q_atoms = atoms_of(questionnaire, responses, who)
        q_matrix = equations(sets, q_atoms)
        candidates = small_groups(questionnaire, responses, q_atoms, k, rng, people=who, unions=unions // 4)
        for v, hit in zip(candidates, spanned(q_matrix, candidates)):
            if hit:
                found.append((qid, item, [q_atoms[a] for a in np.flatnonzero(v)]))
    return found


# --------------------------------------------------------------------------- exact, for tiny data

def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows if any(r)]
    rank, col = 0, 0
    width = len(rows[0]) if rows else 0
    while rank < len(rows) and col < width:
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            col += 1
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank])]
        rank += 1
        col += 1
    return rank


def exact_smallest_support(sets, people, k):
    """With fractions: people, fewer than k, on whom some non-zero combination of the shown sets
    lives (None when there are none). People in exactly the same sets are taken together (any
    combination is equal on them). Only for a handful of people."""
    people = list(people)
    sets = [s for s in sets if s]
    if not sets:
        return None
    blocks = {}
    for p in people:
        blocks.setdefault(tuple(p in s for s in sets), []).append(p)
    members = [m for pattern, m in blocks.items() if any(pattern)]
    patterns = [pattern for pattern in blocks if any(pattern)]
    matrix = [[Fraction(int(pattern[i])) for pattern in patterns] for i in range(len(sets))]
    full = _rank(matrix)
    light = [j for j, m in enumerate(members) if len(m) < k]
    for size in range(1, k):
        for support in itertools.combinations(light, size):
            if sum(len(members[j]) for j in support) >= k:
                continue
            rest = [[row[j] for j in range(len(patterns)) if j not in support] for row in matrix]
            if _rank(rest) < full:
                return [p for j in support for p in members[j]]
    return None
