"""Writes about mentoring relationships: propose, accept, decline, end, complete."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime

from django.db import transaction
from django.utils import timezone

from mentorhaven.kernel import audit
from mentorhaven.kernel.access import administered_programs
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.mentoring.domain import clean_slots
from mentorhaven.mentoring.models import (
    CalendarFeed,
    Feedback,
    Goal,
    GoalUpdate,
    Meeting,
    Milestone,
    Note,
    Relationship,
)
from mentorhaven.mentoring.notifications import notify
from mentorhaven.programs.models import Membership, Program

DEFAULT_AGREEMENT = (
    "What we share in this mentoring relationship stays between us. I will not pass on what my "
    "mentoring partner tells me without their permission, except where someone's safety is at "
    "risk. I will use MentorHaven for our conversations and files, not personal apps."
)


def agreement_text(program: Program) -> str:
    """The confidentiality agreement both people accept before a relationship starts."""
    return str(program.settings.get("confidentiality_agreement") or DEFAULT_AGREEMENT)


def _require_member(program: Program, user, role: str) -> None:
    if not Membership.objects.filter(program=program, user=user, role=role).exists():
        raise ValidationFailed(f"{user} is not a {role} of this program.", code="not_a_member")


@transaction.atomic
def relationship_propose(
    *,
    actor,
    program: Program,
    mentee,
    mentor,
    source: str = Relationship.Source.MANUAL,
    respond_by: datetime | None = None,
) -> Relationship:
    """Propose a pairing. Admins of the program may propose any pair; a mentee may request a
    mentor for themself (self-match)."""
    is_admin = administered_programs(actor).filter(pk=program.pk).exists()
    if not is_admin and not (source == Relationship.Source.SELF_MATCH and actor.pk == mentee.pk):
        raise PermissionDenied()
    _require_member(program, mentee, Membership.Role.MENTEE)
    _require_member(program, mentor, Membership.Role.MENTOR)
    if Relationship.objects.filter(
        program=program, mentee=mentee, mentor=mentor, status__in=["proposed", "active"]
    ).exists():
        raise Conflict("These two people already have an open relationship.", code="duplicate")
    relationship = Relationship.objects.create(
        program=program, mentee=mentee, mentor=mentor, source=source, respond_by=respond_by
    )
    audit.record(
        action="relationship.propose",
        actor=actor,
        target=relationship,
        subject=mentee,
        purpose="Mentoring match",
        category="program",
        organization=program.organization_id,
        extra={"source": source},
    )
    return relationship


@transaction.atomic
def relationship_accept(*, actor, relationship: Relationship) -> Relationship:
    """A participant accepts the confidentiality agreement (and goals); both → active."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status != Relationship.Status.PROPOSED:
        raise Conflict("This relationship is no longer waiting for an answer.", code="not_proposed")
    now = timezone.now()
    if actor.pk == relationship.mentee_id:
        relationship.mentee_accepted_at = relationship.mentee_accepted_at or now
    elif actor.pk == relationship.mentor_id:
        relationship.mentor_accepted_at = relationship.mentor_accepted_at or now
    else:
        raise PermissionDenied()
    if relationship.mentee_accepted_at and relationship.mentor_accepted_at:
        relationship.status = Relationship.Status.ACTIVE
        relationship.started_at = now
        relationship.last_activity_at = now
    relationship.save()
    audit.record(
        action="relationship.accept",
        actor=actor,
        target=relationship,
        subject=actor,
        purpose="Confidentiality agreement accepted",
        category="program",
        organization=relationship.program.organization_id,
        extra={"status": relationship.status},
    )
    return relationship


@transaction.atomic
def relationship_decline(*, actor, relationship: Relationship) -> Relationship:
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status != Relationship.Status.PROPOSED:
        raise Conflict("This relationship is no longer waiting for an answer.", code="not_proposed")
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    relationship.status = Relationship.Status.DECLINED
    relationship.ended_at = timezone.now()
    relationship.ended_by = actor
    relationship.save()
    audit.record(
        action="relationship.decline",
        actor=actor,
        target=relationship,
        subject=actor,
        purpose="Mentoring match declined",
        category="program",
        organization=relationship.program.organization_id,
    )
    return relationship


