"""Matching: pure scoring, explanations and program-wide assignment.

``domain`` scores mentee–mentor pairs and explains them; ``assignment`` turns a score matrix
into a capacity-respecting assignment. Both are plain functions over dataclasses, with no
database access, so the Django layer (questionnaires, consent, proposals) calls them with
participants it has loaded and decides what to store.
"""

from mentorhaven.matching.assignment import (
    Assignment,
    ProgramMatch,
    assign,
    assign_exact,
    assign_greedy,
    assign_sparse,
    capacities_of,
    match_program,
)
from mentorhaven.matching.domain import (
    INFEASIBLE,
    Constraints,
    EmbeddingSimilarity,
    Factor,
    Participant,
    Question,
    QuestionKind,
    Role,
    ScoringConfig,
    TextSimilarity,
    TfidfSimilarity,
    explain,
    score_matrix,
    score_pair,
)

__all__ = [
    "INFEASIBLE",
    "Assignment",
    "Constraints",
    "EmbeddingSimilarity",
    "Factor",
    "Participant",
    "ProgramMatch",
    "Question",
    "QuestionKind",
    "Role",
    "ScoringConfig",
    "TextSimilarity",
    "TfidfSimilarity",
    "assign",
    "assign_exact",
    "assign_greedy",
    "assign_sparse",
    "capacities_of",
    "explain",
    "match_program",
    "score_matrix",
    "score_pair",
]
