"""Writes at the end of a completed relationship: each participant's closing survey."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.models import ClosingSurvey, Relationship
from mentorhaven.mentoring.services._common import clean_text, content_audit
from mentorhaven.programs.access import ensure_program_open


@transaction.atomic
def closing_survey_give(
    *, actor: User, relationship: Relationship, rating: int, comment: str = ""
) -> ClosingSurvey:
    """One participant answers the closing survey of a relationship completed with its goals
    met, once: a rating (1 to 5) and an optional comment, encrypted under their key. Nobody
    else reads one pair's answers; admins see the program's aggregate over a large enough group
    (``selectors.closing_survey_summary``)."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    ensure_program_open(relationship.program_id)
    if relationship.status != Relationship.Status.COMPLETED:
        raise Conflict(
            _("The closing survey opens once the relationship is completed."), code="not_completed"
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed(_("Rate from 1 to 5."), code="bad_rating")
    if ClosingSurvey.objects.filter(relationship=relationship, author=actor).exists():
        raise Conflict(_("You already answered the closing survey."), code="duplicate")
    survey = ClosingSurvey(
        relationship=relationship,
        author=actor,
        rating=rating,
        comment=clean_text(comment, limit=5000) or None,
    )
    survey.save()
    content_audit(
        "closing_survey.give",
        actor=actor,
        target=survey,
        subject=actor,
        relationship=relationship,
        purpose="Closing survey answered",
        category="analytical",
        # No rating: the audit log is read by auditors; ratings reach admins only as aggregates.
    )
    return survey