@transaction.atomic
def relationship_end(
    *, actor, relationship: Relationship, reason: str, completed: bool = False
) -> Relationship:
    """End a relationship: completed, or ended early with a reason. Access derived from it
    (the mentor's view of the mentee's goals, notes and files) ends at the same moment."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status not in (Relationship.Status.ACTIVE, Relationship.Status.PROPOSED):
        raise Conflict("This relationship has already ended.", code="already_ended")
    is_admin = administered_programs(actor).filter(pk=relationship.program_id).exists()
    if actor is not None and actor.pk not in relationship.participant_ids() and not is_admin:
        raise PermissionDenied()
    if reason not in Relationship.EndReason.values:
        raise ValidationFailed("Choose a reason for ending.", code="bad_reason")
    relationship.status = (
        Relationship.Status.COMPLETED if completed else Relationship.Status.ENDED_EARLY
    )
    relationship.ended_at = timezone.now()
    relationship.end_reason = reason
    relationship.ended_by = actor
    relationship.save()
    audit.record(
        action="relationship.complete" if completed else "relationship.end",
        actor=actor,
        target=relationship,
        subject=relationship.mentee,
        purpose="Mentoring relationship ended",
        category="program",
        organization=relationship.program.organization_id,
        extra={"reason": reason},
    )
    return relationship


def relationship_touch(*, relationship: Relationship) -> None:
    """Record activity (a message, a meeting, a note) for idle detection. No audit event:
    the activity itself is audited by its own service."""
    Relationship.objects.filter(pk=relationship.pk).update(last_activity_at=timezone.now())


# --- goals and milestones (owned by the mentee) ---------------------------------------------------


def _still_active(relationship: Relationship) -> bool:
    """Read the status again under a row lock: the relationship may have ended since the
    caller loaded it, and access derived from it ends at that moment."""
    return (
        Relationship.objects.select_for_update()
        .filter(pk=relationship.pk, status=Relationship.Status.ACTIVE)
        .exists()
    )


def _require_owner_active(actor, goal: Goal) -> None:
    if actor.pk != goal.owner_id or not _still_active(goal.relationship):
        raise PermissionDenied()


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed("Give a title of at most 200 characters.", code="bad_title")
    return title


def _clean_text(text: str | None, *, limit: int = 20_000, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed("This cannot be empty.", code="empty")
    if len(text) > limit:
        raise ValidationFailed("This text is too long.", code="too_long")
    return text


def _content_audit(
    action: str,
    *,
    actor,
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


@transaction.atomic
def goal_create(*, actor, relationship: Relationship, title: str, description: str = "") -> Goal:
    """The mentee adds a goal to an active relationship; the description is encrypted under the
    mentee's key."""
    if actor.pk != relationship.mentee_id or not _still_active(relationship):
        raise PermissionDenied()
    goal = Goal(
        relationship=relationship,
        owner=actor,
        title=_clean_title(title),
        description=_clean_text(description) or None,
    )
    goal.save()
    _content_audit(
        "goal.create",
        actor=actor,
        target=goal,
        subject=actor,
        relationship=relationship,
        purpose="Mentee set a mentoring goal",
    )
    relationship_touch(relationship=relationship)
    return goal


@transaction.atomic
def goal_update(
    *,
    actor,
    goal: Goal,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
) -> Goal:
    _require_owner_active(actor, goal)
    if title is not None:
        goal.title = _clean_title(title)
    if description is not None:
        goal.description = _clean_text(description) or None
    if status is not None:
        if status not in Goal.Status.values:
            raise ValidationFailed("Unknown goal status.", code="bad_status")
        goal.status = status
    goal.updated_at = timezone.now()
    goal.save()
    _content_audit(
        "goal.update",
        actor=actor,
        target=goal,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee changed a goal",
        extra={"status": goal.status},
    )
    relationship_touch(relationship=goal.relationship)
    return goal


@transaction.atomic
def goal_progress_add(*, actor, goal: Goal, body: str) -> GoalUpdate:
    _require_owner_active(actor, goal)
    update = GoalUpdate(goal=goal, owner=actor, body=_clean_text(body, required=True))
    update.save()
    _content_audit(
        "goal.progress",
        actor=actor,
        target=goal,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee reported progress on a goal",
    )
    relationship_touch(relationship=goal.relationship)
    return update


@transaction.atomic
def milestone_add(*, actor, goal: Goal, title: str, due_on: date | None = None) -> Milestone:
    _require_owner_active(actor, goal)
    milestone = Milestone.objects.create(goal=goal, title=_clean_title(title), due_on=due_on)
    _content_audit(
        "milestone.create",
        actor=actor,
        target=milestone,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee added a milestone",
    )
    relationship_touch(relationship=goal.relationship)
    return milestone


