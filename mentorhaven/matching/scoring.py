"""Glue between loaded program data and the pure matcher: whole-program runs, one row of
suggestions, and the score and reasons of a single pair. No writes here.

Two scores per pair: ``score`` (everything consented, the goals too) decides the assignment and
is never stored or shown; ``shown`` (``domain.shown_score``: non-sensitive choice and scale
questions only) is what admins see, so that a draft cannot be used to test a mentee against a
chosen sensitive answer or chosen goals. Reasons are kept in full order
(``EXPLAIN_ALL``); participants are shown the first three, admins the first three that are
not about the goals (``models.factor_list``/``admin_factor_list``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from mentorhaven.matching import assignment, domain
from mentorhaven.matching.adapters import ProgramData, factors_json
from mentorhaven.matching.text import TfidfSimilarity

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
    greedy_total: float
    greedy_coverage: float


def _shown_total(data: ProgramData, mentor_of) -> float:
    return float(
        sum(
            domain.shown_score(data.mentees[i], data.mentors[j], data.questions)
            for i, j in enumerate(mentor_of)
            if j != assignment.UNMATCHED
        )
    )


def _goal_similarities(mentees, mentors) -> np.ndarray:
    return TfidfSimilarity().similarity_matrix(
        [p.goals_text for p in mentees], [p.goals_text for p in mentors]
    )


def run_program(data: ProgramData, *, method: assignment.Method = "auto") -> RunResult:
    """Assign the whole program and explain every chosen pair."""
    result = assignment.match_program(
        data.mentees, data.mentors, data.questions, constraints=data.constraints, method=method
    )
    goals = _goal_similarities(data.mentees, data.mentors)
    pairs = []
    for i, j in enumerate(result.best.mentor_of):
        if j == assignment.UNMATCHED:
            continue
        mentee, mentor = data.mentees[i], data.mentors[j]
        factors = domain.explain(
            mentee,
            mentor,
            data.questions,
            goal_similarity=float(goals[i, j]) if goals.size else None,
            constraints=data.constraints,
            limit=EXPLAIN_ALL,
        )
        pairs.append(
            ScoredPair(
                cast(int, mentee.id),
                cast(int, mentor.id),
                float(result.scores[i, j]),
                factors_json(factors),
                shown=domain.shown_score(mentee, mentor, data.questions),
            )
        )
    return RunResult(
        method=result.best.method,
        pairs=pairs,
        total=float(sum(p.shown for p in pairs)),
        coverage=result.best.coverage,
        greedy_total=_shown_total(data, result.greedy.mentor_of),
        greedy_coverage=result.greedy.coverage,
    )


def score_one(data: ProgramData, mentee_id: int, mentor_id: int) -> ScoredPair | None:
    """Score and reasons of one pair, or None when the pair may not be matched (an
    exclusion, a paused or full mentor, or someone who is not a participant)."""
    mentee, mentor = data.mentee(mentee_id), data.mentor(mentor_id)
    if mentee is None or mentor is None:
        return None
    goals = _goal_similarities(data.mentees, data.mentors)
    i, j = data.mentees.index(mentee), data.mentors.index(mentor)
    similarity = float(goals[i, j]) if goals.size else None
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
    """The mentee's best feasible mentors, best first (ties: lower user id)."""
    mentee = data.mentee(mentee_id)
    if mentee is None or not data.mentors:
        return []
    scores = domain.score_matrix(
        data.mentees, data.mentors, data.questions, constraints=data.constraints
    )
    goals = _goal_similarities(data.mentees, data.mentors)
    i = data.mentees.index(mentee)
    row = scores[i]
    order = sorted(
        (j for j in range(len(data.mentors)) if np.isfinite(row[j])),
        key=lambda j: (-row[j], data.mentors[j].id),
    )[:limit]
    out = []
    for j in order:
        mentor = data.mentors[j]
        factors = domain.explain(
            mentee,
            mentor,
            data.questions,
            goal_similarity=float(goals[i, j]),
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
