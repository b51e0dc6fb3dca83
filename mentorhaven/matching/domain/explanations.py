"""What two people have in common, in words, never from a sensitive question."""

from __future__ import annotations

from collections.abc import Sequence

from mentorhaven.matching.domain.model import (
    Constraints,
    Factor,
    Participant,
    Question,
    QuestionKind,
    ScoringConfig,
)
from mentorhaven.matching.domain.pairs import _Part, _parts, usable_answer
from mentorhaven.matching.text import TextSimilarity, TfidfSimilarity


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
