"""The greedy baseline: highest score first while both sides are free."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.assignment.result import UNMATCHED, Assignment, _check, _finish


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
