"""One pair's score: which answers count, how alike they are, the weighted mean."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mentorhaven.matching.domain.model import (
    INFEASIBLE,
    Answer,
    Constraints,
    Participant,
    Question,
    QuestionKind,
    ScoringConfig,
)


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


def shown_score(
    mentee: Participant,
    mentor: Participant,
    questions: Sequence[Question],
    *,
    config: ScoringConfig | None = None,
) -> float:
    """The score an admin may see: the weighted mean over the non-sensitive choice and scale
    questions only, leaving out every sensitive (consent-scoped) answer and the free-text goals.

    A coordinator chooses who is a mentor and can pair anyone in a draft: a full score would let
    them plant a mentor who answered one sensitive option, or wrote chosen goals, and read each
    mentee's answer off the number. What this score is made of an admin could learn anyway
    (non-sensitive answers), so it tells them nothing new. Feasibility is not its business."""
    config = config or ScoringConfig()
    visible = [q for q in questions if not q.sensitive]
    parts = _parts(mentee, mentor, visible, None, config)
    total_weight = sum(p.weight for p in parts)
    return sum(p.weight * p.similarity for p in parts) / total_weight if total_weight else 0.0
