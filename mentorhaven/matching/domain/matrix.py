"""A whole program's scores at once, as a mentee x mentor matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.domain.model import (
    INFEASIBLE,
    Answer,
    Constraints,
    Participant,
    ParticipantId,
    Question,
    QuestionKind,
    Role,
    ScoringConfig,
)
from mentorhaven.matching.domain.pairs import usable_answer
from mentorhaven.matching.text import TextSimilarity, TfidfSimilarity


def _check_roles(people: Sequence[Participant], role: Role) -> None:
    seen: set[ParticipantId] = set()
    for person in people:
        if person.role != role:
            raise ValueError(f"participant {person.id!r} is not a {role}")
        if person.id in seen:  # exclusions and preferences are keyed by id
            raise ValueError(f"participant {person.id!r} appears twice")
        seen.add(person.id)


def _usable(people: Sequence[Participant], question: Question) -> list[Answer | None]:
    return [usable_answer(p, question) for p in people]


def _indicators(
    question: Question, left: list[Answer | None], right: list[Answer | None]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One column per option; a row of zeros where the answer may not be used."""
    options: dict[str, int] = {}
    for answer in [*left, *right]:
        chosen = [answer] if isinstance(answer, str) else sorted(answer or ())  # type: ignore[arg-type]
        for value in chosen:
            options.setdefault(value, len(options))

    def indicator(answers: list[Answer | None]) -> NDArray[np.float64]:
        out = np.zeros((len(answers), max(len(options), 1)))
        for row, answer in enumerate(answers):
            chosen = [answer] if isinstance(answer, str) else answer or ()
            out[row, [options[v] for v in chosen]] = 1.0  # type: ignore[union-attr]
        return out

    return indicator(left), indicator(right)


def _add_multi(
    numerator: NDArray[np.float64],
    question: Question,
    left: NDArray[np.float64],
    right: NDArray[np.float64],
    scratch: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> None:
    # Reused buffers: on a large program touching a fresh n x m array for the first time
    # (page faults) costs more than the arithmetic on it.
    shared, union = scratch
    np.matmul(left, right.T, out=shared)
    np.add.outer(left.sum(axis=1), right.sum(axis=1), out=union)
    union -= shared
    np.maximum(union, 1.0, out=union)  # zero only where nothing may be used: shared is 0 too
    union *= 1.0 / question.weight
    shared /= union
    numerator += shared


def _add_scale(
    numerator: NDArray[np.float64],
    question: Question,
    left: list[Answer | None],
    right: list[Answer | None],
    scratch: tuple[NDArray[np.float64], NDArray[np.float64]],
) -> None:
    a = np.array([x if x is not None else 0.0 for x in left], dtype=np.float64)
    b = np.array([x if x is not None else 0.0 for x in right], dtype=np.float64)
    sim = np.subtract.outer(a, b, out=scratch[0])
    np.abs(sim, out=sim)
    sim *= -1.0 / (question.scale_max - question.scale_min)
    sim += 1.0
    sim *= (question.weight * np.array([x is not None for x in left]))[:, None]
    sim *= np.array([x is not None for x in right], dtype=np.float64)[None, :]
    numerator += sim


def score_matrix(
    mentees: Sequence[Participant],
    mentors: Sequence[Participant],
    questions: Sequence[Question],
    *,
    constraints: Constraints | None = None,
    text_similarity: TextSimilarity | None = None,
    config: ScoringConfig | None = None,
) -> NDArray[np.float64]:
    """Scores of every mentee (rows) against every mentor (columns), as ``score_pair``
    would give them; infeasible pairs hold ``INFEASIBLE``.

    Single-choice agreement for all questions at once is one matrix product of weighted
    option indicators; the total weight of the parts that count for a pair (the mean's
    denominator) is another, over "may use" indicators."""
    config = config or ScoringConfig()
    constraints = constraints or Constraints()
    text_similarity = text_similarity or TfidfSimilarity()
    _check_roles(mentees, Role.MENTEE)
    _check_roles(mentors, Role.MENTOR)
    n, m = len(mentees), len(mentors)
    numerator = np.zeros((n, m))
    scratch = (np.empty((n, m)), np.empty((n, m)))
    weights, left_use, right_use = [], [], []
    single_left, single_right = [], []

    for question in questions:
        left, right = _usable(mentees, question), _usable(mentors, question)
        weights.append(question.weight)
        left_use.append([x is not None for x in left])
        right_use.append([x is not None for x in right])
        if not any(left_use[-1]) or not any(right_use[-1]):
            continue
        if question.kind == QuestionKind.SCALE:
            _add_scale(numerator, question, left, right, scratch)
            continue
        a, b = _indicators(question, left, right)
        if question.kind == QuestionKind.SINGLE:
            single_left.append(question.weight * a)
            single_right.append(b)
        else:
            _add_multi(numerator, question, a, b, scratch)
    if single_left:
        numerator += np.matmul(np.hstack(single_left), np.hstack(single_right).T, out=scratch[0])

    left_text = [bool(p.goals_text.strip()) for p in mentees]
    right_text = [bool(p.goals_text.strip()) for p in mentors]
    if config.goal_weight > 0 and any(left_text) and any(right_text):
        goals = text_similarity.similarity_matrix(
            [p.goals_text for p in mentees], [p.goals_text for p in mentors]
        )
        goals *= (config.goal_weight * np.array(left_text))[:, None]
        goals *= np.array(right_text, dtype=np.float64)[None, :]
        numerator += goals
        del goals
        weights.append(config.goal_weight)
        left_use.append(left_text)
        right_use.append(right_text)

    parts = len(weights)
    left_weight = np.array(left_use, dtype=np.float64).reshape(parts, n).T * np.array(weights)
    right_weight = np.array(right_use, dtype=np.float64).reshape(parts, m)
    denominator = np.matmul(left_weight, right_weight, out=scratch[1])
    scores = numerator  # reuse the memory: base = numerator / denominator, 0 without parts
    np.divide(numerator, denominator, out=scores, where=denominator > 0)
    del denominator, scratch

    bonus = config.preference_bonus
    mentee_index = {p.id: i for i, p in enumerate(mentees)}
    mentor_index = {p.id: j for j, p in enumerate(mentors)}
    for mentee_id, wanted in constraints.preferences.items():
        i = mentee_index.get(mentee_id)
        if i is not None:
            for mentor_id in wanted:
                j = mentor_index.get(mentor_id)
                if j is not None:
                    scores[i, j] += bonus * (1.0 - scores[i, j])

    scores[:, [not p.available for p in mentors]] = INFEASIBLE
    for mentee_id, mentor_id in constraints.exclusions:
        i, j = mentee_index.get(mentee_id), mentor_index.get(mentor_id)
        if i is not None and j is not None:
            scores[i, j] = INFEASIBLE
    return scores
