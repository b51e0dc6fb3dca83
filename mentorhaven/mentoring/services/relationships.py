"""Writes about mentoring relationships: propose, accept, decline, end, complete; idle nudges."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.consent import processing
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from mentorhaven.matching.suggestions import suggestions_mark_stale
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.notifications import EVENTS, relationship_link, tell
from mentorhaven.messaging.notices import already_told
from mentorhaven.programs.access import administered_programs, ensure_program_open
from mentorhaven.programs.models import Membership, Program

DEFAULT_AGREEMENT = (
    "What we share in this mentoring relationship stays between us. I will not pass on what my "
    "mentoring partner tells me without their permission, except where someone's safety is at "
    "risk. I will use MentorHaven for our conversations and files, not personal apps."
)


def agreement_text(program: Program) -> str:
    """The confidentiality agreement both people accept before a relationship starts."""
    return str(program.settings.get("confidentiality_agreement") or DEFAULT_AGREEMENT)


def _require_member(program: Program, user: User, role: str) -> None:
    if not Membership.objects.filter(program=program, user=user, role=role).exists():
        # No name or address in the message: it may be shown to someone other than ``user``.
        raise ValidationFailed(
            _("This person does not take part in the program in that role."), code="not_a_member"
        )


@transaction.atomic
def relationship_propose(
    *,
    actor: User | None,
    program: Program,
    mentee,
    mentor,
    source: str = Relationship.Source.MANUAL,
    respond_by: datetime | None = None,
    tell_mentee: bool = True,
) -> Relationship:
    """Propose a pairing. Admins of the program may propose any pair; a mentee may request a
    mentor for themself (self-match). ``tell_mentee=False`` when the caller tells her in its
    own words (a rematch)."""
    is_admin = administered_programs(actor).filter(pk=program.pk).exists()
    self_match = source == Relationship.Source.SELF_MATCH
    if not is_admin and not (self_match and actor is not None and actor.pk == mentee.pk):
        raise PermissionDenied()
    ensure_program_open(program)
    _require_member(program, mentee, Membership.Role.MENTEE)
    _require_member(program, mentor, Membership.Role.MENTOR)
    if Relationship.objects.filter(
        program=program, mentee=mentee, mentor=mentor, status__in=["proposed", "active", "paused"]
    ).exists():
        raise Conflict(_("These two people already have an open relationship."), code="duplicate")
    relationship = Relationship.objects.create(
        program=program, mentee=mentee, mentor=mentor, source=source, respond_by=respond_by
    )
    suggestions_mark_stale(program=program)  # a seat is taken
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
    if self_match:
        tell([mentor], "request_received", relationship)
    else:
        tell([mentee, mentor] if tell_mentee else [mentor], "match_published", relationship)
    return relationship


@transaction.atomic
def relationship_accept(*, actor: User, relationship: Relationship) -> Relationship:
    """A participant accepts the confidentiality agreement (and goals); both → active."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status != Relationship.Status.PROPOSED:
        raise Conflict(
            _("This relationship is no longer waiting for an answer."), code="not_proposed"
        )
    now = timezone.now()
    if actor.pk == relationship.mentee_id:
        relationship.mentee_accepted_at = relationship.mentee_accepted_at or now
    elif actor.pk == relationship.mentor_id:
        relationship.mentor_accepted_at = relationship.mentor_accepted_at or now
    else:
        raise PermissionDenied()
    ensure_program_open(relationship.program_id)
    if relationship.mentee_accepted_at and relationship.mentor_accepted_at:
        relationship.status = Relationship.Status.ACTIVE
        relationship.started_at = now
        relationship.last_activity_at = now
    relationship.save()
    suggestions_mark_stale(program=relationship.program_id)
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
    if relationship.status == Relationship.Status.ACTIVE:
        tell(relationship.participant_ids(), "started", relationship)
    elif relationship.is_request and actor.pk == relationship.mentor_id:
        tell([relationship.mentee_id], "request_accepted", relationship)
    return relationship


@transaction.atomic
def relationship_decline(*, actor: User, relationship: Relationship) -> Relationship:
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status != Relationship.Status.PROPOSED:
        raise Conflict(
            _("This relationship is no longer waiting for an answer."), code="not_proposed"
        )
    if actor.pk not in relationship.participant_ids():
        raise PermissionDenied()
    relationship.status = Relationship.Status.DECLINED
    relationship.ended_at = timezone.now()
    relationship.ended_by = actor
    relationship.save()
    suggestions_mark_stale(program=relationship.program_id)
    audit.record(
        action="relationship.decline",
        actor=actor,
        target=relationship,
        subject=actor,
        purpose="Mentoring match declined",
        category="program",
        organization=relationship.program.organization_id,
    )
    others = [pk for pk in relationship.participant_ids() if pk != actor.pk]
    if relationship.is_request and actor.pk == relationship.mentor_id:
        tell(others, "request_declined", relationship)
    else:
        tell(others, "ended", relationship)
    return relationship


