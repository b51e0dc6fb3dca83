"""Glue between loaded program data and the pure matcher: whole-program runs, one row of
suggestions, and the score and reasons of a single pair. No writes here.

Two scores per pair: ``score`` (everything consented, the goals too) decides the assignment and
is never stored or shown; ``shown`` (``domain.shown_score``: non-sensitive choice and scale
questions only) is what admins see, so that a draft cannot be used to test a mentee against a
chosen sensitive answer or chosen goals. Reasons are kept in full order
(``EXPLAIN_ALL``); participants are shown the first three, admins the first three that are
not about the goals (``models.factor_list``/``admin_factor_list``).

No mentees x mentors matrix is built here beyond what the chosen method needs: a program past
``MATCHING_MAX_DENSE_CELLS`` (a setting, default ``assignment.DEFAULT_MAX_DENSE_CELLS``) is
assigned by the block method, and the goal similarities that explain the chosen pairs, one
suggestion row or one pair are computed for those pairs only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from django.conf import settings

from mentorhaven.matching import assignment, domain
from mentorhaven.matching.adapters import ProgramData, factors_json
from mentorhaven.matching.text import TfidfSimilarity, pair_similarities

# Every reason, strongest first: enough for any questionnaire (one per question, the goals,
# a preference). Who sees how many of them is decided where they are shown.
EXPLAIN_ALL = 1000


@dataclass(frozen=True)
class ScoredPair:
    mentee_id: int
    mentor_id: int
    score: float  # the full score: for choosing, never stored or shown
    factors: list[dict[str, str]]
    shown: float = 0.0  # what an admin may see (domain.shown_score)


@dataclass(frozen=True)
class RunResult:
    """A run's figures, all in shown scores (the full ones stay in the matcher)."""

    method: str
    pairs: list[ScoredPair]
    total: float
    coverage: float
    # The greedy baseline; None where it is not computed (the block method: a greedy pass
    # sorts through the whole score matrix, which that method exists not to hold).
    greedy_total: float | None
    greedy_coverage: float | None
    # How far below the best possible assignment the run may be, as a share of that best (on
    # the full scores, certified by LP duality): 0.0 proven optimal, None not known.
    optimality_gap: float | None = None


def _shown_total(data: ProgramData, mentor_of) -> float:
    return float(
        sum(
            domain.shown_score(data.mentees[i], data.mentors[j], data.questions)
            for i, j in enumerate(mentor_of)
            if j != assignment.UNMATCHED
        )
    )


def _relative_gap(best: assignment.Assignment) -> float | None:
    if best.optimality_gap is None:
        return None
    bound = best.total + best.optimality_gap
    return best.optimality_gap / bound if bound > 0 else 0.0


def max_dense_cells() -> int:
    """Mentees x mentors past which a run streams its scores in blocks (the setting
    ``MATCHING_MAX_DENSE_CELLS``)."""
    return int(getattr(settings, "MATCHING_MAX_DENSE_CELLS", assignment.DEFAULT_MAX_DENSE_CELLS))


