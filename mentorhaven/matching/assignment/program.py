"""Choosing a method, and a whole program scored and assigned in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.assignment.blocks import assign_blocks
from mentorhaven.matching.assignment.exact import assign_exact
from mentorhaven.matching.assignment.greedy import assign_greedy
from mentorhaven.matching.assignment.result import (
    DEFAULT_MAX_DENSE_CELLS,
    DEFAULT_MAX_EXACT_CELLS,
    Assignment,
    Method,
    capacities_of,
)
from mentorhaven.matching.assignment.sparse import assign_sparse
from mentorhaven.matching.domain import (
    Constraints,
    Participant,
    ParticipantId,
    Question,
    ScoreBlocks,
    ScoringConfig,
)
from mentorhaven.matching.text import TextSimilarity


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
    ``max_exact_cells`` and sparse beyond. (The block method scores as it goes, so it takes a
    ``ScoreBlocks``, not a matrix: ``match_program`` chooses it.)"""
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
    # The baseline, for the report; None on the block method, whose point is never to hold
    # the whole matrix that a greedy pass sorts through.
    greedy: Assignment | None
    # For review and suggestions; rows mentees, columns mentors; None on the block method.
    # Left out of ==.
    scores: NDArray[np.float64] | None = field(compare=False, repr=False)
    # The prepared program: goal similarities of chosen pairs come from here.
    blocks: ScoreBlocks | None = field(default=None, compare=False, repr=False)

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
    max_dense_cells: int = DEFAULT_MAX_DENSE_CELLS,
    match_bonus: float = 0.0,
) -> ProgramMatch:
    """Score a whole program and assign it, with the greedy baseline for comparison.

    "auto" streams the scores in blocks (``assign_blocks``: a certified gap instead of a proven
    optimum, and no greedy baseline) when mentees x mentors exceeds ``max_dense_cells``;
    below, it builds the score matrix and assigns it exactly (or sparse, see ``assign``)."""
    blocks = ScoreBlocks(
        mentees,
        mentors,
        questions,
        constraints=constraints,
        text_similarity=text_similarity,
        config=config,
    )
    capacities = capacities_of(mentors)
    n, m = blocks.shape
    if method == "blocks" or (method == "auto" and n * m > max_dense_cells):
        best = assign_blocks(blocks, capacities, match_bonus=match_bonus)
        return ProgramMatch(best=best, greedy=None, scores=None, blocks=blocks)
    scores = blocks.rows(0, n)
    best = assign(
        scores,
        capacities,
        method=method,
        max_exact_cells=max_exact_cells,
        match_bonus=match_bonus,
    )
    greedy = assign_greedy(scores, capacities)
    return ProgramMatch(best=best, greedy=greedy, scores=scores, blocks=blocks)
