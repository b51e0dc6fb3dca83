"""The plain data matching works on: roles, questions, participants, constraints, settings."""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
