"""Checks shared by the services of goals, notes, meetings and feedback."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.mentoring.access import refuse_if_blocked as refuse_if_blocked
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.access import ensure_program_open


def still_active(relationship: Relationship) -> bool:
    """Read the status again under a row lock: the relationship may have ended since the
    caller loaded it, and access derived from it ends at that moment. Every write inside a
    relationship (goals, notes, meetings) passes here, so this is also where an archived
    program refuses them (Conflict ``archived``; reading stays possible)."""
    active = (
        Relationship.objects.select_for_update()
        .filter(pk=relationship.pk, status=Relationship.Status.ACTIVE)
        .exists()
    )
    if active:
        ensure_program_open(relationship.program_id)
    return active


def clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(_("Give a title of at most 200 characters."), code="bad_title")
    return title


def clean_text(text: str | None, *, limit: int = 20_000, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(_("This cannot be empty."), code="empty")
    if len(text) > limit:
        raise ValidationFailed(_("This text is too long."), code="too_long")
    return text


def content_audit(
    action: str,
    *,
    actor: User,
    target,
    subject,
    relationship,
    purpose: str,
    category: str = "personal",
    extra: dict | None = None,
) -> None:
    audit.record(
        action=action,
        actor=actor,
        target=target,
        subject=subject,
        purpose=purpose,
        category=category,
        organization=relationship.program.organization_id,
        extra=extra,
    )


def require_participant_active(actor: User, relationship: Relationship) -> None:
    """The actor takes part, the relationship is active (read again under a lock: it may have
    been paused or ended since the caller loaded it) and the other participant has not blocked
    the actor."""
    if actor.pk not in relationship.participant_ids() or not still_active(relationship):
        raise PermissionDenied()
    refuse_if_blocked(actor, relationship)
