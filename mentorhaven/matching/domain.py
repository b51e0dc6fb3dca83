"""Match scoring and explanations: pure code over plain dataclasses, no ORM.

How a mentee-mentor score is made
---------------------------------
* Every question that is ``used_for_matching`` and that *both* people answered gives a
  similarity in [0, 1]: exact agreement for single choice, overlap (Jaccard: shared options
  over all options either chose) for multiple choice, and ``1 - |a - b| / (max - min)`` for
  a scale.
* A sensitive question counts only when both people consented to its use for matching.
  Consent is read on every call, so a withdrawal changes the very next score.
* The free-text goals of both people give one more similarity through a ``TextSimilarity``
  (TF-IDF cosine by default; an embedding model plugs in through the same protocol).
* The base score is the weighted *mean* over the parts that count. A question nobody may
  use (unanswered, or no consent) is left out rather than scored as a disagreement, so
  declining to share sensitive data neither helps nor hurts anyone's chances. With no part
  in common the base score is 0: no evidence of fit.
* A mentee's preferred mentors move a share ``b`` (the preference bonus) of the way to 1:
  ``score = base + b * (1 - base)``; other scores are the base. Every feasible score stays
  in [0, 1] and a preference never lifts a poor fit above a perfect one.
* Infeasible pairs (an excluded pair, a paused mentor, a mentor without capacity) score
  ``INFEASIBLE`` (minus infinity) in ``score_matrix``.

Explanations
------------
``explain`` lists what two people have in common, in words. Sensitive questions never appear
in an explanation, not even as a generic "you share something private" line: with a single
sensitive question such a line would tell a mentee the mentor's answer. Factor strengths are
computed over the non-sensitive parts only, so an explanation is the same whatever the
sensitive answers and consents are. The strength is for ordering; the overall score should
not be shown to participants next to the factors, because the difference could hint at the
sensitive part.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mentorhaven.matching.text import TextSimilarity, TfidfSimilarity

INFEASIBLE = -math.inf

ParticipantId = Hashable
Answer = str | frozenset[str] | float | int


class Role(enum.StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    SCALE = "scale"


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    label: str = ""
    weight: float = 1.0
    sensitive: bool = False
    used_for_matching: bool = True
    scale_min: float = 1.0
    scale_max: float = 5.0
    # Option value -> words shown in explanations; a value without a label is shown as is.
    option_labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError(f"question {self.id}: weight must not be negative")
        if self.kind == QuestionKind.SCALE and not self.scale_max > self.scale_min:
            raise ValueError(f"question {self.id}: scale_max must exceed scale_min")

    def option_label(self, value: str) -> str:
        return self.option_labels.get(value, value)


@dataclass(frozen=True)
class Participant:
    id: ParticipantId
    role: Role
    answers: Mapping[str, Answer] = field(default_factory=dict)
    goals_text: str = ""
    capacity: int = 1  # mentees a mentor can take at once; ignored for mentees
    paused: bool = False
    consents: frozenset[str] = frozenset()  # sensitive question ids usable for matching

    @property
    def available(self) -> bool:
        return self.role == Role.MENTOR and not self.paused and self.capacity > 0


@dataclass(frozen=True)
class Constraints:
    # (mentee id, mentor id) pairs that must never be matched: own manager, "not this
    # person" from either side. Add both people's wishes as pairs here.
    exclusions: frozenset[tuple[ParticipantId, ParticipantId]] = frozenset()
    # mentee id -> mentor ids the mentee would like; they get the preference bonus.
    # (Keys typed Any: Mapping is invariant in its key, so str or UUID ids would not fit.)
    preferences: Mapping[Any, frozenset[ParticipantId]] = field(default_factory=dict)

    def prefers(self, mentee_id: ParticipantId, mentor_id: ParticipantId) -> bool:
        return mentor_id in self.preferences.get(mentee_id, frozenset())


@dataclass(frozen=True)
class ScoringConfig:
    goal_weight: float = 1.0
    preference_bonus: float = 0.1
    # An explanation mentions a scale question or the goals only from these similarities on.
    explain_scale_threshold: float = 0.75
    explain_goal_threshold: float = 0.15

    def __post_init__(self) -> None:
        if not 0.0 <= self.preference_bonus < 1.0:
            raise ValueError("preference_bonus must be in [0, 1)")
        if self.goal_weight < 0:
            raise ValueError("goal_weight must not be negative")


@dataclass(frozen=True)
class Factor:
    code: str  # "shared_choice", "similar_scale", "similar_goals", "preferred"
    text: str  # plain words, safe to show to both people
    strength: float  # share of the non-sensitive score, for ordering only


# ---------------------------------------------------------------- one pair, readable


def usable_answer(person: Participant, question: Question) -> Answer | None:
    """The answer the matcher may use, or None: not for matching, unanswered, or sensitive
    without this person's consent."""
    if not question.used_for_matching or question.weight == 0:
        return None
    if question.sensitive and question.id not in person.consents:
        return None
    answer = person.answers.get(question.id)
    if answer is None:
        return None
    if question.kind == QuestionKind.MULTI:
        if isinstance(answer, str) or not isinstance(answer, Iterable):
            raise ValueError(f"question {question.id}: a multiple-choice answer is a set")
        return frozenset(answer) or None
    if question.kind == QuestionKind.SCALE:
        if isinstance(answer, str | frozenset):
            raise ValueError(f"question {question.id}: a scale answer is a number")
        if not question.scale_min <= answer <= question.scale_max:
            raise ValueError(f"question {question.id}: {answer} is outside the scale")
        return answer
    if not isinstance(answer, str):
        raise ValueError(f"question {question.id}: a single-choice answer is a string")
    return answer


