"""Matching: pure scoring, explanations and program-wide assignment.

``domain`` scores mentee-mentor pairs and explains them (free-text similarity lives in
``text``); ``assignment`` turns a score matrix into a capacity-respecting assignment. All
are plain functions over dataclasses with no database access: the Django layer
(questionnaires, consent, proposals) loads participants, calls them, and decides what to
store.

Importing this package is cheap: the names below load their module (and NumPy, SciPy,
scikit-learn behind it) on first use, so ``django.setup()`` in a web process that never
matches does not pay for them (``tests/matching/test_imports.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentorhaven.matching.assignment import (
        Assignment,
        ProgramMatch,
        assign,
        assign_blocks,
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
        ScoreBlocks,
        ScoringConfig,
        explain,
        score_matrix,
        score_pair,
    )
    from mentorhaven.matching.text import EmbeddingSimilarity, TextSimilarity, TfidfSimilarity

_HOME = {
    **dict.fromkeys(
        (
            "Assignment",
            "ProgramMatch",
            "assign",
            "assign_blocks",
            "assign_exact",
            "assign_greedy",
            "assign_sparse",
            "capacities_of",
            "match_program",
        ),
        "mentorhaven.matching.assignment",
    ),
    **dict.fromkeys(
        (
            "INFEASIBLE",
            "Constraints",
            "Factor",
            "Participant",
            "Question",
            "QuestionKind",
            "Role",
            "ScoreBlocks",
            "ScoringConfig",
            "explain",
            "score_matrix",
            "score_pair",
        ),
        "mentorhaven.matching.domain",
    ),
    **dict.fromkeys(
        ("EmbeddingSimilarity", "TextSimilarity", "TfidfSimilarity"), "mentorhaven.matching.text"
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


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
    "ScoreBlocks",
    "ScoringConfig",
    "TextSimilarity",
    "TfidfSimilarity",
    "assign",
    "assign_blocks",
    "assign_exact",
    "assign_greedy",
    "assign_sparse",
    "capacities_of",
    "explain",
    "match_program",
    "score_matrix",
    "score_pair",
]
