"""Matching: pure scoring, explanations and program-wide assignment.

``domain`` scores mentee-mentor pairs and explains them (free-text similarity lives in
``text``); ``assignment`` turns a score matrix into a capacity-respecting assignment. All
are plain functions over dataclasses with no database access: the Django layer
(questionnaires, consent, proposals) loads participants, calls them, and decides what to
store.
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
    Factor,
    Participant,
    Question,
    QuestionKind,
    Role,
    ScoringConfig,
    explain,
    score_matrix,
    score_pair,
)
from mentorhaven.matching.text import EmbeddingSimilarity, TextSimilarity, TfidfSimilarity

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