def run_program(
    data: ProgramData,
    *,
    method: assignment.Method = "auto",
    dense_cells: int | None = None,
) -> RunResult:
    """Assign the whole program and explain every chosen pair. "auto" takes the block method
    past ``dense_cells`` mentees x mentors (default: ``max_dense_cells()``)."""
    result = assignment.match_program(
        data.mentees,
        data.mentors,
        data.questions,
        constraints=data.constraints,
        method=method,
        max_dense_cells=max_dense_cells() if dense_cells is None else dense_cells,
    )
    chosen = [(i, j) for i, j in enumerate(result.best.mentor_of) if j != assignment.UNMATCHED]
    rows = np.array([i for i, _ in chosen], dtype=np.int64)
    cols = np.array([j for _, j in chosen], dtype=np.int64)
    assert result.blocks is not None
    goals = result.blocks.goal_similarities(rows, cols)  # the chosen pairs only
    pairs = []
    for (i, j), similarity in zip(chosen, goals.tolist(), strict=True):
        mentee, mentor = data.mentees[i], data.mentors[j]
        factors = domain.explain(
            mentee,
            mentor,
            data.questions,
            goal_similarity=similarity,
            constraints=data.constraints,
            limit=EXPLAIN_ALL,
        )
        if result.scores is not None:
            score = float(result.scores[i, j])
        else:
            score = domain.score_pair(
                mentee,
                mentor,
                data.questions,
                goal_similarity=similarity,
                constraints=data.constraints,
            )
        pairs.append(
            ScoredPair(
                cast(int, mentee.id),
                cast(int, mentor.id),
                score,
                factors_json(factors),
                shown=domain.shown_score(mentee, mentor, data.questions),
            )
        )
    greedy = result.greedy
    return RunResult(
        method=result.best.method,
        pairs=pairs,
        total=float(sum(p.shown for p in pairs)),
        coverage=result.best.coverage,
        greedy_total=None if greedy is None else _shown_total(data, greedy.mentor_of),
        greedy_coverage=None if greedy is None else greedy.coverage,
        optimality_gap=_relative_gap(result.best),
    )


def _goal_similarity(data: ProgramData, i: int, j: int) -> float:
    """The goals' similarity of mentee ``i`` and mentor ``j``, weighted as in a whole run
    (TF-IDF fitted on the program's texts), computed for this one pair."""
    rows = TfidfSimilarity().prepare(
        [p.goals_text for p in data.mentees], [p.goals_text for p in data.mentors]
    )
    return float(pair_similarities(rows, np.array([i]), np.array([j]))[0])


def score_one(data: ProgramData, mentee_id: int, mentor_id: int) -> ScoredPair | None:
    """Score and reasons of one pair, or None when the pair may not be matched (an
    exclusion, a paused or full mentor, or someone who is not a participant)."""
    mentee, mentor = data.mentee(mentee_id), data.mentor(mentor_id)
    if mentee is None or mentor is None:
        return None
    if not mentor.available or (mentee.id, mentor.id) in data.constraints.exclusions:
        return None  # infeasible whatever the goals say: no need to read them
    similarity = _goal_similarity(data, data.mentees.index(mentee), data.mentors.index(mentor))
    score = domain.score_pair(
        mentee, mentor, data.questions, goal_similarity=similarity, constraints=data.constraints
    )
    if score == domain.INFEASIBLE:
        return None
    factors = domain.explain(
        mentee,
        mentor,
        data.questions,
        goal_similarity=similarity,
        constraints=data.constraints,
        limit=EXPLAIN_ALL,
    )
    return ScoredPair(
        mentee_id,
        mentor_id,
        score,
        factors_json(factors),
        shown=domain.shown_score(mentee, mentor, data.questions),
    )


def suggest(data: ProgramData, mentee_id: int, *, limit: int = 5) -> list[ScoredPair]:
    """The mentee's best feasible mentors, best first (ties: lower user id; scores equal to
    12 decimals are a tie, whatever the last bits of the arithmetic say). Only the mentee's
    row is scored, with the whole program's text weights."""
    mentee = data.mentee(mentee_id)
    if mentee is None or not data.mentors:
        return []
    blocks = domain.ScoreBlocks(
        data.mentees, data.mentors, data.questions, constraints=data.constraints
    )
    i = data.mentees.index(mentee)
    row = blocks.take(np.array([i]))[0]
    order = sorted(
        (j for j in range(len(data.mentors)) if np.isfinite(row[j])),
        key=lambda j: (-round(float(row[j]), 12), data.mentors[j].id),
    )[:limit]
    goals = blocks.goal_similarities(np.full(len(order), i), np.array(order, dtype=np.int64))
    out = []
    for j, similarity in zip(order, goals.tolist(), strict=True):
        mentor = data.mentors[j]
        factors = domain.explain(
            mentee,
            mentor,
            data.questions,
            goal_similarity=similarity,
            constraints=data.constraints,
        )
        out.append(
            ScoredPair(
                int(mentee_id),
                cast(int, mentor.id),
                float(row[j]),
                factors_json(factors),
            )
        )
    return out
