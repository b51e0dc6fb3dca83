"""Reads of program surveys: the list a member sees, and the results an admin sees — counts
and banded averages through the reporting layer, never a single answer and never free text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from mentorhaven.accounts.models import User
from mentorhaven.community.access import community_programs, runs_program
from mentorhaven.community.models import (
    AnonymousAnswer,
    ConfidentialAnswer,
    PendingBallot,
    Survey,
    SurveyCompletion,
    SurveyQuestion,
)
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied
from mentorhaven.programs.models import Program
from mentorhaven.reporting.domain import Band, Table, band, k_for, release


def surveys_for(*, viewer: User, program: Program) -> QuerySet[Survey]:
    """The program's surveys, each with ``answered`` (whether the viewer has answered)."""
    done = SurveyCompletion.objects.filter(survey=OuterRef("pk"), user=viewer)
    return (
        Survey.objects.filter(program=program, program__in=community_programs(viewer))
        .annotate(answered=Exists(done))
        .order_by("-created_at", "pk")
    )


def has_answered(*, viewer: User, survey: Survey) -> bool:
    return SurveyCompletion.objects.filter(survey=survey, user=viewer).exists()


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    table: Table | None  # choice and scale questions: counts per option or level
    average: Band | None  # scale questions
    written: int | None  # text questions: how many wrote something (never what), None under k


@dataclass(frozen=True)
class SurveyResults:
    k: int
    respondents: int | None  # None under k
    waiting: bool  # an anonymous survey still holds ballots waiting for their batch
    questions: list[QuestionResult]


def survey_results(*, viewer: User, survey: Survey) -> SurveyResults:
    """The results of a survey for those who run its program: every figure goes through the
    reporting layer (``reporting.domain.release``: nothing under k people, complementary
    suppression; averages in bands). Free text is counted, never shown."""
    if not runs_program(viewer, survey.program):
        raise PermissionDenied()
    k = k_for(survey.program.settings)
    model: Any = AnonymousAnswer if survey.is_anonymous else ConfidentialAnswer
    rows = list(
        model.objects.filter(survey=survey).values_list("question_id", "choice", "scale", "text")
    )
    by_question: dict[int, list[tuple[Any, Any, Any]]] = {}
    for question_id, choice, scale, text in rows:
        by_question.setdefault(question_id, []).append((choice, scale, text is not None))
    results = []
    for question in survey.questions.all():
        answers = by_question.get(question.pk, [])
        table = average = written = None
        if question.kind == SurveyQuestion.Kind.CHOICE:
            counted = Counter(choice for choice, _s, _t in answers)
            table = release({o: counted.get(i, 0) for i, o in enumerate(question.options)}, k=k)
        elif question.kind == SurveyQuestion.Kind.SCALE:
            levels = [scale for _c, scale, _t in answers]
            counted = Counter(levels)
            table = release({str(level): counted.get(level, 0) for level in range(1, 6)}, k=k)
            average = band(levels, k=k)
        else:
            count = sum(1 for _c, _s, wrote in answers if wrote)
            written = count if count >= k else None
        results.append(QuestionResult(question, table, average, written))
    respondents = SurveyCompletion.objects.filter(survey=survey).count()
    audit.record(
        action="survey.results_read",
        actor=viewer,
        target=survey,
        purpose="Survey results (aggregates)",
        category="program",
        organization=survey.program.organization_id,
    )
    return SurveyResults(
        k=k,
        respondents=respondents if respondents >= k else None,
        waiting=survey.is_anonymous and PendingBallot.objects.filter(survey=survey).exists(),
        questions=results,
    )
