"""The block method: programs too large for a whole score matrix (50,000 x 10,000 is 4 GB of
float64), assigned from candidates kept while the scores stream past a block of mentees at a
time, with a certified bound on how far the result can be from the optimum.

One pass over the blocks (``ScoreBlocks``, on two threads) keeps each mentee's ``pool`` best
mentors with their scores and a bound on every score left outside the pool. The candidate
graph (each mentee's ``k`` best, each mentor's ``mentor_k_per_seat * capacity`` best among the
pools) is assigned by an auction (``auction.py``), whose final prices ``p`` (per mentor, >= 0)
and ``u[i] = max(0, best score(i, j) - p[j])`` are a feasible LP dual solution once every pair
of the whole matrix is covered, so ``sum(u) + sum(capacity * p)`` bounds the best total of any
assignment (LP duality for the capacitated assignment). Covering every pair without scoring
them all again: pool pairs are checked directly; a pair outside the pool scores at most the
mentee's bound, so it can only beat its prices at a mentor priced below that; the mentees and
the cheap mentors where that can happen are scored again, exactly (usually none: the mentors
are full and priced above what is left outside the pools).

``optimality_gap`` is the bound minus the result. Pairs that beat their prices join the graph
and it is assigned again, until the gap is at most ``target_gap`` of the bound.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.assignment.result import UNMATCHED, Assignment
from mentorhaven.matching.domain.matrix import ScoreBlocks


class _Pool:
    """Per mentee: the ``width`` best feasible mentors (best first) and an upper bound on
    every score left outside them."""

    def __init__(self, n: int, width: int) -> None:
        self.cols = np.zeros((n, width), dtype=np.int64)
        self.score = np.full((n, width), -np.inf)
        self.rest = np.full(n, -np.inf)  # every pair outside the pool scores at most this

    def add(self, start: int, block: NDArray[np.float64]) -> None:
        size, m = block.shape
        width = self.cols.shape[1]
        if width >= m:
            top = np.argsort(-block, axis=1, kind="stable")
            self._keep(start, np.arange(size), top, np.take_along_axis(block, top, 1))
            return
        # A cut from every ``step``-th column that about twice ``width`` scores reach; only
        # those are sorted. Rows the cut leaves short are partitioned whole.
        step = max(1, m // 1024)
        sample = block[:, ::step]
        rank = min(sample.shape[1] - 1, -(-2 * (width + 1) // step))
        cut = -np.partition(-sample, rank, axis=1)[:, rank]
        wide = block >= cut[:, None]
        enough = np.count_nonzero(wide, axis=1) > width
        wide[~enough] = False
        r, c = np.nonzero(wide)
        v = block[r, c]
        order = np.lexsort((-v, r))
        r, c, v = r[order], c[order], v[order]
        place = np.arange(r.size) - np.searchsorted(r, r)
        self.rest[start + r[place == width]] = v[place == width]
        kept = place < width
        rows = np.flatnonzero(enough)
        self._keep(
            start, rows, c[kept].reshape(rows.size, width), v[kept].reshape(rows.size, width)
        )
        short = np.flatnonzero(~enough)
        if short.size:
            part = block[short]
            order_ = np.argpartition(-part, width, axis=1)
            self.rest[start + short] = np.take_along_axis(part, order_[:, width : width + 1], 1)[
                :, 0
            ]
            top = order_[:, :width]
            score = np.take_along_axis(part, top, 1)
            best_first = np.argsort(-score, axis=1, kind="stable")
            self._keep(
                start,
                short,
                np.take_along_axis(top, best_first, 1),
                np.take_along_axis(score, best_first, 1),
            )

    def _keep(
        self,
        start: int,
        rows: NDArray[np.int64],
        cols: NDArray[np.int64],
        score: NDArray[np.float64],
    ) -> None:
        """Store pools, best first, for the block rows ``rows``."""
        self.cols[start + rows, : cols.shape[1]] = cols
        self.score[start + rows, : cols.shape[1]] = score

    def first_graph(
        self, k: int, depth: NDArray[np.int64], m: int
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Each mentee's ``k`` best mentors and each mentor's ``depth`` best mentees among the
        pools, as flat pair indices (row * m + column), unique and sorted, with their scores."""
        n, width = self.cols.shape
        flat = np.arange(n)[:, None] * m + self.cols
        mentee_side = np.broadcast_to(np.arange(width) < k, (n, width))
        # Mentor side: pool entries by mentor, best first; a mentor keeps its first ``depth``.
        cols, score = self.cols.ravel(), self.score.ravel()
        order = np.lexsort((-score, cols))
        starts = np.searchsorted(cols[order], np.arange(m))
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size) - np.repeat(
            starts, np.diff(np.append(starts, order.size))
        )
        keep = mentee_side.ravel() | (rank < depth[cols])
        return _unique_feasible(flat.ravel()[keep], score[keep])


