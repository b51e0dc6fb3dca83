"""Program-wide assignment: give every mentee at most one mentor, every mentor at most
``capacity`` mentees, never an infeasible pair, and make the total score as high as possible.

Three methods, all on a score matrix from ``domain.score_matrix`` (rows mentees, columns
mentors, ``INFEASIBLE`` where a pair may not be matched):

* ``exact``: each mentor becomes ``capacity`` identical seats and SciPy's
  ``linear_sum_assignment`` solves the dense mentee x seat problem. Optimal; memory grows
  with mentees x seats, so ``assign`` uses it only up to ``max_exact_cells`` cells.
* ``sparse``: a candidate graph keeps each mentee's ``k`` best mentors and each mentor's
  ``mentor_k_per_seat * capacity`` best mentees; on that graph the seat-expanded problem is
  solved exactly as a minimum-cost full matching (SciPy's sparse LAPJV), with one private
  "stay unmatched" seat per mentee. The LP duals of that solution then price every seat:
  pairs left out of the graph that are worth more than their price join it and it is solved
  again (column generation). When no such pair remains the result is optimal for the whole
  matrix, and says so (``proven_optimal``); otherwise ``optimality_gap`` bounds the loss.
* ``greedy``: the baseline: take pairs from the highest score down while both sides are free.

A pair that may not be matched and "no mentor" are both worth 0; every feasible pair is
worth its score plus ``match_bonus``. With the default bonus of 0 the methods maximise the
total score; a positive bonus trades score for coverage (a large one matches as many mentees
as possible first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from mentorhaven.matching.domain import (
    Constraints,
    Participant,
    ParticipantId,
    Question,
    ScoringConfig,
    TextSimilarity,
    score_matrix,
)

UNMATCHED = -1
# 16M cells: the dense mentee x seat cost matrix is 128 MB of float64, and SciPy works on a
# copy, so the exact method stays well under 0.5 GB; past it the sparse method takes over.
DEFAULT_MAX_EXACT_CELLS = 16_000_000

Method = Literal["auto", "exact", "sparse", "greedy"]


@dataclass(frozen=True)
class Assignment:
    method: str
    mentor_of: tuple[int, ...]  # mentor column per mentee row, UNMATCHED (-1) for none
    total: float  # sum of the scores of the matched pairs (bonus not included)
    coverage: float  # share of mentees matched, 0 for an empty program
    # How much better the best assignment of the whole matrix could be, from LP duality:
    # 0 when proven optimal, None when unknown (greedy). Counts ``match_bonus`` if one is set.
    optimality_gap: float | None = None

    @property
    def proven_optimal(self) -> bool:
        return self.optimality_gap is not None and self.optimality_gap <= 1e-9

    @property
    def matched(self) -> int:
        return sum(1 for j in self.mentor_of if j != UNMATCHED)

    def pairs(
        self, mentees: Sequence[Participant], mentors: Sequence[Participant]
    ) -> list[tuple[ParticipantId, ParticipantId]]:
        return [
            (mentees[i].id, mentors[j].id) for i, j in enumerate(self.mentor_of) if j != UNMATCHED
        ]


def capacities_of(mentors: Sequence[Participant]) -> NDArray[np.int64]:
    """Seats each mentor offers now: 0 when paused."""
    return np.array([max(p.capacity, 0) if p.available else 0 for p in mentors], dtype=np.int64)


def _finish(
    method: str,
    scores: NDArray[np.float64],
    mentor_of: NDArray[np.int64],
    *,
    optimality_gap: float | None = None,
) -> Assignment:
    rows = np.flatnonzero(mentor_of != UNMATCHED)
    total = float(scores[rows, mentor_of[rows]].sum()) if rows.size else 0.0
    n = scores.shape[0]
    return Assignment(
        method=method,
        mentor_of=tuple(int(j) for j in mentor_of),
        total=total,
        coverage=rows.size / n if n else 0.0,
        optimality_gap=optimality_gap,
    )


def _check(scores: NDArray[np.float64], capacities: NDArray[np.int64]) -> NDArray[np.int64]:
    if scores.ndim != 2 or scores.shape[1] != len(capacities):
        raise ValueError("scores must be mentees x mentors, one capacity per mentor")
    if np.isnan(scores).any() or (scores == np.inf).any():
        raise ValueError("scores must be finite or INFEASIBLE")
    # More seats than mentees can never be used; capping keeps the expanded problem small.
    return np.minimum(np.maximum(np.asarray(capacities, dtype=np.int64), 0), scores.shape[0])


def assign_exact(
    scores: NDArray[np.float64], capacities: NDArray[np.int64], *, match_bonus: float = 0.0
) -> Assignment:
    caps = _check(scores, capacities)
    n = scores.shape[0]
    mentor_of = np.full(n, UNMATCHED, dtype=np.int64)
    feasible = np.isfinite(scores)
    rows = np.flatnonzero(feasible.any(axis=1))
    cols = np.flatnonzero(feasible.any(axis=0) & (caps > 0))
    if rows.size and cols.size:
        seat_mentor = np.repeat(cols, caps[cols])
        cost = scores[np.ix_(rows, seat_mentor)]
        seat_feasible = np.isfinite(cost)
        np.add(cost, match_bonus, out=cost)
        np.negative(cost, out=cost)
        cost[~seat_feasible] = 0.0  # the same worth as staying unmatched
        row_ind, col_ind = linear_sum_assignment(cost)
        keep = seat_feasible[row_ind, col_ind]
        mentor_of[rows[row_ind[keep]]] = seat_mentor[col_ind[keep]]
    return _finish("exact", scores, mentor_of, optimality_gap=0.0)


def candidate_edges(
    scores: NDArray[np.float64],
    capacities: NDArray[np.int64],
    *,
    k: int = 20,
    mentor_k_per_seat: int = 2,
    chunk: int = 1024,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Feasible (mentee, mentor) pairs kept for the sparse method, sorted and unique."""
    n, m = scores.shape
    found: list[NDArray[np.int64]] = []
    kk = min(k, m)
    if kk > 0:
        for start in range(0, n, chunk):
            block = scores[start : start + chunk]
            top = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
            rows = np.arange(start, start + block.shape[0])[:, None]
            found.append((rows * m + top).ravel())
    active = np.flatnonzero(capacities > 0)
    if active.size and mentor_k_per_seat > 0:
        width = max(1, chunk * chunk // max(n, 1))
        for start in range(0, active.size, width):
            cols = active[start : start + width]
            depth = int(min(n, mentor_k_per_seat * capacities[cols].max()))
            block = scores[:, cols]
            top = np.argpartition(-block, depth - 1, axis=0)[:depth]
            found.append((top * m + cols[None, :]).ravel())
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    flat = np.unique(np.concatenate(found))
    flat = flat[np.isfinite(scores.ravel()[flat])]
    return flat // m, flat % m


def _solve_on_graph(
    scores: NDArray[np.float64],
    caps: NDArray[np.int64],
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    match_bonus: float,
) -> NDArray[np.int64]:
    """Optimal seat-expanded assignment using only the given (mentee, mentor) edges."""
    n, m = scores.shape
    mentor_of = np.full(n, UNMATCHED, dtype=np.int64)
    if not rows.size:
        return mentor_of
    value = scores[rows, cols] + match_bonus
    # Costs must be non-zero for the sparse solver: shift so that every real seat costs at
    # least 1 and each mentee's own "unmatched" seat costs exactly the shift. Every mentee
    # takes exactly one seat, so the shift does not change which matching is best.
    shift = float(value.max()) + 1.0
    seat_start = np.concatenate(([0], np.cumsum(caps)))
    per_edge = caps[cols]
    edge_of_seat = np.repeat(np.arange(rows.size), per_edge)
    first = np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    seat = seat_start[cols][edge_of_seat] + (np.arange(edge_of_seat.size) - first)
    seats = int(seat_start[-1])
    graph = csr_array(
        (
            np.concatenate((shift - value[edge_of_seat], np.full(n, shift))),
            (
                np.concatenate((rows[edge_of_seat], np.arange(n))),
                np.concatenate((seat, seats + np.arange(n))),
            ),
        ),
        shape=(n, seats + n),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    seat_mentor = np.repeat(np.arange(m), caps)
    real = col_ind < seats
    mentor_of[row_ind[real]] = seat_mentor[col_ind[real]]
    return mentor_of


def _duals(
    scores: NDArray[np.float64],
    caps: NDArray[np.int64],
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    mentor_of: NDArray[np.int64],
    match_bonus: float,
    *,
    tolerance: float = 1e-12,
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Prices that prove ``mentor_of`` optimal on the graph: ``u`` per mentee, ``p`` per mentor,
    both >= 0, with ``u[i] + p[j] >= value(i, j)`` on every graph edge and equality on used
    ones (LP duality for the capacitated assignment).

    They are shortest-path potentials of the residual graph (mentees, mentors and one node
    T standing for "unmatched" and "free seat"), found by a vectorised Bellman-Ford; an
    optimal matching leaves no negative cycle, so it converges. None if it does not."""
    n, m = scores.shape
    t = n + m
    value = scores[rows, cols] + match_bonus
    used = mentor_of[rows] == cols
    matched = mentor_of != UNMATCHED
    load = np.bincount(mentor_of[matched], minlength=m)
    mentees, mentors = np.arange(n), np.arange(m)
    tails = [
        np.where(used, n + cols, rows),
        mentees,
        np.full((~matched).sum(), t),
        n + mentors[load < caps],
        np.full((load > 0).sum(), t),
    ]
    heads = [
        np.where(used, rows, n + cols),
        np.full(n, t),
        mentees[~matched],
        np.full((load < caps).sum(), t),
        n + mentors[load > 0],
    ]
    weights = [
        np.where(used, value, -value),
        np.zeros(n),
        np.zeros((~matched).sum()),
        np.zeros((load < caps).sum()),
        np.zeros((load > 0).sum()),
    ]
    tail, head, weight = (np.concatenate(x) for x in (tails, heads, weights))
    order = np.argsort(head, kind="stable")
    tail, head, weight = tail[order], head[order], weight[order]
    targets, starts = np.unique(head, return_index=True)
    dist = np.zeros(t + 1)
    for _ in range(t + 1):
        best = np.minimum.reduceat(dist[tail] + weight, starts)
        improve = best < dist[targets] - tolerance
        if not improve.any():
            u = dist[:n] - dist[t]
            p = np.maximum(dist[t] - dist[n:t], 0.0)  # a seat nobody holds costs nothing
            return np.maximum(u, 0.0), p
        dist[targets[improve]] = best[improve]
    return None


def _violations(
    scores: NDArray[np.float64],
    caps: NDArray[np.int64],
    u: NDArray[np.float64],
    p: NDArray[np.float64],
    *,
    k: int,
    match_bonus: float,
    chunk: int = 1024,
    tolerance: float = 1e-9,
) -> tuple[NDArray[np.int64], float]:
    """Feasible pairs worth more than their prices (flat indices), at most ``k`` per mentee,
    the most underpriced first, and an upper bound on the best total over the whole matrix.

    Raising each ``u[i]`` to cover that mentee's most underpriced pair makes the prices
    feasible for every pair, so by LP duality no assignment is worth more than
    ``sum(u) + sum(capacity * p)``. No pair left means the graph's optimum is the optimum."""
    n, m = scores.shape
    price = np.where(caps > 0, p, np.inf) - match_bonus
    kk = min(k, m)
    found = []
    cover = u.copy()
    for start in range(0, n, chunk):
        block = scores[start : start + chunk] - price[None, :]
        block -= u[start : start + chunk, None]
        top = np.argpartition(-block, kk - 1, axis=1)[:, :kk]
        gain = np.take_along_axis(block, top, axis=1)
        cover[start : start + chunk] += np.maximum(gain.max(axis=1), 0.0)
        rows = np.arange(start, start + block.shape[0])[:, None]
        found.append((rows * m + top)[gain > tolerance])
    extra = np.concatenate(found) if found else np.empty(0, np.int64)
    bound = float(cover.sum() + (caps * np.where(caps > 0, p, 0.0)).sum())
    return extra, bound


def assign_sparse(
    scores: NDArray[np.float64],
    capacities: NDArray[np.int64],
    *,
    k: int = 20,
    mentor_k_per_seat: int = 2,
    rounds: int = 10,
    match_bonus: float = 0.0,
) -> Assignment:
    """Exact on a candidate graph that grows until it provably holds the optimum.

    After each solve the duals price every mentor seat; feasible pairs outside the graph that
    are worth more than their prices join it and the graph is solved again (column
    generation). When no such pair is left, the result is optimal for the whole matrix
    (``proven_optimal``). After ``rounds`` growths it is returned as it stands, with
    ``optimality_gap`` bounding how much better the true optimum could be."""
    caps = _check(scores, capacities)
    m = scores.shape[1]
    rows, cols = candidate_edges(scores, caps, k=k, mentor_k_per_seat=mentor_k_per_seat)
    keep = caps[cols] > 0
    edges = rows[keep] * m + cols[keep]
    mentor_of = _solve_on_graph(scores, caps, edges // m, edges % m, match_bonus)
    gap: float | None = None
    for round_ in range(rounds + 1):
        duals = _duals(scores, caps, edges // m, edges % m, mentor_of, match_bonus)
        if duals is None:
            gap = None
            break
        extra, bound = _violations(scores, caps, *duals, k=k, match_bonus=match_bonus)
        matched = mentor_of != UNMATCHED
        value = float((scores[matched, mentor_of[matched]] + match_bonus).sum())
        gap = max(bound - value, 0.0)
        extra = np.setdiff1d(extra[np.isfinite(scores.ravel()[extra])], edges)
        if not extra.size:
            gap = 0.0
            break
        if round_ == rounds:
            break
        edges = np.union1d(edges, extra)
        mentor_of = _solve_on_graph(scores, caps, edges // m, edges % m, match_bonus)
    return _finish("sparse", scores, mentor_of, optimality_gap=gap)


def assign_greedy(
    scores: NDArray[np.float64], capacities: NDArray[np.int64], *, portion: int = 1 << 18
) -> Assignment:
    """Highest score first; ties go to the lower mentee row, then the lower mentor column.

    Pairs are sorted about a ``portion`` of the best open ones at a time (the cut is picked
    from an even sample of the scores) rather than all at once: most mentees are placed from
    the first portion, so a whole-program sort is not needed."""
    caps = _check(scores, capacities)
    n, m = scores.shape
    mentor_of = np.full(n, UNMATCHED, dtype=np.int64)
    left = caps.copy()
    upper = np.inf  # pairs scoring this much or more have been looked at already
    while upper > -np.inf:
        open_rows = np.flatnonzero(mentor_of == UNMATCHED)
        open_cols = np.flatnonzero(left > 0)
        if not open_rows.size or not open_cols.size:
            break
        if open_rows.size == n and open_cols.size == m:
            block = scores  # read only: no copy of the whole program
        else:
            block = scores[np.ix_(open_rows, open_cols)]
        todo = np.isfinite(block)
        todo &= block < upper
        count = int(todo.sum())
        if count == 0:
            break
        threshold = -np.inf
        if count > portion:
            step = max(1, block.size // 1_000_000)
            sample = block.ravel()[::step]
            sample = sample[np.isfinite(sample) & (sample < upper)]
            rank = max(1, round(sample.size * portion / count))
            if rank < sample.size:
                threshold = float(np.partition(sample, sample.size - rank)[-rank])
        r, c = np.nonzero(todo & (block >= threshold))
        rows, cols, values = open_rows[r], open_cols[c], block[r, c]
        order = np.lexsort((cols, rows, -values))
        for i, j in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
            if mentor_of[i] == UNMATCHED and left[j] > 0:
                mentor_of[i] = j
                left[j] -= 1
        upper = threshold
    return _finish("greedy", scores, mentor_of)


def assign(
    scores: NDArray[np.float64],
    capacities: NDArray[np.int64],
    *,
    method: Method = "auto",
    max_exact_cells: int = DEFAULT_MAX_EXACT_CELLS,
    k: int = 20,
    match_bonus: float = 0.0,
) -> Assignment:
    """Assign with the named method; "auto" is exact while mentees x seats fits
    ``max_exact_cells`` and sparse beyond."""
    if method == "auto":
        seats = int(np.minimum(np.maximum(capacities, 0), scores.shape[0]).sum())
        method = "exact" if scores.shape[0] * seats <= max_exact_cells else "sparse"
    if method == "exact":
        return assign_exact(scores, capacities, match_bonus=match_bonus)
    if method == "sparse":
        return assign_sparse(scores, capacities, k=k, match_bonus=match_bonus)
    if method == "greedy":
        return assign_greedy(scores, capacities)
    raise ValueError(f"unknown method {method!r}")


@dataclass(frozen=True)
class ProgramMatch:
    best: Assignment  # the chosen method
    greedy: Assignment  # the baseline, for the report
    # For review and suggestions; rows mentees, columns mentors. Left out of ==.
    scores: NDArray[np.float64] = field(compare=False, repr=False)

    def pairs(
        self, mentees: Sequence[Participant], mentors: Sequence[Participant]
    ) -> list[tuple[ParticipantId, ParticipantId]]:
        return self.best.pairs(mentees, mentors)


def match_program(
    mentees: Sequence[Participant],
    mentors: Sequence[Participant],
    questions: Sequence[Question],
    *,
    constraints: Constraints | None = None,
    text_similarity: TextSimilarity | None = None,
    config: ScoringConfig | None = None,
    method: Method = "auto",
    max_exact_cells: int = DEFAULT_MAX_EXACT_CELLS,
    match_bonus: float = 0.0,
) -> ProgramMatch:
    """Score a whole program and assign it, with the greedy baseline for comparison."""
    scores = score_matrix(
        mentees,
        mentors,
        questions,
        constraints=constraints,
        text_similarity=text_similarity,
        config=config,
    )
    capacities = capacities_of(mentors)
    best = assign(
        scores,
        capacities,
        method=method,
        max_exact_cells=max_exact_cells,
        match_bonus=match_bonus,
    )
    return ProgramMatch(best=best, greedy=assign_greedy(scores, capacities), scores=scores)