END_NOTE_LIMIT = 2000
OPEN = (Relationship.Status.PROPOSED, Relationship.Status.ACTIVE, Relationship.Status.PAUSED)


@transaction.atomic
def relationship_end(
    *,
    actor: User | None,
    relationship: Relationship,
    reason: str,
    note: str = "",
    completed: bool | None = None,
    tell_mentee: bool = True,
) -> Relationship:
    """End a relationship: completed, or ended early with a reason, by either participant or an
    admin of its program (``actor=None``: MentorHaven itself, e.g. an idle sweep). Access derived
    from it (the mentor's view of the mentee's goals, notes and files) ends at the same moment;
    the conversation becomes a read-only archive (docs/privacy.md, "When a relationship ends").

    ``note`` is the ender's own words, encrypted under their key and shown to them and the
    program's admins, never to the other participant. ``completed`` defaults to "the goals were
    met" for a relationship that had started. ``tell_mentee=False`` when the caller tells her
    in its own words (a rematch)."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status not in OPEN:
        raise Conflict(_("This relationship has already ended."), code="already_ended")
    is_admin = administered_programs(actor).filter(pk=relationship.program_id).exists()
    if actor is not None and actor.pk not in relationship.participant_ids() and not is_admin:
        raise PermissionDenied()
    if reason not in Relationship.EndReason.values:
        raise ValidationFailed(_("Choose a reason for ending."), code="bad_reason")
    note = (note or "").strip()
    if len(note) > END_NOTE_LIMIT:
        raise ValidationFailed(
            _("The note can be at most %(limit)d characters.") % {"limit": END_NOTE_LIMIT},
            code="too_long",
        )
    if note and actor is None:
        raise ValidationFailed(_("Only a person can write a note."), code="note_without_author")
    if completed is None:
        completed = (
            reason == Relationship.EndReason.GOALS_MET and relationship.started_at is not None
        )
    lapsed = (
        actor is None
        and relationship.status == Relationship.Status.PROPOSED
        and relationship.is_request
    )
    relationship.status = (
        Relationship.Status.COMPLETED if completed else Relationship.Status.ENDED_EARLY
    )
    relationship.ended_at = timezone.now()
    relationship.end_reason = reason
    relationship.ended_by = actor
    relationship.end_note = note or None
    relationship.save()
    suggestions_mark_stale(program=relationship.program_id)
    audit.record(
        action="relationship.complete" if completed else "relationship.end",
        actor=actor,
        target=relationship,
        subject=relationship.mentee,
        purpose="Mentoring relationship ended",
        category="program",
        organization=relationship.program.organization_id,
        extra={"reason": reason, **({"note": True} if note else {})},  # never the note itself
    )
    if lapsed:  # a request nobody answered: the mentee may ask someone else
        tell([relationship.mentee_id], "request_lapsed", relationship)
    else:
        others = [
            pk
            for pk in relationship.participant_ids()
            if (actor is None or pk != actor.pk) and (tell_mentee or pk != relationship.mentee_id)
        ]
        tell(others, "ended", relationship)
    return relationship


def _require_program_admin(actor: User, relationship: Relationship) -> None:
    if not administered_programs(actor).filter(pk=relationship.program_id).exists():
        raise PermissionDenied()


@transaction.atomic
def relationship_pause(*, actor: User, relationship: Relationship) -> Relationship:
    """A coordinator (an admin of the program) pauses an active relationship: both people keep
    reading everything inside it, neither writes — messages, notes, goals, meetings, files —
    until it is resumed (``access.refuse_writing``; the services read the status again)."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    _require_program_admin(actor, relationship)
    if relationship.status != Relationship.Status.ACTIVE:
        raise Conflict(_("Only an active relationship can be paused."), code="not_active")
    relationship.status = Relationship.Status.PAUSED
    relationship.paused_at = timezone.now()
    relationship.save(update_fields=["status", "paused_at"])
    suggestions_mark_stale(program=relationship.program_id)
    audit.record(
        action="relationship.pause",
        actor=actor,
        target=relationship,
        subject=relationship.mentee,
        purpose="Mentoring relationship paused",
        category="program",
        organization=relationship.program.organization_id,
    )
    tell(relationship.participant_ids(), "paused", relationship)
    return relationship