@transaction.atomic
def milestone_set_done(*, actor, milestone: Milestone, done: bool) -> Milestone:
    goal = milestone.goal
    _require_owner_active(actor, goal)
    milestone.done = done
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done", "done_at"])
    _content_audit(
        "milestone.done" if done else "milestone.reopen",
        actor=actor,
        target=milestone,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee marked a milestone",
    )
    relationship_touch(relationship=goal.relationship)
    return milestone


# --- session notes (encrypted under the author's key) ---------------------------------------------


@transaction.atomic
def note_create(*, actor, relationship: Relationship, body: str, shared: bool = False) -> Note:
    """A participant writes a note on an active relationship: private unless ``shared``."""
    if actor.pk not in relationship.participant_ids() or not _still_active(relationship):
        raise PermissionDenied()
    note = Note(
        relationship=relationship,
        author=actor,
        body=_clean_text(body, required=True),
        shared=bool(shared),
    )
    note.save()
    _content_audit(
        "note.create",
        actor=actor,
        target=note,
        subject=actor,
        relationship=relationship,
        purpose="Session note written",
        category="platform",
        extra={"shared": note.shared},
    )
    relationship_touch(relationship=relationship)
    return note


@transaction.atomic
def note_edit(*, actor, note: Note, body: str | None = None, shared: bool | None = None) -> Note:
    """Only the author edits a note, at any time (it is their writing)."""
    if actor.pk != note.author_id:
        raise PermissionDenied()
    if body is not None:
        note.body = _clean_text(body, required=True)
    if shared is not None:
        note.shared = bool(shared)
    note.updated_at = timezone.now()
    note.save()
    _content_audit(
        "note.edit",
        actor=actor,
        target=note,
        subject=actor,
        relationship=note.relationship,
        purpose="Session note edited",
        category="platform",
        extra={"shared": note.shared},
    )
    return note


@transaction.atomic
def note_delete(*, actor, note: Note) -> None:
    if actor.pk != note.author_id:
        raise PermissionDenied()
    _content_audit(
        "note.delete",
        actor=actor,
        target=note,
        subject=actor,
        relationship=note.relationship,
        purpose="Session note deleted",
        category="platform",
    )
    note.delete()


# --- meetings ----------------------------------------------------------------------------------


def _require_participant_active(actor, relationship: Relationship) -> None:
    if actor.pk not in relationship.participant_ids() or not _still_active(relationship):
        raise PermissionDenied()


def _clean_location(location: str) -> str:
    location = (location or "").strip()
    if len(location) > 500:
        raise ValidationFailed("The place or link is too long.", code="too_long")
    if location.lower().startswith(("javascript:", "data:")):
        raise ValidationFailed("Give a place or an https link.", code="bad_location")
    return location


