"""Writes about meetings, their feedback, and the private calendar feed."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.consent import processing
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.domain import calendar_token_hash, clean_slots
from mentorhaven.mentoring.models import CalendarFeed, Feedback, Meeting, Relationship
from mentorhaven.mentoring.notifications import tell
from mentorhaven.mentoring.services._common import (
    clean_text,
    content_audit,
    require_participant_active,
)
from mentorhaven.mentoring.services.relationships import relationship_touch
from mentorhaven.programs.access import ensure_program_open


def _clean_location(location: str) -> str:
    location = (location or "").strip()
    if len(location) > 500:
        raise ValidationFailed(_("The place or link is too long."), code="too_long")
    if location.lower().startswith(("javascript:", "data:")):
        raise ValidationFailed(_("Give a place or an https link."), code="bad_location")
    return location


@transaction.atomic
def meeting_propose(
    *,
    actor: User,
    relationship: Relationship,
    slots: list[datetime],
    location: str = "",
    agenda: str = "",
    duration_minutes: int = 60,
) -> Meeting:
    """A participant offers one to three times; the other accepts one or declines. The agenda
    is encrypted under the proposer's key."""
    require_participant_active(actor, relationship)
    cleaned = clean_slots(slots, now=timezone.now())
    if not 15 <= int(duration_minutes) <= 480:
        raise ValidationFailed(_("A meeting lasts 15 minutes to 8 hours."), code="bad_duration")
    meeting = Meeting(
        relationship=relationship,
        proposed_by=actor,
        slots=[s.astimezone(UTC).isoformat() for s in cleaned],
        duration_minutes=int(duration_minutes),
        location=_clean_location(location) or None,  # nothing to encrypt when left empty
        agenda=clean_text(agenda) or None,
    )
    meeting.save()
    content_audit(
        "meeting.propose",
        actor=actor,
        target=meeting,
        subject=actor,
        relationship=relationship,
        purpose="Meeting proposed",
        category="platform",
        extra={"slots": len(cleaned)},
    )
    relationship_touch(relationship=relationship)
    other = relationship.mentor if actor.pk == relationship.mentee_id else relationship.mentee
    tell([other], "meeting_proposed", relationship)
    return meeting


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("relationship__program", "relationship__mentee", "relationship__mentor")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_accept(*, actor: User, meeting: Meeting, starts_at: datetime) -> Meeting:
    """The participant who did not propose picks one of the offered times → scheduled."""
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    require_participant_active(actor, relationship)
    if actor.pk == meeting.proposed_by_id:
        raise PermissionDenied(_("The other participant answers a proposal."))
    if meeting.status != Meeting.Status.PROPOSED:
        raise Conflict(_("This meeting is no longer waiting for an answer."), code="not_proposed")
    if starts_at not in meeting.slot_times():
        raise ValidationFailed(_("Pick one of the offered times."), code="bad_slot")
    if starts_at <= timezone.now():
        raise ValidationFailed(_("That time has passed."), code="bad_slot")
    meeting.status = Meeting.Status.SCHEDULED
    meeting.starts_at = starts_at
    meeting.responded_at = timezone.now()
    meeting.save(update_fields=["status", "starts_at", "responded_at"])
    content_audit(
        "meeting.accept",
        actor=actor,
        target=meeting,
        subject=actor,
        relationship=relationship,
        purpose="Meeting time accepted",
        category="platform",
    )
    relationship_touch(relationship=relationship)
    proposer = meeting.proposed_by
    tell([proposer], "meeting_scheduled", relationship, about_time=starts_at)
    return meeting


