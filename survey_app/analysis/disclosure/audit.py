"""The exact check behind the minimum group size: can released groups be combined, by adding
and subtracting, into something about fewer than k people? (pure: numpy only)

Model. Every released group G publishes sums over its members (counts per option, n, sums
behind means ...). So an evaluator who combines released groups G_1..G_r with any weights c_i
learns the same sums for the "virtual group" v = sum c_i 1_{G_i}. The release is SAFE when every
non-zero such v involves at least k people (its support: the people with v != 0). This is
stronger than "no group of fewer than k people is in the span": it also refuses differences
such as "group X minus group Y = person p minus person q", which would show where p and q
answered differently.

Method (exact up to floating-point rank decisions, see the tolerances):
1. Blocks: people with the same membership in all released groups are indistinguishable; every
   v is constant on a block, so work with blocks weighted by their number of people.
2. W: the combinations that are zero on every block of k or more people. A combination about
   fewer than k people is zero there, so it lies in W; when W = {0} the release is safe.
3. Certificate (fast): deal the small blocks out into k parts, a block of weight w into w parts.
   If every part alone determines the whole of W (full rank), a combination living on fewer
   than k people misses some part, so it is zero: safe. The blocks of each small released
   group are dealt out one after another, so that they land in different parts.
4. Otherwise look for a witness: from a basis of blocks, the combination that is 1 on one basis
   block and 0 on the others (cheap), and, when there are at most MAX_SEARCH_ROWS small blocks,
   an exact search (see _search). Anything undecided counts as unsafe: the check may refuse a
   safe release, never pass an unsafe one.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence

import numpy as np

# Rank decisions in floating point, each erring on the side of refusing a release:
NULL_TOLERANCE = 1e-9   # Gram eigenvalue (relative): at or below, a direction counts as not seen by large blocks
SPAN_TOLERANCE = 1e-12  # Gram eigenvalue (relative): above, a direction counts as part of W
PART_TOLERANCE = 1e-9   # a part of the certificate must see every (whitened) direction of W at least this much
DEPENDENT = 1e-7        # exact search: a row of K this close to the span of others counts as dependent
TRIPLES = 2 * 10**6     # exact search: check all triples of next rows at once up to this many
SEARCH_LIMIT = 2 * 10**7  # work (rows compared) the exact search may do before it gives up (and says unsafe)
MAX_SEARCH_ROWS = 100   # small blocks in W beyond which the exact search is not tried (unsafe unless certified)


@dataclass(frozen=True)
class AuditResult:
    safe: bool
    how: str                                   # which step decided
    witness: tuple[int, ...] | None = None     # people (row indices) of a combination under k
    dimension: int = 0                         # of the span of the released groups
    blocks: int = 0


def partition(memberships: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(block of each row, first row of each block): rows with the same pattern share a block."""
    block = np.zeros(len(memberships), dtype=np.int64)
    for column in memberships.T:   # refine the partition one table at a time (exact, no hashing)
        _, block = np.unique(block * (int(column.max()) + 2) + (column + 1), return_inverse=True)
        block = block.ravel()
    count = int(block.max()) + 1 if len(block) else 0
    first = np.full(count, len(memberships), dtype=np.int64)
    np.minimum.at(first, block, np.arange(len(memberships)))
    return block, first


