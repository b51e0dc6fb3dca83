"""Program-wide assignment: the invariants hold for any input, and exact is optimal."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mentorhaven.matching import (
    INFEASIBLE,
    Constraints,
    Participant,
    Question,
    QuestionKind,
    Role,
    assign,
    assign_exact,
    assign_greedy,
    assign_sparse,
    capacities_of,
    match_program,
)
from mentorhaven.matching.assignment import UNMATCHED

# Few distinct values so that ties, which are where solvers tend to slip, are common.
cell_st = st.sampled_from([INFEASIBLE, 0.0, 0.25, 0.5, 0.5, 0.75, 1.0]) | st.floats(0, 1)


@st.composite
def problems(draw, max_mentees=7, max_mentors=5, max_capacity=3):
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(1, max_mentors))
    cells = draw(st.lists(cell_st, min_size=n * m, max_size=n * m))
    scores = np.array(cells, dtype=np.float64).reshape(n, m)
    capacities = np.array(draw(st.lists(st.integers(0, max_capacity), min_size=m, max_size=m)))
    return scores, capacities


def assert_valid(result, scores, capacities):
    mentor_of = np.array(result.mentor_of, dtype=np.int64)
    assert mentor_of.shape == (scores.shape[0],)
    matched = np.flatnonzero(mentor_of != UNMATCHED)
    assert np.all(np.bincount(mentor_of[matched], minlength=len(capacities)) <= capacities)
    assert np.all(np.isfinite(scores[matched, mentor_of[matched]]))
    assert result.total == pytest.approx(scores[matched, mentor_of[matched]].sum())
    n = scores.shape[0]
    assert result.coverage == (matched.size / n if n else 0.0)


def brute_force_best(scores, capacities):
    n, m = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, m), repeat=n):
        used = np.zeros(m, dtype=int)
        total = 0.0
        for i, j in enumerate(choice):
            if j >= 0:
                used[j] += 1
                total += scores[i, j]
        if np.all(used <= capacities) and np.isfinite(total):
            best = max(best, total)
    return best


@settings(max_examples=150, deadline=None)
@given(problems())
def test_every_method_respects_capacity_and_never_assigns_an_infeasible_pair(problem):
    scores, capacities = problem
    for run in (assign_exact, assign_sparse, assign_greedy):
        assert_valid(run(scores, capacities), scores, capacities)


@settings(max_examples=100, deadline=None)
@given(problems(max_mentees=5, max_mentors=3, max_capacity=2))
def test_exact_reaches_the_true_optimum(problem):
    scores, capacities = problem
    assert assign_exact(scores, capacities).total == pytest.approx(
        brute_force_best(scores, capacities)
    )


@settings(max_examples=150, deadline=None)
@given(problems(), st.integers(1, 3), st.integers(0, 2))
def test_exact_beats_or_ties_greedy_and_sparse_never_beats_exact(problem, k, rounds):
    scores, capacities = problem
    exact = assign_exact(scores, capacities).total
    assert exact >= assign_greedy(scores, capacities).total - 1e-9
    sparse = assign_sparse(scores, capacities, k=k, mentor_k_per_seat=0, rounds=rounds)
    assert sparse.total <= exact + 1e-9


@settings(max_examples=150, deadline=None)
@given(problems(max_mentees=12, max_mentors=6), st.integers(1, 2), st.integers(0, 2))
# Found by hypothesis: every score below the old absolute cut-off of 1e-9, so the better
# pair left out of the graph was ignored and the result still claimed to be optimal.
@example((np.array([[2e-10, 1e-10], [2e-10, 0.0]]), np.array([1, 1])), 1, 0)
@example((np.array([[2e-10, 1e-10], [2e-10, 0.0]]), np.array([1, 1])), 1, 1)
# ... and the graph was solved with costs shifted by about 1, which rounded away differences
# between scores this small, so a worse pair was chosen and the prices never settled.
@example((np.array([[0.75e-14], [0.74609375e-14]]), np.array([1])), 1, 0)
# ... and the prices themselves were settled to an absolute 1e-12, so they stayed 0.
@example(
    (
        np.array([[INFEASIBLE, 2.5e-15, INFEASIBLE], [INFEASIBLE, 2.5e-15, 2.5e-15]]),
        np.array([0, 1, 1]),
    ),
    1,
    0,
)
def test_the_sparse_gap_is_a_true_bound_and_a_proof_of_optimality_is_never_wrong(
    problem, k, rounds
):
    scores, capacities = problem
    exact = assign_exact(scores, capacities).total
    sparse = assign_sparse(scores, capacities, k=k, mentor_k_per_seat=0, rounds=rounds)
    assert sparse.optimality_gap is not None
    assert exact <= sparse.total + sparse.optimality_gap + 1e-9
    if sparse.proven_optimal:
        assert sparse.total == pytest.approx(exact)


@settings(max_examples=100, deadline=None)
@given(problems(max_mentees=12, max_mentors=6), st.integers(1, 6))
def test_greedy_in_portions_is_the_same_as_greedy_in_one_sort(problem, portion):
    scores, capacities = problem
    whole = assign_greedy(scores, capacities)
    assert assign_greedy(scores, capacities, portion=portion) == whole
    # and it really is "best pair first": replaying the order by hand gives the same result
    order = sorted(
        (-scores[i, j], i, j)
        for i in range(scores.shape[0])
        for j in range(scores.shape[1])
        if np.isfinite(scores[i, j])
    )
    mentor_of, left = [UNMATCHED] * scores.shape[0], list(capacities)
    for _, i, j in order:
        if mentor_of[i] == UNMATCHED and left[j] > 0:
            mentor_of[i], left[j] = j, left[j] - 1
    assert whole.mentor_of == tuple(mentor_of)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_sparse_on_the_full_candidate_graph_is_exact(problem):
    scores, capacities = problem
    full = assign_sparse(scores, capacities, k=scores.shape[1], mentor_k_per_seat=0)
    assert full.total == pytest.approx(assign_exact(scores, capacities).total)


@settings(max_examples=50, deadline=None)
@given(problems())
def test_equal_inputs_give_equal_assignments(problem):
    scores, capacities = problem
    for run in (assign_exact, assign_sparse, assign_greedy):
        assert run(scores, capacities) == run(scores.copy(), capacities.copy())


def test_greedy_cut_from_a_sample_on_a_big_matrix_matches_one_full_sort():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 50, size=(1100, 1000)) / 50  # over a million cells, many ties
    scores[rng.random(scores.shape) < 0.1] = INFEASIBLE
    capacities = rng.integers(0, 3, size=1000)
    in_portions = assign_greedy(scores, capacities, portion=2_000)
    assert in_portions == assign_greedy(scores, capacities, portion=10**9)
    assert in_portions.coverage > 0.5


def test_sparse_method_gets_within_one_percent_of_the_optimum_on_a_mid_sized_program():
    rng = np.random.default_rng(7)
    # Scores with structure (shared taste) rather than pure noise, and a few infeasible pairs.
    taste = rng.random((400, 4)) @ rng.random((4, 80)) / 4 + 0.2 * rng.random((400, 80))
    taste[rng.random(taste.shape) < 0.02] = INFEASIBLE
    capacities = rng.integers(1, 7, size=80)
    exact = assign_exact(taste, capacities)
    first_graph_only = assign_sparse(taste, capacities, rounds=0)
    sparse = assign_sparse(taste, capacities)
    assert first_graph_only.total <= sparse.total <= exact.total + 1e-9
    assert sparse.total >= 0.99 * exact.total
    assert sparse.proven_optimal and exact.proven_optimal
    assert assign_greedy(taste, capacities).optimality_gap is None


def test_mentees_stay_unmatched_when_seats_run_out_or_no_mentor_is_feasible():
    scores = np.array([[0.9, INFEASIBLE], [0.8, INFEASIBLE], [INFEASIBLE, INFEASIBLE]])
    for run in (assign_exact, assign_sparse, assign_greedy):
        result = run(scores, np.array([1, 3]))
        assert result.mentor_of == (0, UNMATCHED, UNMATCHED)
        assert result.coverage == pytest.approx(1 / 3)


def test_exact_gives_up_one_great_pair_when_two_good_ones_are_worth_more_than_greedy():
    scores = np.array([[1.0, 0.9], [0.8, 0.0]])
    capacities = np.array([1, 1])
    assert assign_greedy(scores, capacities).mentor_of == (0, 1)
    exact = assign_exact(scores, capacities)
    assert exact.mentor_of == (1, 0)
    assert exact.total == pytest.approx(1.7)


def test_a_match_bonus_trades_score_for_coverage():
    scores = np.array([[1.0, 0.1], [0.1, INFEASIBLE]])
    capacities = np.array([1, 1])
    assert assign_exact(scores, capacities).coverage == 0.5
    for run in (assign_exact, assign_sparse):
        covered = run(scores, capacities, match_bonus=10.0)
        assert (covered.coverage, covered.mentor_of) == (1.0, (1, 0))


def test_auto_is_exact_while_it_fits_and_sparse_beyond():
    scores = np.random.default_rng(1).random((30, 6))
    capacities = np.full(6, 5)
    assert assign(scores, capacities).method == "exact"
    assert assign(scores, capacities, max_exact_cells=30 * 29).method == "sparse"


def test_scores_that_are_not_numbers_are_refused():
    with pytest.raises(ValueError, match="finite"):
        assign_exact(np.array([[np.nan]]), np.array([1]))
    with pytest.raises(ValueError, match="one capacity per mentor"):
        assign_greedy(np.zeros((2, 2)), np.array([1]))


# ---------------------------------------------------------------- whole programs from participants

QUESTIONS = [
    Question("industry", QuestionKind.SINGLE),
    Question("focus", QuestionKind.MULTI, weight=2.0),
    Question("seniority", QuestionKind.SCALE),
]


@st.composite
def programs(draw):
    answers = st.fixed_dictionaries(
        {},
        optional={
            "industry": st.sampled_from("abc"),
            "focus": st.frozensets(st.sampled_from("wxyz"), max_size=3),
            "seniority": st.integers(1, 5),
        },
    )
    mentees = [
        Participant(
            id=f"e{i}",
            role=Role.MENTEE,
            answers=draw(answers),
            goals_text=draw(st.sampled_from(["", "lead a team", "speak well"])),
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    mentors = [
        Participant(
            id=f"r{j}",
            role=Role.MENTOR,
            answers=draw(answers),
            capacity=draw(st.integers(0, 3)),
            paused=draw(st.booleans()),
            goals_text=draw(st.sampled_from(["", "lead a team", "data"])),
        )
        for j in range(draw(st.integers(1, 5)))
    ]
    pairs = [(e.id, r.id) for e in mentees for r in mentors]
    excluded = draw(st.frozensets(st.sampled_from(pairs))) if pairs else frozenset()
    return mentees, mentors, Constraints(exclusions=excluded)


@settings(max_examples=80, deadline=None)
@given(programs(), st.sampled_from(["exact", "sparse", "greedy"]))
def test_no_excluded_pair_no_paused_mentor_and_no_mentor_over_capacity(program, method):
    mentees, mentors, constraints = program
    result = match_program(mentees, mentors, QUESTIONS, constraints=constraints, method=method)
    pairs = result.pairs(mentees, mentors)
    by_id = {p.id: p for p in mentors}
    assert not set(pairs) & constraints.exclusions
    assert not any(by_id[r].paused for _, r in pairs)
    load = {r: sum(1 for _, x in pairs if x == r) for _, r in pairs}
    assert all(load[r] <= by_id[r].capacity for r in load)
    assert len({e for e, _ in pairs}) == len(pairs)
    assert result.best.total >= result.greedy.total - 1e-9 or method != "exact"


def test_match_program_reports_the_chosen_method_next_to_greedy():
    mentees = [
        Participant(id=e, role=Role.MENTEE, answers={"industry": x})
        for e, x in [("cara", "a"), ("dev", "a")]
    ]
    mentors = [
        Participant(id=r, role=Role.MENTOR, answers={"industry": x}, capacity=1)
        for r, x in [("ana", "a"), ("ben", "b")]
    ]
    result = match_program(mentees, mentors, QUESTIONS)
    assert result.best.method == "exact" and result.greedy.method == "greedy"
    assert sorted(result.pairs(mentees, mentors)) == [("cara", "ana"), ("dev", "ben")]
    assert (result.best.total, result.best.coverage) == (1.0, 1.0)
    assert capacities_of(mentors).tolist() == [1, 1]
    assert match_program(mentees, mentors, QUESTIONS) == result  # same input, same outcome
