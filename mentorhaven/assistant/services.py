"""Writes of the assistant: asking for a suggestion (nothing stored but the budget and the audit
events the gateway writes), accepting one (stored as the person's own goal, through the
mentoring services: encrypted under their key, in their export, erased with them), and an
organization's AI settings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.assistant import gateway
from mentorhaven.assistant.domain import (
    GoalSuggestion,
    parse_goal_suggestion,
    parse_points,
    themes_without_quotes,
)
from mentorhaven.assistant.features import (
    CONVERSATION_PROMPTS,
    GOAL_COACH,
    MEETING_AGENDA,
    PROGRAM_THEMES,
    SURVEY_TEXT,
    goal_pieces,
    shared_note_pieces,
)
from mentorhaven.assistant.gateway import Piece
from mentorhaven.assistant.models import AssistantSettings
from mentorhaven.assistant.selectors import consenting_survey_texts, open_goals, shared_notes
from mentorhaven.community.access import runs_program
from mentorhaven.community.models import Survey, SurveyQuestion
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.mentoring.models import Goal, Relationship
from mentorhaven.mentoring.services import goal_update, milestone_add
from mentorhaven.programs.models import Organization
from mentorhaven.reporting.domain import k_for

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _require_goal_owner(actor: User, goal: Goal) -> None:
    if actor.pk != goal.owner_id or not goal.relationship.is_active:
        raise PermissionDenied()


def goal_coach_suggest(*, actor: User, goal: Goal) -> tuple[GoalSuggestion, gateway.Answer]:
    """The goal coach's suggestion for one of the mentee's goals, from its title, description
    and milestones. Only its owner may ask. Nothing is stored (the gateway records the call)."""
    _require_goal_owner(actor, goal)
    milestones = [str(m.title) for m in goal.milestones.all()]
    answer = gateway.ask(
        feature=GOAL_COACH,
        actor=actor,
        organization=goal.relationship.program.organization,
        pieces=goal_pieces(goal, milestones=milestones),
        # The mentee often names her mentor: that name is replaced too.
        names=gateway.known_names([goal.relationship.mentor]),
    )
    suggestion = parse_goal_suggestion(answer.text)
    if not suggestion.title:
        suggestion.title = str(goal.title)
    return suggestion, answer


def _participants(relationship: Relationship) -> list[str]:
    return gateway.known_names([relationship.mentee, relationship.mentor])


def meeting_agenda_suggest(
    *, actor: User, relationship: Relationship
) -> tuple[list[str], gateway.Answer]:
    """Agenda points for the pair's next meeting, from the mentee's open goals and the notes
    both of them shared. Never a private note: only shared ones are selected, and
    ``shared_note_pieces`` refuses any other. Every author whose data is sent must consent."""
    if actor.pk not in relationship.participant_ids() or not relationship.is_active:
        raise PermissionDenied()
    pieces = []
    for goal in open_goals(relationship=relationship):
        pieces += goal_pieces(goal)
    pieces += shared_note_pieces(shared_notes(relationship=relationship))
    answer = gateway.ask(
        feature=MEETING_AGENDA,
        actor=actor,
        organization=relationship.program.organization,
        pieces=pieces,
        names=_participants(relationship),
    )
    return parse_points(answer.text), answer


def conversation_prompts_suggest(
    *, actor: User, relationship: Relationship
) -> tuple[list[str], gateway.Answer]:
    """Questions the mentor could ask next time, from the mentee's open goals (which the mentor
    may read while the relationship is active). Only the mentee's data is sent."""
    if actor.pk != relationship.mentor_id or not relationship.is_active:
        raise PermissionDenied()
    pieces = []
    for goal in open_goals(relationship=relationship):
        pieces += goal_pieces(goal)
    answer = gateway.ask(
        feature=CONVERSATION_PROMPTS,
        actor=actor,
        organization=relationship.program.organization,
        pieces=pieces,
        names=_participants(relationship),
    )
    return parse_points(answer.text), answer


@dataclass(frozen=True)
class Themes:
    points: list[str]
    responses: int  # how many written answers fed it
    k: int
    answer: gateway.Answer


def program_themes_suggest(*, actor: User, survey: Survey, question: SurveyQuestion) -> Themes:
    """Themes of a confidential survey's free-text question, for those who run its program:
    only the answers of respondents who consent to AI assistance, only when at least k of them
    wrote one (the program's k), redacted, in a shuffled order; the answer keeps its
    placeholders, and a theme that quotes an answer or carries a placeholder is dropped."""
    if not runs_program(actor, survey.program) or question.survey_id != survey.pk:
        raise PermissionDenied()
    if survey.is_anonymous or question.kind != SurveyQuestion.Kind.TEXT:
        raise ValidationFailed(
            _("Themes are drawn only from written answers to confidential surveys."),
            code="themes_not_confidential",
        )
    k = k_for(survey.program.settings)
    answers = consenting_survey_texts(question=question)
    if len(answers) < k:
        raise ValidationFailed(
            _(
                "Too few written answers from people who agreed to AI assistance: themes need "
                "at least %(k)d."
            )
            % {"k": k},
            code="themes_too_few",
        )
    random.SystemRandom().shuffle(answers)
    pieces = [Piece(SURVEY_TEXT, a.respondent, str(a.text), "survey_answers") for a in answers]
    answer = gateway.ask(
        feature=PROGRAM_THEMES,
        actor=actor,
        organization=survey.program.organization,
        pieces=pieces,
        restore_placeholders=False,
    )
    points = themes_without_quotes(parse_points(answer.text), [str(a.text) for a in answers])
    return Themes(points=points, responses=len(answers), k=k, answer=answer)


@transaction.atomic
def goal_coach_accept(
    *, actor: User, goal: Goal, title: str, description: str, milestones: list[str]
) -> Goal:
    """The mentee accepts a suggestion as she edited it: it becomes her own goal's title and
    description and her own milestones (the mentoring services encrypt and audit them)."""
    _require_goal_owner(actor, goal)
    goal = goal_update(actor=actor, goal=goal, title=title, description=description)
    for step in milestones:
        if step.strip():
            milestone_add(actor=actor, goal=goal, title=step)
    return goal


@transaction.atomic
def assistant_settings_set(
    *,
    actor: User | None,
    organization: Organization,
    enabled: bool,
    base_url: str = "",
    model: str = "",
    key_file: str = "",
    monthly_token_budget: int | None = None,
) -> AssistantSettings:
    """Set an organization's model endpoint (``actor=None``: an operator's command)."""
    config, _created = AssistantSettings.objects.get_or_create(organization=organization)
    config.enabled = enabled
    config.base_url = base_url.strip()
    config.model = model.strip()
    config.key_file = key_file.strip()
    if monthly_token_budget is not None:
        config.monthly_token_budget = max(0, int(monthly_token_budget))
    config.updated_at = timezone.now()
    config.full_clean()
    config.save()
    audit.record(
        action="assistant.settings",
        actor=actor,
        purpose="Configure the organization's AI model endpoint",
        organization=organization,
        target=organization,
        extra={"enabled": config.enabled, "budget": config.monthly_token_budget},
    )
    return config
