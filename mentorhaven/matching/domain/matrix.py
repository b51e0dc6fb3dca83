"""A whole program's scores at once, as a mentee x mentor matrix."""

from __future__ import annotations

import threading
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
from mentorhaven.matching.text import (
    RowsOf,
    TextSimilarity,
    TfidfSimilarity,
    pair_similarities,
)


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
        rows, cols = [], []
        for row, answer in enumerate(answers):
            chosen = [answer] if isinstance(answer, str) else answer or ()
            for value in chosen:  # type: ignore[union-attr]
                rows.append(row)
                cols.append(options[value])
        out[rows, cols] = 1.0
        return out

    return indicator(left), indicator(right)


class ScoreBlocks:
    """A program prepared for scoring: the answers turned into arrays once, so any block of
    mentee rows can be scored against every mentor without the whole matrix in memory.

    ``rows(start, stop)`` gives exactly the rows ``score_matrix`` would: the free-text model
    is fitted once on the whole program (a TF-IDF fitted on a block would weigh words
    differently), and preferences, paused mentors and exclusions apply to every block."""

    def __init__(
        self,
        mentees: Sequence[Participant],
        mentors: Sequence[Participant],
        questions: Sequence[Question],
        *,
        constraints: Constraints | None = None,
        text_similarity: TextSimilarity | None = None,
        config: ScoringConfig | None = None,
    ) -> None:
        config = config or ScoringConfig()
        constraints = constraints or Constraints()
        text_similarity = text_similarity or TfidfSimilarity()
        _check_roles(mentees, Role.MENTEE)
        _check_roles(mentors, Role.MENTOR)
        self.shape = n, m = len(mentees), len(mentors)
        weights, left_use, right_use = [], [], []
        single_left, single_right = [], []
        # (weight, mentee option indicators, mentor option indicators) per multiple choice;
        # (weight, mentee values, mentee may use, mentor values, mentor may use, range) per scale.
        self._multi: list[tuple[float, NDArray[np.float64], NDArray[np.float64]]] = []
        self._scale: list[
            tuple[
                float,
                NDArray[np.float64],
                NDArray[np.bool_],
                NDArray[np.float64],
                NDArray[np.float64],
                float,
            ]
        ] = []
        for question in questions:
            left, right = _usable(mentees, question), _usable(mentors, question)
            weights.append(question.weight)
            left_use.append([x is not None for x in left])
            right_use.append([x is not None for x in right])
            if not any(left_use[-1]) or not any(right_use[-1]):
                continue
            if question.kind == QuestionKind.SCALE and _few_values(left, right):
                # Few distinct answers: the similarity is a table lookup, and a lookup is a
                # product of option indicators with the table, added to the single choices.
                a, b = _scale_indicators(left, right)
                values = np.array(sorted({x for x in [*left, *right] if x is not None}), float)
                table = np.abs(np.subtract.outer(values, values))
                table *= -1.0 / (question.scale_max - question.scale_min)
                table += 1.0
                single_left.append(question.weight * (a @ table))
                single_right.append(b)
                continue
            if question.kind == QuestionKind.SCALE:
                self._scale.append(
                    (
                        question.weight,
                        np.array([x if x is not None else 0.0 for x in left], dtype=np.float64),
                        np.array(left_use[-1], dtype=bool),
                        np.array([x if x is not None else 0.0 for x in right], dtype=np.float64),
                        np.array(right_use[-1], dtype=np.float64),
                        question.scale_max - question.scale_min,
                    )
                )
                continue
            a, b = _indicators(question, left, right)
            if question.kind == QuestionKind.SINGLE:
                single_left.append(question.weight * a)
                single_right.append(b)
            else:
                self._multi.append((question.weight, a, b))
        self._single = (np.hstack(single_left), np.hstack(single_right).T) if single_left else None

        left_text = [bool(p.goals_text.strip()) for p in mentees]
        right_text = [bool(p.goals_text.strip()) for p in mentors]
        self._goals: RowsOf | None = None
        if config.goal_weight > 0 and any(left_text) and any(right_text):
            self._goals = _prepared(
                text_similarity, [p.goals_text for p in mentees], [p.goals_text for p in mentors]
            )
            self._goal_left = np.array(left_text, dtype=bool)
            self._goal_right = np.array(right_text, dtype=bool)
            self._goal_weight = config.goal_weight
            weights.append(config.goal_weight)
            left_use.append(left_text)
            right_use.append(right_text)

        parts = len(weights)
        self._left_weight = np.array(left_use, dtype=np.float64).reshape(parts, n).T * np.array(
            weights
        )
        self._right_weight = np.array(right_use, dtype=np.float64).reshape(parts, m)

        self._bonus = config.preference_bonus
        mentee_index = {p.id: i for i, p in enumerate(mentees)}
        mentor_index = {p.id: j for j, p in enumerate(mentors)}
        preferred = [
            (i, j)
            for mentee_id, wanted in constraints.preferences.items()
            if (i := mentee_index.get(mentee_id)) is not None
            for mentor_id in wanted
            if (j := mentor_index.get(mentor_id)) is not None
        ]
        excluded = [
            (i, j)
            for mentee_id, mentor_id in constraints.exclusions
            if (i := mentee_index.get(mentee_id)) is not None
            and (j := mentor_index.get(mentor_id)) is not None
        ]
        self._preferred = _pairs_by_row(preferred)
        self._excluded = _pairs_by_row(excluded)
        self._paused = np.array([not p.available for p in mentors], dtype=bool)
        self._buffers = threading.local()

    def goal_similarities(
        self, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """The goals' text similarity of each pair (``rows[k]``, ``cols[k]``), as the scores use
        it (0 where either side wrote nothing, or goals do not count): for explaining chosen
        pairs without a mentees x mentors matrix."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if self._goals is None or not rows.size:
            return np.zeros(rows.size)
        found = pair_similarities(self._goals, rows, cols)
        found[~(self._goal_left[rows] & self._goal_right[cols])] = 0.0
        return found

    def rows(self, start: int, stop: int, *, reuse: bool = False) -> NDArray[np.float64]:
        """Scores of mentees ``start`` to ``stop`` (rows) against every mentor (columns)."""
        n = self.shape[0]
        return self.take(np.arange(max(0, min(start, n)), max(0, min(stop, n))), reuse=reuse)

    def take(
        self,
        index: NDArray[np.int64],
        columns: NDArray[np.int64] | None = None,
        *,
        reuse: bool = False,
    ) -> NDArray[np.float64]:
        """Scores of the mentees at ``index`` against the mentors at ``columns`` (all when
        None); both sorted.

        ``reuse``: work in (and return) buffers kept from this thread's previous call of the
        same size, so the result is only good until its next call. On a large program
        touching fresh memory (page faults) costs more than the arithmetic on it."""
        rows = np.asarray(index, dtype=np.int64)
        cols = np.arange(self.shape[1]) if columns is None else np.asarray(columns, np.int64)
        shape = rows.size, cols.size
        kept = getattr(self._buffers, "kept", None)
        if reuse and kept is not None and kept[0].shape == shape:
            numerator, *scratch_ = kept
        else:
            numerator = np.empty(shape)
            scratch_ = [np.empty(shape), np.empty(shape)]
            self._buffers.kept = (numerator, *scratch_) if reuse else None
        scratch = scratch_[0], scratch_[1]
        if self._single is not None:
            np.matmul(self._single[0][rows], self._single[1][:, cols], out=numerator)
        else:
            numerator.fill(0.0)
        for weight, a, b in self._multi:
            shared, union = scratch
            np.matmul(a[rows], b[cols].T, out=shared)
            # A mentor with nothing usable counts as half an option: the union is then never
            # zero (shared is zero there), without a pass to keep it from zero.
            right = b[cols].sum(axis=1)
            np.add.outer(a[rows].sum(axis=1), np.where(right > 0, right, 0.5), out=union)
            union -= shared
            union *= 1.0 / weight
            shared /= union
            numerator += shared
        for weight, a, a_use, b, b_use, span in self._scale:
            sim = np.subtract.outer(a[rows], b[cols], out=scratch[0])
            np.abs(sim, out=sim)
            sim *= -1.0 / span
            sim += 1.0
            sim *= (weight * a_use[rows])[:, None]
            sim *= b_use[cols][None, :]
            numerator += sim
        if self._goals is not None:
            goals = self._goals(rows, None if columns is None else cols, scratch[0])
            goals[~self._goal_left[rows]] = 0.0  # no goals written: the part does not count
            goals[:, ~self._goal_right[cols]] = 0.0
            goals *= self._goal_weight
            numerator += goals
            del goals
        denominator = np.matmul(
            self._left_weight[rows], self._right_weight[:, cols], out=scratch[1]
        )
        scores = numerator  # reuse the memory: base = numerator / denominator, 0 without parts
        np.divide(numerator, denominator, out=scores, where=denominator > 0)
        del denominator, scratch

        i, j = _pairs_in(self._preferred, rows, cols)
        scores[i, j] += self._bonus * (1.0 - scores[i, j])
        scores[:, self._paused[cols]] = INFEASIBLE
        i, j = _pairs_in(self._excluded, rows, cols)
        scores[i, j] = INFEASIBLE
        return scores


def _few_values(left: list[Answer | None], right: list[Answer | None]) -> bool:
    return len({x for x in [*left, *right] if x is not None}) <= 64


def _scale_indicators(
    left: list[Answer | None], right: list[Answer | None]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One column per distinct answer (sorted); a row of zeros where it may not be used."""
    values = sorted({x for x in [*left, *right] if x is not None})
    where = {v: i for i, v in enumerate(values)}

    def indicator(answers: list[Answer | None]) -> NDArray[np.float64]:
        out = np.zeros((len(answers), len(values)))
        used = [(i, where[x]) for i, x in enumerate(answers) if x is not None]
        out[[i for i, _ in used], [j for _, j in used]] = 1.0
        return out

    return indicator(left), indicator(right)


def _pairs_by_row(pairs: list[tuple[int, int]]) -> NDArray[np.int64]:
    """(row, column) pairs as a 2 x k array sorted by row, unique (a pair counts once)."""
    out = np.unique(np.array(pairs, dtype=np.int64).reshape(-1, 2), axis=0)
    return out.T.copy()


def _pairs_in(
    pairs: NDArray[np.int64], rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The pairs within ``rows`` x ``cols`` (both sorted), as positions in them."""
    if not rows.size or not cols.size or not pairs.shape[1]:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    i = np.searchsorted(rows, pairs[0]).clip(max=rows.size - 1)
    j = np.searchsorted(cols, pairs[1]).clip(max=cols.size - 1)
    inside = (rows[i] == pairs[0]) & (cols[j] == pairs[1])
    return i[inside], j[inside]


def _prepared(similarity: TextSimilarity, left: list[str], right: list[str]) -> RowsOf:
    """Rows of ``similarity`` over the whole program. A model that can fit once and score
    some rows says so with ``prepare``; any other is asked for the texts it is given."""
    prepare = getattr(similarity, "prepare", None)
    if prepare is not None:
        rows: RowsOf = prepare(left, right)
        return rows

    def ask(
        index: NDArray[np.int64],
        columns: NDArray[np.int64] | None,
        out: NDArray[np.float64] | None,
    ) -> NDArray[np.float64]:
        others = right if columns is None else [right[j] for j in columns]
        found = similarity.similarity_matrix([left[i] for i in index], others)
        if out is None:
            return np.array(found, dtype=np.float64)
        out[...] = found
        return out

    return ask


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
    denominator) is another, over "may use" indicators. ``ScoreBlocks`` gives the same rows
    a block at a time, for programs too large to hold whole."""
    blocks = ScoreBlocks(
        mentees,
        mentors,
        questions,
        constraints=constraints,
        text_similarity=text_similarity,
        config=config,
    )
    return blocks.rows(0, len(mentees))
