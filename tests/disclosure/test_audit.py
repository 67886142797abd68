"""The exact audit against an independent check with fractions, on hand-made and random releases."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disclosure.adversary import exact_smallest_support
from survey_app.analysis.disclosure.audit import audit


def sets_of(memberships):
    """The released groups as sets of people (one per released cell of each table)."""
    out = []
    for column in memberships.T:
        for cell in set(column.tolist()) - {-1}:
            out.append(frozenset(np.flatnonzero(column == cell).tolist()))
    return out


def test_all_minus_north_minus_south():
    region = np.array([0] * 8 + [1] * 7 + [2])           # north, south, west (1 person)
    everyone = np.zeros(16, dtype=int)
    shown = np.where(region == 2, -1, region)             # west hidden, north and south shown
    result = audit(np.column_stack([everyone, shown]), np.ones(16), 5)
    assert not result.safe and result.witness == (15,)
    safer = np.where(region == 0, 0, -1)                  # only north shown
    assert audit(np.column_stack([everyone, safer]), np.ones(16), 5).safe


def test_person_minus_person_is_refused():
    a = np.array([0] * 9 + [1] * 9 + [0, 1])
    b = np.array([0] * 9 + [1] * 9 + [1, 0])
    everyone = np.zeros(20, dtype=int)
    result = audit(np.column_stack([everyone, np.where(a == 0, 0, -1), np.where(b == 0, 0, -1)]), np.ones(20), 5)
    assert not result.safe and set(result.witness) == {18, 19}
    assert audit(np.column_stack([everyone, np.where(a == 0, 0, -1)]), np.ones(20), 5).safe


def test_a_two_by_two_of_small_cells_is_refused_on_the_diagonal():
    # rows a1/a2, columns b1/b2; the four inner cells 2, 3, 3, 2 are hidden (every row and
    # column sum is 5), but (a1, b1) minus (a2, b2) lives on 2 + 2 = 4 people
    cells = [(0, 0)] * 2 + [(0, 1)] * 3 + [(1, 0)] * 3 + [(1, 1)] * 2 + [(0, 2)] * 9 + [(1, 2)] * 9 + \
        [(2, 0)] * 9 + [(2, 1)] * 9 + [(2, 2)] * 9
    a = np.array([c[0] for c in cells])
    b = np.array([c[1] for c in cells])
    n = len(cells)
    inner = (a < 2) & (b < 2)
    two_way = np.where(inner, -1, a * 3 + b)
    memberships = np.column_stack([np.zeros(n, dtype=int), a, b, two_way])
    result = audit(memberships, np.ones(n), 5)
    assert not result.safe
    assert exact_smallest_support(sets_of(memberships), range(n), 5) is not None


def test_weights_leave_people_out():
    region = np.array([0] * 8 + [1] * 8)
    everyone = np.zeros(16, dtype=int)
    answered = np.array([1] * 8 + [1] * 4 + [0] * 4)      # 4 of the south answered a question
    assert audit(np.column_stack([everyone, region]), np.ones(16), 5).safe
    assert not audit(np.column_stack([everyone, region]), answered, 5).safe


@st.composite
def releases(draw):
    n = draw(st.integers(5, 18))
    tables = draw(st.integers(1, 4))
    columns = [np.zeros(n, dtype=int)]
    for _ in range(tables):
        cells = draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n))
        columns.append(np.array(cells))
    k = draw(st.integers(3, 5))
    return np.column_stack(columns), k


@st.composite
def suppressed_tables(draw):
    """Releases like the plan's: tables over two or three variables, cells under k hidden and
    some more hidden at random; most are safe or nearly so."""
    n = draw(st.integers(6, 24))
    k = draw(st.integers(3, 5))
    variables = [np.array(draw(st.lists(st.integers(0, draw(st.integers(1, 3))), min_size=n, max_size=n)))
                 for _ in range(draw(st.integers(2, 3)))]
    tables = [(i,) for i in range(len(variables))] + [(0, 1)] * draw(st.booleans())
    columns = [np.zeros(n, dtype=int)]
    for table in tables:
        ids = variables[table[0]] * 4 + (variables[table[1]] if len(table) == 2 else 0)
        counts = {c: int((ids == c).sum()) for c in set(ids.tolist())}
        extra = draw(st.sets(st.sampled_from(sorted(counts)), max_size=2))
        hidden = {c for c, m in counts.items() if m < k} | extra
        columns.append(np.where(np.isin(ids, list(hidden)), -1, ids))
    return np.column_stack(columns), k


@given(suppressed_tables())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_audit_agrees_with_exact_fractions_on_suppressed_tables(release):
    test_audit_agrees_with_exact_fractions.hypothesis.inner_test(release)


@given(releases())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_audit_agrees_with_exact_fractions(release):
    memberships, k = release
    n = len(memberships)
    result = audit(memberships, np.ones(n), k)
    exact = exact_smallest_support(sets_of(memberships), range(n), k)
    assert result.safe == (exact is None), (result, exact)
    if result.witness:
        # the witness people lie in blocks on which a combination of under k lives
        assert len(result.witness) < k