def answer_similarity(question: Question, a: Answer, b: Answer) -> float:
    if question.kind == QuestionKind.SINGLE:
        return 1.0 if a == b else 0.0
    if question.kind == QuestionKind.MULTI:
        assert isinstance(a, frozenset) and isinstance(b, frozenset)
        return len(a & b) / len(a | b)
    assert isinstance(a, int | float) and isinstance(b, int | float)
    return 1.0 - abs(a - b) / (question.scale_max - question.scale_min)


@dataclass(frozen=True)
class _Part:
    question: Question | None  # None for the goals
    weight: float
    similarity: float


def _parts(
    mentee: Participant,
    mentor: Participant,
    questions: Sequence[Question],
    goal_similarity: float | None,
    config: ScoringConfig,
) -> list[_Part]:
    parts = []
    for question in questions:
        a, b = usable_answer(mentee, question), usable_answer(mentor, question)
        if a is not None and b is not None:
            parts.append(_Part(question, question.weight, answer_similarity(question, a, b)))
    both_wrote = bool(mentee.goals_text.strip() and mentor.goals_text.strip())
    if goal_similarity is not None and config.goal_weight > 0 and both_wrote:
        parts.append(_Part(None, config.goal_weight, goal_similarity))
    return parts


def score_pair(
    mentee: Participant,
    mentor: Participant,
    questions: Sequence[Question],
    *,
    goal_similarity: float | None = None,
    constraints: Constraints | None = None,
    config: ScoringConfig | None = None,
) -> float:
    """The score of one pair, written for reading; ``score_matrix`` is the fast equivalent.
    ``goal_similarity`` is the goals' text similarity, None to leave goals out."""
    config = config or ScoringConfig()
    constraints = constraints or Constraints()
    if not mentor.available or (mentee.id, mentor.id) in constraints.exclusions:
        return INFEASIBLE
    parts = _parts(mentee, mentor, questions, goal_similarity, config)
    total_weight = sum(p.weight for p in parts)
    base = sum(p.weight * p.similarity for p in parts) / total_weight if total_weight else 0.0
    if constraints.prefers(mentee.id, mentor.id):
        return base + config.preference_bonus * (1.0 - base)
    return base


# ---------------------------------------------------------------- whole programs, vectorised


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


# ---------------------------------------------------------------- explanations


def explain(
    mentee: Participant,
    mentor: Participant,
    questions: Sequence[Question],
    *,
    goal_similarity: float | None = None,
    constraints: Constraints | None = None,
    text_similarity: TextSimilarity | None = None,
    config: ScoringConfig | None = None,
    limit: int = 3,
) -> list[Factor]:
    """The strongest things two people have in common, in plain words, strongest first.

    Never mentions a sensitive question (see the module docstring). ``goal_similarity`` is
    best taken from the program run that produced the match; without it the two goal texts
    are compared on their own."""
    config = config or ScoringConfig()
    constraints = constraints or Constraints()
    if goal_similarity is None and mentee.goals_text.strip() and mentor.goals_text.strip():
        similarity = text_similarity or TfidfSimilarity()
        goal_similarity = float(
            similarity.similarity_matrix([mentee.goals_text], [mentor.goals_text])[0, 0]
        )
    visible = [q for q in questions if not q.sensitive]
    parts = _parts(mentee, mentor, visible, goal_similarity, config)
    total_weight = sum(p.weight for p in parts)
    factors: list[Factor] = []
    for part in parts:
        strength = part.weight * part.similarity / total_weight if total_weight else 0.0
        text = _describe(mentee, mentor, part, config)
        if text is not None and strength > 0:
            code = "similar_goals" if part.question is None else _CODES[part.question.kind]
            factors.append(Factor(code=code, text=text, strength=strength))
    factors.sort(key=lambda f: -f.strength)  # stable: question order breaks ties
    if constraints.prefers(mentee.id, mentor.id):
        factors.insert(
            0,
            Factor(
                code="preferred",
                text="the mentee asked for this mentor",
                strength=config.preference_bonus,
            ),
        )
    return factors[:limit]


_CODES = {
    QuestionKind.SINGLE: "shared_choice",
    QuestionKind.MULTI: "shared_choice",
    QuestionKind.SCALE: "similar_scale",
}


def _describe(
    mentee: Participant, mentor: Participant, part: _Part, config: ScoringConfig
) -> str | None:
    question = part.question
    if question is None:
        return "similar goals" if part.similarity >= config.explain_goal_threshold else None
    assert not question.sensitive
    label = question.label or question.id
    if question.kind == QuestionKind.SCALE:
        if part.similarity < config.explain_scale_threshold:
            return None
        return f"similar answers on: {label}"
    a, b = usable_answer(mentee, question), usable_answer(mentor, question)
    shared: set[str] = set()
    if isinstance(a, str) and a == b:
        shared = {a}
    elif isinstance(a, frozenset) and isinstance(b, frozenset):
        shared = set(a & b)
    if not shared:
        return None
    return "both chose: " + ", ".join(sorted(question.option_label(v) for v in shared))
