"""The product's match run on large programs: past the dense limit it streams scores in blocks,
records the method and its certified gap, and never builds a mentees x mentors array; one
suggestion row and one pair are scored alone, with the answers they gave before."""

from __future__ import annotations

import numpy as np
import pytest

from mentorhaven.matching import assignment, domain, scoring
from mentorhaven.matching.adapters import ProgramData, factors_json
from mentorhaven.matching.domain import (
    Constraints,
    Participant,
    Question,
    QuestionKind,
    Role,
    ScoreBlocks,
)
from mentorhaven.matching.text import TfidfRows, TfidfSimilarity

QUESTIONS = [
    Question("industry", QuestionKind.SINGLE, label="Industry", weight=1.0),
    Question("topics", QuestionKind.MULTI, label="Topics", weight=2.0),
    Question("seniority", QuestionKind.SCALE, label="Seniority", scale_min=1, scale_max=5),
    Question("gender", QuestionKind.SINGLE, weight=0.5, sensitive=True),
]
GOALS = [
    "lead a team",
    "change career into data",
    "learn python and data",
    "speak in public",
    "grow a team and lead it",
    "",
]


def program(n: int, m: int, seed: int = 0) -> ProgramData:
    """A program of ``n`` mentees (ids 0..n-1) and ``m`` mentors (ids 100000 + j)."""
    rng = np.random.default_rng(seed)

    def person(pid: int, role: Role) -> Participant:
        answers: dict = {
            "industry": str(rng.choice(["tech", "health", "finance"])),
            "topics": frozenset(rng.choice(["a", "b", "c", "d", "e"], rng.integers(1, 4), False)),
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

    mentees = [person(i, Role.MENTEE) for i in range(n)]
    mentors = [person(100_000 + j, Role.MENTOR) for j in range(m)]
    constraints = Constraints(
        exclusions=frozenset({(0, 100_000), (3, 100_002), (5, 100_001)}),
        preferences={1: frozenset({100_003}), 2: frozenset({100_000, 100_004})},
    )
    return ProgramData(QUESTIONS, mentees, mentors, constraints, open_load={})


def full_total(result: scoring.RunResult) -> float:
    return sum(p.score for p in result.pairs)


# ---------------------------------------------------------------- the block path of a run


def test_a_run_past_the_dense_limit_takes_blocks_and_is_within_its_gap_of_the_exact_optimum():
    data = program(300, 60, seed=3)
    exact = scoring.run_program(data, method="exact")
    blocks = scoring.run_program(data, dense_cells=300 * 60 - 1)
    assert exact.method == "exact" and exact.optimality_gap == 0.0
    assert blocks.method == "blocks"
    assert blocks.optimality_gap is not None and 0.0 <= blocks.optimality_gap <= 5e-3
    bound = full_total(blocks) / (1.0 - blocks.optimality_gap)
    assert full_total(blocks) <= full_total(exact) + 1e-9 <= bound + 2e-9
    assert blocks.greedy_total is None and blocks.greedy_coverage is None  # not computed
    assert exact.greedy_total is not None and exact.greedy_total <= exact.total + 1e-9


def test_at_the_dense_limit_a_run_keeps_its_exact_optimum():
    data = program(40, 12)
    assert scoring.run_program(data, dense_cells=40 * 12).method == "exact"
    assert scoring.run_program(data).method == "exact"  # default: 16 million cells


def test_block_pairs_carry_the_same_scores_and_reasons_as_the_whole_matrix_gives():
    data = program(200, 40, seed=5)
    result = scoring.run_program(data, dense_cells=1)
    assert result.method == "blocks" and result.pairs
    whole = domain.score_matrix(
        data.mentees, data.mentors, data.questions, constraints=data.constraints
    )
    goals = TfidfSimilarity().similarity_matrix(
        [p.goals_text for p in data.mentees], [p.goals_text for p in data.mentors]
    )
    row = {p.id: i for i, p in enumerate(data.mentees)}
    col = {p.id: j for j, p in enumerate(data.mentors)}
    for pair in result.pairs:
        i, j = row[pair.mentee_id], col[pair.mentor_id]
        mentee, mentor = data.mentees[i], data.mentors[j]
        assert pair.score == pytest.approx(whole[i, j], abs=1e-12)
        assert pair.shown == domain.shown_score(mentee, mentor, data.questions)
        expected = domain.explain(
            mentee,
            mentor,
            data.questions,
            goal_similarity=float(goals[i, j]),
            constraints=data.constraints,
            limit=scoring.EXPLAIN_ALL,
        )
        assert pair.factors == factors_json(expected)
    assert any(f["code"] == "similar_goals" for p in result.pairs for f in p.factors)


@pytest.fixture
def no_whole_matrix(monkeypatch):
    """Fail on anything that makes a mentees x mentors array: the whole score matrix, the whole
    goal similarity matrix, the dense assigners and the greedy pass over a matrix, and any block
    of every mentee by every mentor. Returns the shapes of the blocks that were scored."""
    scored: list[tuple[int, int]] = []
    take = ScoreBlocks.take

    def checked_take(self, index, columns=None, *, reuse=False):
        out = take(self, index, columns, reuse=reuse)
        assert out.shape != self.shape, "a block of every mentee by every mentor"
        scored.append(out.shape)
        return out

    def refuse(*args, **kwargs):
        raise AssertionError("a mentees x mentors matrix was built")

    monkeypatch.setattr(ScoreBlocks, "take", checked_take)
    monkeypatch.setattr(TfidfSimilarity, "similarity_matrix", refuse)
    monkeypatch.setattr(domain, "score_matrix", refuse)
    monkeypatch.setattr("mentorhaven.matching.domain.matrix.score_matrix", refuse)
    for name in ("assign", "assign_greedy", "assign_exact", "assign_sparse"):
        monkeypatch.setattr(f"mentorhaven.matching.assignment.program.{name}", refuse)
    return scored


def test_a_block_run_builds_no_mentees_by_mentors_array(no_whole_matrix):
    # More mentees than one block (1,024 rows) so a block is never the whole program.
    data = program(1_500, 30, seed=7)
    result = scoring.run_program(data, dense_cells=10_000)
    assert result.method == "blocks" and result.optimality_gap is not None
    assert len(result.pairs) > 0
    assert no_whole_matrix and max(rows for rows, _ in no_whole_matrix) <= 1_024


def test_a_dense_run_does_build_the_matrix(no_whole_matrix):
    # The check above can fail: below the limit the same run trips it.
    with pytest.raises(AssertionError):
        scoring.run_program(program(1_500, 30, seed=7))


# ---------------------------------------------------------------- one row, one pair


def old_suggest(data: ProgramData, mentee_id: int, limit: int = 5):
    """``suggest`` as it was: the whole score and goal matrices, then one row of them."""
    mentee = data.mentee(mentee_id)
    scores = domain.score_matrix(
        data.mentees, data.mentors, data.questions, constraints=data.constraints
    )
    goals = TfidfSimilarity().similarity_matrix(
        [p.goals_text for p in data.mentees], [p.goals_text for p in data.mentors]
    )
    i = data.mentees.index(mentee)
    order = sorted(
        (j for j in range(len(data.mentors)) if np.isfinite(scores[i, j])),
        key=lambda j: (-round(float(scores[i, j]), 12), data.mentors[j].id),
    )[:limit]
    return [
        (
            data.mentors[j].id,
            pytest.approx(float(scores[i, j]), abs=1e-12),
            factors_json(
                domain.explain(
                    mentee,
                    data.mentors[j],
                    data.questions,
                    goal_similarity=float(goals[i, j]),
                    constraints=data.constraints,
                )
            ),
        )
        for j in order
    ]


def old_score_one(data: ProgramData, mentee_id: int, mentor_id: int):
    mentee, mentor = data.mentee(mentee_id), data.mentor(mentor_id)
    goals = TfidfSimilarity().similarity_matrix(
        [p.goals_text for p in data.mentees], [p.goals_text for p in data.mentors]
    )
    i, j = data.mentees.index(mentee), data.mentors.index(mentor)
    score = domain.score_pair(
        mentee,
        mentor,
        data.questions,
        goal_similarity=float(goals[i, j]),
        constraints=data.constraints,
    )
    if score == domain.INFEASIBLE:
        return None
    factors = domain.explain(
        mentee,
        mentor,
        data.questions,
        goal_similarity=float(goals[i, j]),
        constraints=data.constraints,
        limit=scoring.EXPLAIN_ALL,
    )
    return (pytest.approx(score, abs=1e-12), factors_json(factors))


def test_suggestions_are_what_the_whole_matrix_gave():
    data = program(80, 50, seed=11)
    for mentee_id in (0, 1, 2, 3, 17, 79):  # with exclusions and preferences among them
        new = [(s.mentor_id, s.score, s.factors) for s in scoring.suggest(data, mentee_id)]
        assert new == old_suggest(data, mentee_id)
        assert len(new) == 5


def test_one_pair_scores_as_the_whole_matrix_gave():
    data = program(80, 50, seed=11)
    mentor_ids = [p.id for p in data.mentors]
    for mentee_id, mentor_id in [(0, 100_000), (1, 100_003), (2, 100_004), (5, 100_001)] + [
        (i, mentor_ids[(7 * i) % 50]) for i in range(0, 80, 9)
    ]:
        new = scoring.score_one(data, mentee_id, mentor_id)
        old = old_score_one(data, mentee_id, mentor_id)
        assert (None if new is None else (new.score, new.factors)) == old
    assert scoring.score_one(data, 0, 100_000) is None  # excluded


def test_suggest_scores_one_row_and_score_one_no_row(no_whole_matrix, monkeypatch):
    data = program(300, 40, seed=2)
    assert len(scoring.suggest(data, 7)) == 5
    assert no_whole_matrix == [(1, 40)]
    monkeypatch.setattr(TfidfRows, "__call__", lambda *a: pytest.fail("a row was scored"))
    assert scoring.score_one(data, 7, data.mentors[1].id) is not None
    assert no_whole_matrix == [(1, 40)]


def test_pair_similarities_are_the_cells_of_the_whole_matrix():
    left = ["learn python", "python python rust", "lead people", ""]
    right = ["python", "rust people", ""]
    whole = TfidfSimilarity().similarity_matrix(left, right)
    rows = TfidfSimilarity().prepare(left, right)
    assert isinstance(rows, TfidfRows)
    i, j = np.array([0, 1, 1, 2, 3, 0]), np.array([0, 0, 1, 1, 0, 2])
    np.testing.assert_allclose(rows.pairs(i, j), whole[i, j], atol=1e-12)


def test_the_default_dense_limit_is_a_setting(settings):
    data = program(30, 10)
    settings.MATCHING_MAX_DENSE_CELLS = 299
    assert scoring.max_dense_cells() == 299
    assert scoring.run_program(data).method == "blocks"
    settings.MATCHING_MAX_DENSE_CELLS = assignment.DEFAULT_MAX_DENSE_CELLS
    assert scoring.run_program(data).method == "exact"


@pytest.mark.parametrize(("variable", "expected"), [("", 16_000_000), ("2500000", 2_500_000)])
def test_operators_set_the_dense_limit_in_the_environment(variable, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MENTORHAVEN_MATCHING_MAX_DENSE_CELLS"}
    if variable:
        env["MENTORHAVEN_MATCHING_MAX_DENSE_CELLS"] = variable
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from mentorhaven.matching import scoring; "
            "print(scoring.max_dense_cells())",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "mentorhaven.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    assert int(shown) == expected