@transaction.atomic
def meeting_propose(
    *,
    actor,
    relationship: Relationship,
    slots: list[datetime],
    location: str = "",
    agenda: str = "",
    duration_minutes: int = 60,
) -> Meeting:
    """A participant offers one to three times; the other accepts one or declines. The agenda
    is encrypted under the proposer's key."""
    _require_participant_active(actor, relationship)
    cleaned = clean_slots(slots, now=timezone.now())
    if not 15 <= int(duration_minutes) <= 480:
        raise ValidationFailed("A meeting lasts 15 minutes to 8 hours.", code="bad_duration")
    meeting = Meeting(
        relationship=relationship,
        proposed_by=actor,
        slots=[s.astimezone(UTC).isoformat() for s in cleaned],
        duration_minutes=int(duration_minutes),
        location=_clean_location(location),
        agenda=_clean_text(agenda) or None,
    )
    meeting.save()
    _content_audit(
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
    transaction.on_commit(lambda: notify(other, "meeting_proposed", relationship))
    return meeting


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("relationship__program", "relationship__mentee", "relationship__mentor")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def meeting_accept(*, actor, meeting: Meeting, starts_at: datetime) -> Meeting:
    """The participant who did not propose picks one of the offered times → scheduled."""
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    _require_participant_active(actor, relationship)
    if actor.pk == meeting.proposed_by_id:
        raise PermissionDenied("The other participant answers a proposal.")
    if meeting.status != Meeting.Status.PROPOSED:
        raise Conflict("This meeting is no longer waiting for an answer.", code="not_proposed")
    if starts_at not in meeting.slot_times():
        raise ValidationFailed("Pick one of the offered times.", code="bad_slot")
    if starts_at <= timezone.now():
        raise ValidationFailed("That time has passed.", code="bad_slot")
    meeting.status = Meeting.Status.SCHEDULED
    meeting.starts_at = starts_at
    meeting.responded_at = timezone.now()
    meeting.save(update_fields=["status", "starts_at", "responded_at"])
    _content_audit(
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
    transaction.on_commit(lambda: notify(proposer, "meeting_scheduled", relationship))
    return meeting


@transaction.atomic
def meeting_decline(*, actor, meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    _require_participant_active(actor, relationship)
    if actor.pk == meeting.proposed_by_id:
        raise PermissionDenied("The other participant answers a proposal.")
    if meeting.status != Meeting.Status.PROPOSED:
        raise Conflict("This meeting is no longer waiting for an answer.", code="not_proposed")
    meeting.status = Meeting.Status.DECLINED
    meeting.responded_at = timezone.now()
    meeting.save(update_fields=["status", "responded_at"])
    _content_audit(
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
def meeting_cancel(*, actor, meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    if meeting.status not in (Meeting.Status.PROPOSED, Meeting.Status.SCHEDULED):
        raise Conflict("This meeting is not planned any more.", code="not_planned")
    meeting.status = Meeting.Status.CANCELLED
    meeting.responded_at = timezone.now()
    meeting.save(update_fields=["status", "responded_at"])
    _content_audit(
        "meeting.cancel",
        actor=actor,
        target=meeting,
        subject=actor,
        relationship=relationship,
        purpose="Meeting cancelled",
        category="platform",
    )
    other = relationship.mentor if actor.pk == relationship.mentee_id else relationship.mentee
    transaction.on_commit(lambda: notify(other, "meeting_cancelled", relationship))
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
    for person in (relationship.mentee, relationship.mentor):
        transaction.on_commit(
            lambda person=person: notify(person, "meeting_reminder", relationship, meeting)
        )
    return True


# --- feedback ----------------------------------------------------------------------------------


@transaction.atomic
def feedback_give(*, actor, meeting: Meeting, rating: int, comment: str = "") -> Feedback:
    """A participant rates a meeting that has taken place (once); the comment is encrypted
    under their key and reaches admins only as a count over a large enough group."""
    meeting = _locked_meeting(meeting)
    relationship = meeting.relationship
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    if meeting.status != Meeting.Status.SCHEDULED or meeting.starts_at > timezone.now():
        raise Conflict("Feedback opens once the meeting has taken place.", code="not_held")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("Rate from 1 to 5.", code="bad_rating")
    if Feedback.objects.filter(meeting=meeting, author=actor).exists():
        raise Conflict("You already gave feedback on this meeting.", code="duplicate")
    feedback = Feedback(
        meeting=meeting,
        author=actor,
        rating=rating,
        comment=_clean_text(comment, limit=5000) or None,
    )
    feedback.save()
    _content_audit(
        "feedback.give",
        actor=actor,
        target=feedback,
        subject=actor,
        relationship=relationship,
        purpose="Meeting feedback given",
        category="analytical",
        extra={"rating": rating},
    )
    return feedback


# --- private calendar feed ---------------------------------------------------------------------


def calendar_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor) -> tuple[CalendarFeed, str]:
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
def calendar_feed_revoke(*, actor) -> bool:
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


# --- idle relationships ------------------------------------------------------------------------


@transaction.atomic
def relationship_idle_warn(*, relationship: Relationship) -> bool:
    """Mark an idle relationship as warned and nudge both people (no content in the e-mail).
    Returns False when a current warning already exists: safe to run twice."""
    relationship = (
        Relationship.objects.select_for_update()
        .select_related("program", "mentee", "mentor")
        .get(pk=relationship.pk)
    )
    if not relationship.is_active or (
        relationship.idle_warned_at and relationship.idle_warned_at >= relationship.last_activity_at
    ):
        return False
    relationship.idle_warned_at = timezone.now()
    relationship.save(update_fields=["idle_warned_at"])
    audit.record(
        action="relationship.idle_warn",
        actor=None,
        target=relationship,
        subject=relationship.mentee,
        purpose="Idle relationship nudged",
        category="program",
        organization=relationship.program.organization_id,
    )
    for person in (relationship.mentee, relationship.mentor):
        transaction.on_commit(lambda person=person: notify(person, "idle", relationship))
    return True
