"""An assignment and the checks and bookkeeping every method shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.domain import (
    Participant,
    ParticipantId,
)

UNMATCHED = -1


# 16M cells: the dense mentee x seat cost matrix is 128 MB of float64, and SciPy works on a
# copy, so the exact method stays well under 0.5 GB; past it the sparse method takes over.
DEFAULT_MAX_EXACT_CELLS = 16_000_000


# 16M cells: past this many mentees x mentors a whole-program run does not build the score
# matrix (128 MB of float64, and the greedy baseline sorts through it) but streams it in blocks
# (``assign_blocks``). Below it the exact or sparse method keeps its proven optimum.
DEFAULT_MAX_DENSE_CELLS = 16_000_000


Method = Literal["auto", "exact", "sparse", "greedy", "blocks"]


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
        # Only an actual proof: a small positive gap (scores can be that small) is not one.
        return self.optimality_gap == 0.0

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
