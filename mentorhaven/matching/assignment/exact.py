"""The dense exact method: mentors as seats, SciPy's linear_sum_assignment."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.assignment.result import UNMATCHED, Assignment, _check, _finish


def assign_exact(
    scores: NDArray[np.float64], capacities: NDArray[np.int64], *, match_bonus: float = 0.0
) -> Assignment:
    # SciPy loads here, on the first run, not in every process that imports matching.
    from scipy.optimize import linear_sum_assignment

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