@transaction.atomic
def meeting_decline(*, actor: User, meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    require_participant_active(actor, relationship)
    if actor.pk == meeting.proposed_by_id:
        raise PermissionDenied(_("The other participant answers a proposal."))
    if meeting.status != Meeting.Status.PROPOSED:
        raise Conflict(_("This meeting is no longer waiting for an answer."), code="not_proposed")
    meeting.status = Meeting.Status.DECLINED
    meeting.responded_at = timezone.now()
    meeting.save(update_fields=["status", "responded_at"])
    content_audit(
        "meeting.decline",
        actor=actor,
        target=meeting,
        subject=actor,
        relationship=relationship,
        purpose="Meeting proposal declined",
        category="platform",
    )
    relationship_touch(relationship=relationship)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    ensure_program_open(relationship.program_id)
    if meeting.status not in (Meeting.Status.PROPOSED, Meeting.Status.SCHEDULED):
        raise Conflict(_("This meeting is not planned any more."), code="not_planned")
    meeting.status = Meeting.Status.CANCELLED
    meeting.responded_at = timezone.now()
    meeting.save(update_fields=["status", "responded_at"])
    content_audit(
        "meeting.cancel",
        actor=actor,
        target=meeting,
        subject=actor,
        relationship=relationship,
        purpose="Meeting cancelled",
        category="platform",
    )
    other = relationship.mentor if actor.pk == relationship.mentee_id else relationship.mentee
    tell([other], "meeting_cancelled", relationship, about_time=meeting.starts_at)
    return meeting


@transaction.atomic
def meeting_remind(*, meeting: Meeting) -> bool:
    """Send the reminder of a scheduled meeting once (MentorHaven acts, not a person). Returns
    False when it was already sent or the meeting is no longer on: safe to call twice."""
    meeting = _locked_meeting(meeting)
    if (
        meeting.reminder_sent_at is not None
        or meeting.status != Meeting.Status.SCHEDULED
        or not meeting.relationship.is_active
    ):
        return False
    meeting.reminder_sent_at = timezone.now()
    meeting.save(update_fields=["reminder_sent_at"])
    relationship = meeting.relationship
    audit.record(
        action="meeting.remind",
        actor=None,
        target=meeting,
        subject=relationship.mentee,
        purpose="Meeting reminder sent",
        category="platform",
        organization=relationship.program.organization_id,
    )
    # Someone who restricted processing of their data gets no reminders (consent.processing).
    reachable = processing.allowed(processing.REMINDERS, relationship.participant_ids())
    for person in (relationship.mentee, relationship.mentor):
        if person.pk in reachable:
            tell([person], "meeting_reminder", relationship, about_time=meeting.starts_at)
    return True


# --- feedback ----------------------------------------------------------------------------------


@transaction.atomic
def feedback_give(*, actor: User, meeting: Meeting, rating: int, comment: str = "") -> Feedback:
    """A participant rates a meeting that has taken place (once); the comment is encrypted
    under their key and reaches admins only as a count over a large enough group."""
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    ensure_program_open(relationship.program_id)
    if (
        meeting.status != Meeting.Status.SCHEDULED
        or meeting.starts_at is None
        or meeting.starts_at > timezone.now()
    ):
        raise Conflict(_("Feedback opens once the meeting has taken place."), code="not_held")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed(_("Rate from 1 to 5."), code="bad_rating")
    if Feedback.objects.filter(meeting=meeting, author=actor).exists():
        raise Conflict(_("You already gave feedback on this meeting."), code="duplicate")
    feedback = Feedback(
        meeting=meeting,
        author=actor,
        rating=rating,
        comment=clean_text(comment, limit=5000) or None,
    )
    feedback.save()
    content_audit(
        "feedback.give",
        actor=actor,
        target=feedback,
        subject=actor,
        relationship=relationship,
        purpose="Meeting feedback given",
        category="analytical",
        # No rating here: the audit log outlives the feedback and is read by auditors and
        # security officers; the rating is in the feedback row, shown only as an aggregate.
    )
    return feedback


# --- private calendar feed ---------------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new private feed address (256 random bits); any previous address stops working.
    Returns the raw token, shown once: only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(
        user=actor, defaults={"token_hash": calendar_token_hash(raw), "created_at": timezone.now()}
    )
    audit.record(
        action="calendar_feed.create",
        actor=actor,
        target=("mentoring.calendarfeed", actor.public_id),
        subject=actor,
        purpose="Private calendar feed address made",
        category="platform",
    )
    return feed, raw


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=actor).delete()
    if deleted:
        audit.record(
            action="calendar_feed.revoke",
            actor=actor,
            target=("mentoring.calendarfeed", actor.public_id),
            subject=actor,
            purpose="Private calendar feed address revoked",
            category="platform",
        )
    return bool(deleted)
