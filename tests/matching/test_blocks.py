"""Programs too large for a whole score matrix: scores a block at a time, an auction on the
candidates, and a bound that holds for the whole matrix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from mentorhaven.matching import (
    Constraints,
    Participant,
    Question,
    QuestionKind,
    Role,
    ScoreBlocks,
    TfidfSimilarity,
    assign_blocks,
    assign_exact,
    capacities_of,
    score_matrix,
)
from mentorhaven.matching.assignment.auction import auction
from tests.matching.test_assignment import assert_valid, brute_force_best, problems
from tests.matching.test_domain import WordOverlap

QUESTIONS = [
    Question("industry", QuestionKind.SINGLE, weight=1.0),
    Question("topics", QuestionKind.MULTI, weight=2.0),
    Question("seniority", QuestionKind.SCALE, weight=1.0, scale_min=1, scale_max=5),
    Question("gender", QuestionKind.SINGLE, weight=0.5, sensitive=True),
]
GOALS = ["lead a team", "change career", "learn python", "speak in public", ""]


def program(n: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)

    def person(pid: str, role: Role) -> Participant:
        answers: dict = {
            "industry": str(rng.choice(["tech", "health", "finance"])),
            "topics": frozenset(rng.choice(["a", "b", "c", "d"], rng.integers(0, 3), False)),
            "seniority": int(rng.integers(1, 6)),
            "gender": str(rng.choice(["w", "m"])),
        }
        if rng.random() < 0.2:
            del answers["seniority"]
        return Participant(
            id=pid,
            role=role,
            answers=answers,
            goals_text=str(rng.choice(GOALS)),
            capacity=int(rng.integers(1, 4)),
            paused=role == Role.MENTOR and rng.random() < 0.1,
            consents=frozenset({"gender"}) if rng.random() < 0.5 else frozenset(),
        )

    mentees = [person(f"e{i}", Role.MENTEE) for i in range(n)]
    mentors = [person(f"r{j}", Role.MENTOR) for j in range(m)]
    constraints = Constraints(
        exclusions=frozenset({("e0", "r0"), ("e3", "r2"), ("e5", "r1")}),
        preferences={"e1": frozenset({"r3"}), "e2": frozenset({"r0", "r4"})},
    )
    return mentees, mentors, constraints


class MatrixBlocks:
    """A score matrix behind the ScoreBlocks interface, for solver tests on any matrix."""

    def __init__(self, scores):
        self.scores = scores
        self.shape = scores.shape

    def rows(self, start, stop, *, reuse=False):
        return self.scores[start:stop].copy()

    def take(self, index, columns=None, *, reuse=False):
        block = self.scores[index]
        return block if columns is None else block[:, columns]


@pytest.mark.parametrize("similarity", [None, WordOverlap()])
def test_blocks_are_the_rows_and_columns_of_the_whole_matrix(similarity):
    mentees, mentors, constraints = program(40, 12)
    whole = score_matrix(
        mentees, mentors, QUESTIONS, constraints=constraints, text_similarity=similarity
    )
    blocks = ScoreBlocks(
        mentees, mentors, QUESTIONS, constraints=constraints, text_similarity=similarity
    )
    stacked = np.vstack(
        [blocks.rows(start, start + 7, reuse=True).copy() for start in range(0, 40, 7)]
    )
    np.testing.assert_allclose(stacked, whole, rtol=0, atol=1e-12)
    rows, cols = np.array([0, 1, 2, 5, 39]), np.array([0, 2, 4, 11])
    np.testing.assert_allclose(blocks.take(rows, cols), whole[np.ix_(rows, cols)], atol=1e-12)
    assert np.isneginf(whole[0, 0]) and np.isneginf(blocks.take(np.array([0]), np.array([0])))


def test_block_scores_match_the_pair_by_pair_definition_on_a_scale_question():
    # A scale answer outside the usual grid still scores 1 - |a - b| / (max - min).
    mentee = Participant("e", Role.MENTEE, answers={"seniority": 2.5})
    mentor = Participant("r", Role.MENTOR, answers={"seniority": 5}, capacity=1)
    scores = ScoreBlocks([mentee], [mentor], QUESTIONS[2:3]).rows(0, 1)
    assert scores[0, 0] == pytest.approx(1 - 2.5 / 4)


def test_tfidf_is_fitted_on_the_whole_program_not_the_block():
    left, right = ["learn python", "python python rust", "lead people"], ["python", "rust"]
    whole = TfidfSimilarity().similarity_matrix(left, right)
    rows = TfidfSimilarity().prepare(left, right)(np.array([1, 2]), np.array([1]), None)
    np.testing.assert_allclose(rows, whole[1:, 1:])


@settings(max_examples=150, deadline=None)
@given(problems())
def test_blocks_result_is_valid_and_its_bound_holds(problem):
    scores, capacities = problem
    result = assign_blocks(MatrixBlocks(scores), capacities, k=2, pool=2, block_rows=3)
    assert_valid(result, scores, capacities)
    best = brute_force_best(scores, capacities)
    assert result.total <= best + 1e-9
    assert result.optimality_gap is not None
    assert best <= result.total + result.optimality_gap + 1e-9


@pytest.mark.parametrize("pool", [2, 8, 64])
def test_blocks_reach_the_exact_optimum_within_the_gap_it_reports(pool):
    mentees, mentors, constraints = program(300, 60, seed=3)
    scores = score_matrix(mentees, mentors, QUESTIONS, constraints=constraints)
    capacities = capacities_of(mentors)
    exact = assign_exact(scores, capacities).total
    timings: dict[str, float] = {}
    result = assign_blocks(
        ScoreBlocks(mentees, mentors, QUESTIONS, constraints=constraints),
        capacities,
        k=min(pool, 20),
        pool=pool,
        block_rows=64,
        timings=timings,
    )
    assert_valid(result, scores, capacities)
    assert result.total <= exact + 1e-9
    assert exact <= result.total + result.optimality_gap + 1e-9
    assert result.optimality_gap <= 5e-3 * (result.total + result.optimality_gap)  # issue goal
    assert timings["scoring"] >= 0 and timings["rounds"] >= 1


def test_auction_fills_seats_by_value_and_respects_capacity():
    # Two mentees want mentor 0 (one seat); the one who gains more from it gets it.
    rows, cols = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    value = np.array([1.0, 0.9, 1.0, 0.2])
    mentor_of, price = auction(2, np.array([1, 1]), rows, cols, value)
    assert mentor_of.tolist() == [1, 0]
    assert price[0] > 0 and price[1] >= 0


def test_empty_programs():
    assert assign_blocks(MatrixBlocks(np.zeros((0, 3))), np.array([1, 1, 1])).mentor_of == ()
    result = assign_blocks(MatrixBlocks(np.ones((2, 1))), np.array([0]))
    assert result.mentor_of == (-1, -1) and result.optimality_gap == 0.0
