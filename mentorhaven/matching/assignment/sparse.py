"""The sparse method: a candidate graph solved exactly, grown by column generation until
no left-out pair is worth more than its seat's price."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.assignment.result import UNMATCHED, Assignment, _check, _finish


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


def solve_on_graph(
    shape: tuple[int, int],
    caps: NDArray[np.int64],
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    score: NDArray[np.float64],
    match_bonus: float,
) -> NDArray[np.int64]:
    """Optimal seat-expanded assignment using only the given (mentee, mentor) edges, whose
    scores are ``score``."""
    # SciPy loads here, on the first run, not in every process that imports matching.
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    n, m = shape
    mentor_of = np.full(n, UNMATCHED, dtype=np.int64)
    if not rows.size:
        return mentor_of
    value = score + match_bonus
    # In units of the largest value, so the shift below (about 1) cannot round away the
    # differences between small scores; scaling every value alike changes no choice.
    scale = float(np.abs(value).max())
    if scale > 0:
        value = value / scale
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


def graph_duals(
    shape: tuple[int, int],
    caps: NDArray[np.int64],
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    score: NDArray[np.float64],
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
    optimal matching leaves no negative cycle, so it converges. None if it does not.

    ``tolerance`` is relative to the largest value: an absolute one would leave every price
    at 0 for a program whose scores are all smaller than it, and then prove nothing."""
    n, m = shape
    t = n + m
    value = score + match_bonus
    tolerance *= float(np.abs(value).max()) if value.size else 0.0
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
) -> tuple[NDArray[np.int64], float]:
    """Feasible pairs worth more than their prices (flat indices), at most ``k`` per mentee,
    the most underpriced first, and an upper bound on the best total over the whole matrix.

    Raising each ``u[i]`` to cover that mentee's most underpriced pair makes the prices
    feasible for every pair, so by LP duality no assignment is worth more than
    ``sum(u) + sum(capacity * p)``. No pair left means the graph's optimum is the optimum.

    Every pair worth more than its prices counts, however little: an absolute cut-off here
    once let pairs worth less than it stay out while the result still claimed to be optimal,
    which is false for a program whose scores are all that small."""
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
        found.append((rows * m + top)[gain > 0.0])
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
    flat = scores.ravel()
    mentor_of = solve_on_graph(scores.shape, caps, edges // m, edges % m, flat[edges], match_bonus)
    gap: float | None = None
    for round_ in range(rounds + 1):
        duals = graph_duals(
            scores.shape, caps, edges // m, edges % m, flat[edges], mentor_of, match_bonus
        )
        if duals is None:
            gap = None
            break
        extra, bound = _violations(scores, caps, *duals, k=k, match_bonus=match_bonus)
        matched = mentor_of != UNMATCHED
        value = float((scores[matched, mentor_of[matched]] + match_bonus).sum())
        gap = max(bound - value, 0.0)
        extra = np.setdiff1d(extra[np.isfinite(scores.ravel()[extra])], edges)
        if not extra.size:
            # No pair outside the graph beats its prices by any amount: the graph's optimum
            # is the optimum of the whole matrix (what is left of ``bound`` is rounding).
            gap = 0.0
            break
        if round_ == rounds:
            break
        edges = np.union1d(edges, extra)
        mentor_of = solve_on_graph(
            scores.shape, caps, edges // m, edges % m, flat[edges], match_bonus
        )
    return _finish("sparse", scores, mentor_of, optimality_gap=gap)