def _unique_feasible(
    flat: NDArray[np.int64], score: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    keep = np.isfinite(score)
    flat, first = np.unique(flat[keep], return_index=True)
    return flat, score[keep][first]


def _member(values: NDArray[np.int64], sorted_set: NDArray[np.int64]) -> NDArray[np.bool_]:
    if not sorted_set.size:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(sorted_set, values).clip(max=sorted_set.size - 1)
    return sorted_set[at] == values


def _top_gains(gain: NDArray[np.float64], k: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, column) of at most ``k`` positive gains per row, largest first."""
    kk = min(k, gain.shape[1])
    if kk == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    top = np.argpartition(-gain, kk - 1, axis=1)[:, :kk]
    r, c = np.nonzero(np.take_along_axis(gain, top, 1) > 0.0)
    return r, top[r, c]


def _cheapest_check(reach: NDArray[np.float64], price: NDArray[np.float64], m: int) -> float:
    """The price ``theta`` that makes the exact check smallest. A mentee whose pairs outside
    the pool may gain at most ``reach - price`` is "hard" when its ``reach`` is above
    ``theta`` (all its pairs are scored again); every other mentee is scored again only
    against the mentors priced below ``theta``."""
    finite = np.sort(price[np.isfinite(price)])
    reachable = reach[np.isfinite(reach)]
    candidates = np.unique(
        np.concatenate(
            ([0.0], np.quantile(reachable, np.linspace(0, 1, 65)) if reachable.size else [])
        )
    )
    cost = [
        int((reach > t).sum()) * m + int((reach <= t).sum()) * int(np.searchsorted(finite, t))
        for t in candidates
    ]
    return float(candidates[int(np.argmin(cost))])


def assign_blocks(
    blocks: ScoreBlocks,
    capacities: NDArray[np.int64],
    *,
    k: int = 20,
    pool: int = 64,
    mentor_k_per_seat: int = 2,
    block_rows: int = 1024,
    rounds: int = 4,
    target_gap: float = 1e-3,
    eps: float = 3e-4,
    patience: float = 16.0,
    match_bonus: float = 0.0,
    threads: int = 2,
    timings: dict[str, float] | None = None,
) -> Assignment:
    """Assign a program scored ``block_rows`` mentees at a time; memory grows with mentees x
    ``pool`` and ``block_rows`` x mentors, never with mentees x mentors.

    Stops when the certified gap is at most ``target_gap`` of the bound (or nothing is left
    to add, or after ``rounds`` growths of the graph). ``eps`` and ``patience`` tune the
    auction (see ``auction``). ``timings``, when given, receives the seconds of each step.

    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    from mentorhaven.matching.assignment.auction import auction

    n, m = blocks.shape
    if len(capacities) != m:
        raise ValueError("one capacity per mentor")
    caps = np.minimum(np.maximum(np.asarray(capacities, dtype=np.int64), 0), n)
    if not n or not caps.any():
        return Assignment("blocks", (UNMATCHED,) * n, 0.0, 0.0, optimality_gap=0.0)
    pool_ = _Pool(n, min(max(pool, k), m))

    def score_block(start: int) -> None:
        pool_.add(start, blocks.rows(start, start + block_rows, reuse=True))

    clock = {"start": time.perf_counter()}

    def lap(step: str) -> None:
        now = time.perf_counter()
        if timings is not None:
            timings[step] = timings.get(step, 0.0) + now - clock["start"]
        clock["start"] = now

    # NumPy lets go of the GIL in its loops, so threads share the scoring; each block's
    # products then run on one BLAS thread (more would only wait on each other).
    with (
        threadpool_limits(1, user_api="blas"),
        ThreadPoolExecutor(max_workers=max(1, threads)) as workers,
    ):
        list(workers.map(score_block, range(0, n, block_rows)))
    lap("scoring")
    flat, score = pool_.first_graph(k, mentor_k_per_seat * caps, m)
    keep = caps[flat % m] > 0
    flat, score = flat[keep], score[keep]
    pool_flat = np.arange(n)[:, None] * m + pool_.cols

    gap: float | None = None
    mentor_of = np.full(n, UNMATCHED, dtype=np.int64)
    for round_ in range(rounds + 1):
        rows, cols = flat // m, flat % m
        mentor_of, p = auction(n, caps, rows, cols, score + match_bonus, eps=eps, patience=patience)
        lap("auction")
        # Prices of seats, and per mentee the best it could still gain at them: an LP dual
        # solution for the graph, whatever the prices (any prices >= 0 will do).
        price = np.where(caps > 0, p, np.inf) - match_bonus
        u = np.zeros(n)
        np.maximum.at(u, rows, score - price[cols])
        # Pool pairs outside the graph: each mentee's best gain beyond ``u``.
        gain = pool_.score - price[pool_.cols] - u[:, None]
        gain[_member(pool_flat, flat)] = -np.inf
        cover = np.maximum(gain.max(axis=1, initial=-np.inf), 0.0)
        r, c = _top_gains(gain, k)
        extra = [r * m + pool_.cols[r, c]]
        extra_score = [pool_.score[r, c]]
        # Pairs outside the pool score at most ``rest``: they gain at most reach - price.
        reach = pool_.rest + match_bonus - u
        theta = _cheapest_check(reach, price, m)
        hard = np.flatnonzero(reach > theta)
        easy = np.flatnonzero((reach > 0.0) & (reach <= theta))
        cheap = np.flatnonzero(price < theta)
        for group, columns in ((hard, None), (easy, cheap)):
            width = m if columns is None else columns.size
            if not group.size or not width:
                continue
            at_once = max(1, block_rows * m // width)
            for at in range(0, group.size, at_once):
                index = group[at : at + at_once]
                col = np.arange(m) if columns is None else columns
                raw = blocks.take(index, columns, reuse=True)
                exact = raw - price[col][None, :]
                exact -= u[index, None]
                in_graph = flat[np.isin(flat // m, index)]
                in_graph = in_graph[_member(in_graph % m, col)]
                exact[
                    np.searchsorted(index, in_graph // m), np.searchsorted(col, in_graph % m)
                ] = -np.inf
                cover[index] = np.maximum(cover[index], exact.max(axis=1, initial=0.0))
                r, c = _top_gains(exact, k)
                extra.append(index[r] * m + col[c])
                extra_score.append(raw[r, c])
        lap("certificate")
        if timings is not None:
            timings["rows_scored_again"] = timings.get("rows_scored_again", 0) + hard.size
            timings["cells_scored_again"] = timings.get("cells_scored_again", 0) + (
                hard.size * m + easy.size * cheap.size
            )
            timings["rounds"] = round_ + 1
        reach[hard] = -np.inf  # scored again: ``cover`` is exact for them
        cover = np.maximum(cover, np.maximum(reach - theta, 0.0))
        bound = float((u + cover).sum() + (caps * np.where(caps > 0, p, 0.0)).sum())
        value = float(_matched_scores(flat, score, mentor_of, m).sum())
        value += match_bonus * int((mentor_of != UNMATCHED).sum())
        gap = max(bound - value, 0.0)
        new_flat, new_score = _unique_feasible(np.concatenate(extra), np.concatenate(extra_score))
        if not new_flat.size or gap <= target_gap * bound or round_ == rounds:
            break
        flat, score = _unique_feasible(
            np.concatenate((flat, new_flat)), np.concatenate((score, new_score))
        )
    matched_scores = _matched_scores(flat, score, mentor_of, m)
    return Assignment(
        method="blocks",
        mentor_of=tuple(int(j) for j in mentor_of),
        total=float(matched_scores.sum()),
        coverage=float((mentor_of != UNMATCHED).sum()) / n if n else 0.0,
        optimality_gap=gap,
    )


def _matched_scores(
    flat: NDArray[np.int64], score: NDArray[np.float64], mentor_of: NDArray[np.int64], m: int
) -> NDArray[np.float64]:
    rows = np.flatnonzero(mentor_of != UNMATCHED)
    return score[np.searchsorted(flat, rows * m + mentor_of[rows])]
