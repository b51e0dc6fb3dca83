"""Fairness report: match rate and mean match score per group of one sensitive attribute.

Policy:
* Only participants who consent both to matching with sensitive answers and to engagement
  analytics, and who have not restricted processing of their data, are counted
  (``consent.processing``); everyone else is left out entirely (not even as "unknown").
* Group sizes go through the reporting layer (``reporting.domain.release``, k = the program's
  ``min_group_size``, default 10): a group with fewer members is shown as suppressed, without
  its figures, and so is the next smallest group when the total minus the shown groups would
  give a hidden one away; when no group is left to hide, the total is withheld instead.
* "Matched" means the person has a proposed, active or completed relationship in the program;
  the mean score is over those relationships that came from matching (they carry a score).
* Rates and means are released as bands only (``reporting.domain.rate_band``: tenths;
  ``band``: score bands of 0.1, over at least k scores), so one more person or one new match
  cannot be read off an exact change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from mentorhaven.consent import processing
from mentorhaven.consent.domain import Purpose
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.kernel.inventory import Category
from mentorhaven.matching.models import Answer, MatchExplanation, Question
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Program
from mentorhaven.reporting.domain import Band, band, rate_band, release

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

DEFAULT_MIN_GROUP_SIZE = 10
SCORE_BAND = 0.1  # match scores run from 0 to 1
MATCHED_STATUSES = ("proposed", "active", "paused", "completed")


@dataclass(frozen=True)
class GroupRow:
    label: str
    suppressed: bool
    members: int | None  # None when suppressed
    match_rate: Band | None  # a band of tenths
    mean_score: Band | None  # None too when fewer than k scores


@dataclass(frozen=True)
class FairnessReport:
    question: Question
    role: str
    min_group_size: int
    # Consenting people with an answer (all groups, suppressed ones included); None when it
    # would give a hidden group's size away.
    counted: int | None
    groups: list[GroupRow]


def _groups(membership: Mapping[int, Iterable[str]]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for person, values in membership.items():
        for value in set(values):
            groups[value].append(person)
    return groups


def counted_shown(membership: Mapping[int, Iterable[str]], *, min_group_size: int) -> int | None:
    """How many people the report counts, or None when that total would give away a hidden
    group (reporting.domain.release withholds it)."""
    sizes = {value: len(people) for value, people in _groups(membership).items()}
    if not sizes:
        return 0
    table = release(sizes, k=min_group_size)
    return None if table.suppressed or table.total is None else len(membership)


def group_rows(
    membership: Mapping[int, Iterable[str]],
    matched: set[int],
    scores: Mapping[int, list[float]],
    *,
    labels: Mapping[str, str],
    min_group_size: int,
) -> list[GroupRow]:
    """Pure: person -> their group values (several for a multiple choice) → one row per group."""
    groups = _groups(membership)
    sizes = release({value: len(people) for value, people in groups.items()}, k=min_group_size)
    rows = []
    for value in sorted(groups, key=lambda v: labels.get(v, v)):
        people = groups[value]
        label = labels.get(value, value)
        if sizes.suppressed or sizes.cells[value] is None:
            rows.append(GroupRow(label, True, None, None, None))
            continue
        group_scores = [s for p in people for s in scores.get(p, [])]
        rate = rate_band(sum(p in matched for p in people), len(people), k=min_group_size)
        mean = band(group_scores, k=min_group_size, width=SCORE_BAND)
        rows.append(GroupRow(label, False, len(people), rate, mean))
    return rows


def fairness_report(*, viewer: User, program: Program, question: Question, role: str = "mentee"):
    """The report for one sensitive choice or scale question (the caller checked that the
    viewer administers the program). Reading the answers is audited as one aggregate read."""
    if not question.sensitive or question.kind == Question.Kind.TEXT:
        raise ValidationFailed(
            _("Choose a sensitive choice or scale question."), code="bad_question"
        )
    min_size = max(2, int(program.settings.get("min_group_size", DEFAULT_MIN_GROUP_SIZE)))
    answered = set(
        Answer.objects.filter(question=question, profile__role=role).values_list(
            "user_id", flat=True
        )
    )
    counted = processing.allowed(
        Purpose.ANALYTICS, processing.allowed(Purpose.MATCHING_SENSITIVE, answered)
    )
    answers = Answer.objects.filter(
        question=question, profile__role=role, user_id__in=counted
    ).only("public_id", "user_id", "value")
    membership: dict[int, list[str]] = {}
    for answer in answers:
        value = answer.value
        if is_unavailable(value):
            continue
        values = value if isinstance(value, list) else [value]
        membership[answer.user_id] = [str(v) for v in values]
    field = "mentee_id" if role == "mentee" else "mentor_id"
    relationships = list(
        Relationship.objects.filter(
            Q(program=program, status__in=MATCHED_STATUSES),
            **{f"{field}__in": list(membership)},
        ).values_list("pk", field)
    )
    # Scores are encrypted per explanation: load them and read each one here.
    explanations = {
        e.relationship_id: e.score
        for e in MatchExplanation.objects.filter(
            relationship_id__in=[pk for pk, _ in relationships]
        ).only("public_id", "relationship_id", "mentee_id", "score")
    }
    matched: set[int] = set()
    scores: dict[int, list[float]] = defaultdict(list)
    for pk, person in relationships:
        matched.add(person)
        score = explanations.get(pk)
        if isinstance(score, int | float):
            scores[person].append(float(score))
    labels = {str(o["value"]): str(o["label"]) for o in question.options}
    rows = group_rows(membership, matched, scores, labels=labels, min_group_size=min_size)
    # One event for the report, naming everyone whose answer (and score) it decrypted: each
    # of them can see that an admin counted their answer in an aggregate.
    audit.record_access(
        action="matching.fairness_report",
        viewer=viewer,
        subjects=sorted(membership),
        actor_role="program_admin",
        target=question,
        purpose="Fairness report (aggregate of consenting participants)",
        category=str(Category.PERSONAL),
        organization=program.organization_id,
        extra={"counted": len(membership), "groups": len(rows)},
    )
    counted_figure = counted_shown(membership, min_group_size=min_size)
    return FairnessReport(question, role, min_size, counted_figure, rows)