@transaction.atomic
def relationship_resume(*, actor: User, relationship: Relationship) -> Relationship:
    """A coordinator resumes a paused relationship: both may write again."""
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    _require_program_admin(actor, relationship)
    if relationship.status != Relationship.Status.PAUSED:
        raise Conflict(_("This relationship is not paused."), code="not_paused")
    ensure_program_open(relationship.program_id)
    relationship.status = Relationship.Status.ACTIVE
    relationship.paused_at = None
    relationship.last_activity_at = timezone.now()  # the pause is not idleness
    relationship.save(update_fields=["status", "paused_at", "last_activity_at"])
    suggestions_mark_stale(program=relationship.program_id)
    audit.record(
        action="relationship.resume",
        actor=actor,
        target=relationship,
        subject=relationship.mentee,
        purpose="Mentoring relationship resumed",
        category="program",
        organization=relationship.program.organization_id,
    )
    tell(relationship.participant_ids(), "resumed", relationship)
    return relationship


@transaction.atomic
def relationship_rematch(
    *, actor: User, relationship: Relationship, reason: str, note: str = "", mentor: User
) -> Relationship:
    """A coordinator ends a relationship with a reason and proposes a new mentor for its mentee
    in the same program, in one transaction: both steps or neither. The new pairing starts as
    any proposal does (both accept the agreement). Returns the new relationship. Each step
    records its own audit event (``relationship.end``, ``relationship.propose``).

    The old mentor is told the relationship ended, the new one that they have a match; the
    mentee gets one notice saying both, linking to the new relationship."""
    _require_program_admin(actor, relationship)
    if mentor.pk == relationship.mentor_id:
        raise ValidationFailed(_("Choose a different mentor."), code="same_mentor")
    relationship_end(
        actor=actor, relationship=relationship, reason=reason, note=note, tell_mentee=False
    )
    new = relationship_propose(
        actor=actor,
        program=relationship.program,
        mentee=relationship.mentee,
        mentor=mentor,
        source=Relationship.Source.MANUAL,
        tell_mentee=False,
    )
    tell([new.mentee_id], "rematched", new)
    return new


@transaction.atomic
def relationship_end_on_erasure(*, relationship: Relationship, leaving) -> bool:
    """End an open relationship because ``leaving`` is being erased, and tell the other person
    (an e-mail without content). MentorHaven itself is the actor. False if it had already ended:
    the erasure job may run this twice."""
    relationship = (
        Relationship.objects.select_for_update()
        .select_related("program", "mentee", "mentor")
        .get(pk=relationship.pk)
    )
    if relationship.status not in OPEN:
        return False
    was_active = relationship.status != Relationship.Status.PROPOSED
    relationship.status = (
        Relationship.Status.ENDED_EARLY if was_active else Relationship.Status.DECLINED
    )
    relationship.ended_at = timezone.now()
    relationship.end_reason = Relationship.EndReason.LEFT_PROGRAM
    relationship.ended_by = None
    relationship.save()
    suggestions_mark_stale(program=relationship.program_id)
    audit.record(
        action="relationship.end",
        actor=None,
        target=relationship,
        subject=relationship.mentee,
        purpose="Mentoring relationship ended: a participant was erased",
        category="program",
        organization=relationship.program.organization_id,
        extra={"reason": Relationship.EndReason.LEFT_PROGRAM},
    )
    other = relationship.mentor if relationship.mentee_id == leaving.pk else relationship.mentee
    if was_active:
        tell([other], "partner_left", relationship)
    return True


def relationship_touch(*, relationship: Relationship) -> None:
    """Record activity (a message, a meeting, a note) for idle detection. No audit event:
    the activity itself is audited by its own service."""
    Relationship.objects.filter(pk=relationship.pk).update(last_activity_at=timezone.now())


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
    # Someone who restricted processing of their data gets no reminders (consent.processing).
    reachable = processing.allowed(processing.REMINDERS, relationship.participant_ids())
    for person in (relationship.mentee, relationship.mentor):
        if person.pk in reachable:
            tell([person], "idle", relationship)
    return True


# --- the program's end ---------------------------------------------------------------------------


@transaction.atomic
def relationship_ending_warn(*, relationship: Relationship) -> int:
    """Tell both people, once, that their program ends soon (MentorHaven acts). Returns how
    many were told now: 0 when they already were, so it is safe to call twice."""
    kind, text = EVENTS["program_ending"]
    link = relationship_link(relationship)
    reachable = processing.allowed(processing.REMINDERS, relationship.participant_ids())
    fresh = [
        pk
        for pk in relationship.participant_ids()
        if pk in reachable and not already_told(user_id=pk, kind=kind, link=link, text=text)
    ]
    return len(tell(fresh, "program_ending", relationship))