def blocks_of(memberships: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(patterns, block weights, one representative row per block) of the people with weight > 0.
    `memberships`: people x tables, the released cell of each person per table or -1."""
    people = np.flatnonzero(weights > 0)
    if memberships.shape[1] == 0 or people.size == 0:
        return memberships[:0], weights[:0], people[:0]
    rows = memberships[people]
    block, first = partition(rows)
    block_weights = np.bincount(block, weights=weights[people], minlength=len(first)).astype(np.int64)
    patterns = rows[first]
    released = (patterns >= 0).any(axis=1)
    return patterns[released], block_weights[released], people[first][released]


def block_matrix(patterns: np.ndarray) -> np.ndarray:
    """0/1 matrix blocks x released cells (one column per distinct released cell of a table)."""
    return block_matrix_and_cells(patterns)[0]


def block_matrix_and_cells(patterns: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """The block matrix and, per column, (table position, cell id)."""
    columns, cells_of = [], []
    for t in range(patterns.shape[1]):
        cells = np.unique(patterns[:, t])
        cells = cells[cells >= 0]
        if cells.size:
            columns.append((patterns[:, t][:, None] == cells[None, :]).astype(np.float64))
            cells_of += [(t, int(c)) for c in cells]
    return (np.hstack(columns) if columns else np.zeros((len(patterns), 0))), cells_of


def _eigh(gram: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, vectors = np.linalg.eigh((gram + gram.T) / 2)
    return values[::-1], vectors[:, ::-1]          # largest first


def w_basis(matrix: np.ndarray, sizes: np.ndarray, minimum: int,
            gram_all: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(small block indices, Z): the columns of Z span W, the combinations of released groups
    that are zero on every block of `minimum` or more people, as seen on the small blocks;
    Z is whitened (Z^T Z = I), so its rank is its number of columns. `gram_all`: matrix^T
    matrix when the caller has it."""
    large = sizes >= minimum
    small = np.flatnonzero(~large)
    if gram_all is None:
        gram_all = matrix.T @ matrix
    gram_large = matrix[large].T @ matrix[large] if large.any() else np.zeros_like(gram_all)
    values, vectors = _eigh(gram_large)
    top = values[0] if values.size and values[0] > 0 else 0.0
    null = vectors[:, values <= NULL_TOLERANCE * top] if top > 0 else np.eye(matrix.shape[1])
    if null.shape[1] == 0 or small.size == 0:
        return small, np.zeros((small.size, 0))
    gram_small = null.T @ (gram_all - gram_large) @ null
    values, vectors = _eigh(gram_small)
    if not values.size or values[0] <= 0:
        return small, np.zeros((small.size, 0))
    keep = values > SPAN_TOLERANCE * max(values[0], float(np.abs(gram_all).max()))
    basis = null @ vectors[:, keep] / np.sqrt(values[keep])
    return small, matrix[small] @ basis


def _full_rank(z: np.ndarray) -> bool:
    """Do the rows of the whitened z see every direction?"""
    if z.shape[0] < z.shape[1]:
        return False
    values = np.linalg.eigvalsh(z.T @ z)
    return bool(values.min() > PART_TOLERANCE)


def audit(memberships: np.ndarray, weights: Sequence[int] | np.ndarray, minimum: int,
          *, search_limit: int = SEARCH_LIMIT) -> AuditResult:
    """Is the release safe? `memberships`: people x tables of released cell ids (-1 where the
    person's cell of that table is not released); `weights`: how much each person counts (1,
    or 0 to leave a person out, e.g. when auditing the answers to one question)."""
    weights = np.asarray(weights, dtype=np.int64)
    patterns, sizes, representatives = blocks_of(np.asarray(memberships), weights)
    if len(patterns) == 0:
        return AuditResult(True, "nothing released")
    return audit_blocks(block_matrix(patterns), sizes, representatives, minimum, search_limit=search_limit)


def audit_blocks(matrix: np.ndarray, sizes: np.ndarray, representatives: np.ndarray, minimum: int,
                 *, search_limit: int = SEARCH_LIMIT, gram: np.ndarray | None = None) -> AuditResult:
    """The audit on blocks given as a 0/1 matrix (blocks x released cells) with their weights;
    blocks may be finer than needed (rows repeated), rows of weight 0 or in no cell are ignored.
    `gram`: matrix^T matrix over all its rows, when the caller keeps it (saves time)."""
    keep = (np.asarray(sizes) > 0) & matrix.any(axis=1)
    if gram is not None:
        dropped = matrix[~keep]
        gram = gram - dropped.T @ dropped
    matrix, sizes, representatives = matrix[keep], np.asarray(sizes, dtype=np.int64)[keep], representatives[keep]
    if len(matrix) == 0:
        return AuditResult(True, "nothing released")
    small, z = w_basis(matrix, sizes, minimum, gram)
    dimension = z.shape[1]
    base = dict(dimension=dimension, blocks=len(matrix))
    if dimension == 0:
        return AuditResult(True, "large blocks span", **base)
    weights_small = sizes[small]
    if (_packed(z, weights_small, minimum, _tight_order(matrix, sizes, small))
            or _packed(z, weights_small, minimum)):
        return AuditResult(True, "disjoint bases", **base)
    quick = _cocircuit_witness(z, weights_small, minimum, dimension)
    if quick is not None:
        people = tuple(int(representatives[small[b]]) for b in sorted(quick))
        return AuditResult(False, "basis", people, **base)
    found = _search(z, weights_small, minimum, search_limit)
    if found is None:
        return AuditResult(True, "search", **base)
    if found == "limit":
        return AuditResult(False, "search limit", **base)
    people = tuple(int(representatives[small[b]]) for b in sorted(found))
    return AuditResult(False, "search", people, **base)


def _packed(z: np.ndarray, sizes: np.ndarray, parts: int, order: np.ndarray | None = None) -> bool:
    """Can the rows be shared out into `parts` parts, a row of weight w into w of them (at most
    all), each of full rank? Then removing rows of total weight < parts leaves one part whole.
    Rows are dealt out in `order` (default: heaviest first), each to the next parts in turn."""
    if parts <= 0:
        return True
    members: list[list[int]] = [[] for _ in range(parts)]
    pointer = 0
    for row in (np.argsort(-sizes, kind="stable") if order is None else order):
        for step in range(min(int(sizes[row]), parts)):
            members[(pointer + step) % parts].append(int(row))
        pointer = (pointer + int(sizes[row])) % parts
    return all(_full_rank(z[part]) for part in members)


def _tight_order(matrix: np.ndarray, sizes: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Small blocks ordered so that the blocks of each small released group come one after
    another (smallest groups first): dealt out in turn, they land in different parts, which
    is what a group of just `minimum` people needs to be seen by every part."""
    group_weight = sizes @ matrix                          # people per released cell
    weights = np.where(matrix[small] > 0, group_weight[None, :], np.inf)
    tightest = weights.argmin(axis=1)
    return np.lexsort((-sizes[small], tightest, weights.min(axis=1)))


def _rref(a: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Reduced row echelon form of a (d x n) with partial pivoting; pivots are the first
    independent columns in order. Column j of the result holds the coefficients of column j
    in terms of the pivot columns."""
    a = a.copy()
    d, n = a.shape
    tol = 1e-8 * max(float(np.abs(a).max()) if a.size else 0.0, 1e-300)
    pivots: list[int] = []
    row = 0
    for col in range(n):
        if row == d:
            break
        column = np.abs(a[row:, col])
        i = int(column.argmax())
        if column[i] <= tol:
            continue
        if i:
            a[[row, row + i]] = a[[row + i, row]]
        a[row] /= a[row, col]
        factors = a[:, col].copy()
        factors[row] = 0.0
        a -= np.outer(factors, a[row])
        pivots.append(col)
        row += 1
    return pivots, a[:row]


def _cocircuit_witness(z: np.ndarray, sizes: np.ndarray, minimum: int, dimension: int) -> set[int] | None:
    """A quick look for a combination under `minimum`: take a basis of rows, heaviest first;
    the combination that is 1 on one basis row and 0 on the others lives on the rows whose
    expansion uses that basis row. Returns such rows when they weigh less than `minimum`."""
    order = np.lexsort((np.arange(len(sizes)), -sizes))
    pivots, reduced = _rref(z[order].T)
    if len(pivots) < dimension:
        return None
    # reduced[:, pivots] is the identity: row b of `reduced` gives, for every row, its
    # coefficient on basis row b
    tol = 1e-8 * max(1.0, float(np.abs(reduced).max()))
    for b in range(len(pivots)):
        support = order[np.abs(reduced[b]) > tol]
        if sizes[support].sum() < minimum:
            return {int(r) for r in support}
    return None


def _search(z: np.ndarray, sizes: np.ndarray, minimum: int, limit: int):
    """Rows of total weight < minimum on which some non-zero vector of W = column space of z
    lives; None when there are none; "limit" when the search would take too long.

    By duality, a vector of W lives on the rows S exactly when the rows S of K are linearly
    dependent, K a basis of W's orthogonal complement (the left null space of z). So look for
    a dependent set of rows of K of weight < minimum: every prefix of a minimal dependent set
    is independent, so a depth-first search over independent sets in increasing order, that
    tests all next one or two rows at once, finds one if there is any."""
    inside = np.flatnonzero(np.abs(z).max(axis=1) > 1e-9)   # blocks where some vector of W is not 0
    if len(inside) < len(z):
        found = _search(z[inside], sizes[inside], minimum, limit)
        return {int(inside[r]) for r in found} if isinstance(found, set) else found
    if len(z) > MAX_SEARCH_ROWS:
        return "limit"
    u, _, _ = np.linalg.svd(z, full_matrices=True)
    k = u[:, z.shape[1]:]                              # rows x (rows - rank): z is whitened, of full rank
    norms = np.linalg.norm(k, axis=1)
    zero = norms <= DEPENDENT
    for row in np.flatnonzero(zero):                   # one block alone can be worked out
        if sizes[row] < minimum:
            return {int(row)}
    if k.shape[1] == 0:
        return None
    budget = minimum - 1
    unit = k / np.where(zero, 1.0, norms)[:, None]
    lightest = int(sizes.min())
    visited = [0]

    def extend(chosen: list[int], basis: np.ndarray, weight: int):
        """Is a set {chosen..., one, two or three later rows} dependent? Then deeper. `basis`:
        orthonormal rows spanning the chosen (independent) rows of K."""
        start = chosen[-1] + 1 if chosen else 0
        candidates = np.arange(start, len(unit))
        candidates = candidates[(sizes[candidates] + weight <= budget) & ~zero[candidates]]
        if not candidates.size:
            return None
        count = len(candidates)
        visited[0] += count ** 2
        if visited[0] > limit:
            return "limit"
        residual = unit[candidates] - (unit[candidates] @ basis.T) @ basis if len(basis) else unit[candidates]
        left = np.linalg.norm(residual, axis=1)
        dependent = candidates[left <= DEPENDENT]
        if dependent.size:
            return {*chosen, int(dependent[0])}
        direction = residual / left[:, None]
        weights = sizes[candidates]
        room = budget - weight
        upper = np.triu(np.ones((count, count), bool), 1)
        pair_fits = (weights[:, None] + weights[None, :] <= room) & upper
        if not pair_fits.any():
            return None
        # m depends on chosen + l when its residual without l's direction vanishes
        cosine = np.clip(direction @ direction.T, -1.0, 1.0)
        gap = np.clip(1.0 - cosine ** 2, 0.0, None)           # sin^2 of the angle between l and m
        hits = np.argwhere(pair_fits & (left[None, :] * np.sqrt(gap) <= DEPENDENT))
        if hits.size:
            l, m = hits[0]
            return {*chosen, int(candidates[l]), int(candidates[m])}
        if count >= 3 and count ** 3 <= TRIPLES and (weights.min() * 3 <= room):
            # o depends on chosen + l + m when its residual without the plane of l and m vanishes:
            # residual^2 = left_o^2 * det(Gram of l, m, o) / det(Gram of l, m), all at once
            a, b, c = cosine[:, :, None], cosine[:, None, :], cosine[None, :, :]
            det3 = 1.0 + 2.0 * a * b * c - a ** 2 - b ** 2 - c ** 2
            det2 = gap[:, :, None]
            fits3 = pair_fits[:, :, None] & upper[None, :, :] & \
                (weights[:, None, None] + weights[None, :, None] + weights[None, None, :] <= room)
            residual2 = (left ** 2)[None, None, :] * np.clip(det3, 0.0, None) / np.maximum(det2, 1e-300)
            # nearly parallel l and m make the quotient unreliable: count them as dependent (stricter)
            hits = np.argwhere(fits3 & ((residual2 <= (10 * DEPENDENT) ** 2) | (det2 < 1e-8)))
            if hits.size:
                l, m, o = hits[0]
                return {*chosen, int(candidates[l]), int(candidates[m]), int(candidates[o])}
            deeper = 3          # every set of up to three more rows has been checked
        else:
            deeper = 2
        for index, row in enumerate(candidates):
            if weight + int(weights[index]) + deeper * lightest > budget:
                continue
            found = extend([*chosen, int(row)], np.vstack([basis, direction[index]]), weight + int(weights[index]))
            if found is not None:
                return found
        return None

    return extend([], np.zeros((0, k.shape[1])), 0)
