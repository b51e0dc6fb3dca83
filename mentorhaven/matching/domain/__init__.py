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

What admins see
---------------
Admins never see the full score either: a coordinator chooses who is a mentor and can pair
anyone in a draft, so a full score would let them test a mentee against a chosen sensitive
answer or chosen goals. ``shown_score`` is the weighted mean over the non-sensitive choice and
scale questions only; the assignment itself still uses the full score.
"""

from mentorhaven.matching.domain.explanations import explain
from mentorhaven.matching.domain.matrix import ScoreBlocks, score_matrix
from mentorhaven.matching.domain.model import (
    INFEASIBLE,
    Answer,
    Constraints,
    Factor,
    Participant,
    ParticipantId,
    Question,
    QuestionKind,
    Role,
    ScoringConfig,
)
from mentorhaven.matching.domain.pairs import (
    answer_similarity,
    score_pair,
    shown_score,
    usable_answer,
)

__all__ = [
    "INFEASIBLE",
    "Answer",
    "Constraints",
    "Factor",
    "Participant",
    "ParticipantId",
    "Question",
    "QuestionKind",
    "Role",
    "ScoreBlocks",
    "ScoringConfig",
    "answer_similarity",
    "explain",
    "score_matrix",
    "score_pair",
    "shown_score",
    "usable_answer",
]
