"""Writes about program events: publish, change, cancel, remind; register, cancel a
registration (the first person waiting moves up), check in.

Seats are counted under a row lock on the event, so two people asking for the last seat at once
cannot both get it. Who moves up is told with a content-free notice; their audit event names
MentorHaven as the actor, never the person whose cancellation freed the seat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.community import domain
from mentorhaven.community.access import community_programs
from mentorhaven.community.models import Event, Registration
from mentorhaven.community.notifications import tell_cancelled, tell_promoted, tell_reminder
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.programs.access import administered_programs
from mentorhaven.programs.models import Program

ACTIVE = (Registration.Status.REGISTERED, Registration.Status.WAITLISTED)


def _require_runs(actor: User, program: Program) -> None:
    if not administered_programs(actor).filter(pk=program.pk).exists():
        raise PermissionDenied()


def _text(value: str | None, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("Give the event a title."), code="empty")
    if len(value) > limit:
        raise ValidationFailed(_("This text is too long."), code="too_long")
    return value


def _clean(
    *,
    format: str,
    title: str,
    description: str,
    place: str,
    link: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int | None,
) -> dict:
    if format not in Event.Format.values:
        raise ValidationFailed(_("Choose online or in person."), code="bad_format")
    problem = domain.timing_problem(starts_at, ends_at, now=timezone.now())
    if problem == "ends_before_start":
        raise ValidationFailed(_("An event ends after it starts."), code=problem)
    if problem == "too_long":
        raise ValidationFailed(_("An event lasts at most a week."), code=problem)
    if problem:
        raise ValidationFailed(_("An event starts in the future."), code=problem)
    if capacity is not None and not 1 <= int(capacity) <= 100_000:
        raise ValidationFailed(_("The capacity is 1 to 100,000 people."), code="bad_capacity")
    cleaned: dict[str, Any] = {
        "format": format,
        "title": _text(title, limit=domain.TITLE_LIMIT, required=True),
        "description": _text(description, limit=domain.TEXT_LIMIT) or None,
        "place": _text(place, limit=domain.PLACE_LIMIT) or None,
        "link": _text(link, limit=domain.LINK_LIMIT) or None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": int(capacity) if capacity is not None else None,
    }
    link_text = cleaned["link"]
    if format == Event.Format.ONLINE:
        if not link_text or domain.link_problem(link_text):
            raise ValidationFailed(_("An online event needs an https link."), code="bad_link")
        cleaned["place"] = None
    else:
        if not cleaned["place"]:
            raise ValidationFailed(_("An event in person needs a place."), code="no_place")
        cleaned["link"] = None
    return cleaned


def _audit(action: str, *, actor: User | None, event: Event, subject, purpose: str, **extra):
    audit.record(
        action=action,
        actor=actor,
        target=event,
        subject=subject,
        purpose=purpose,
        category="program",
        organization=event.program.organization_id,
        extra=extra or None,
    )


@transaction.atomic
def event_create(*, actor: User, program: Program, **fields) -> Event:
    """Publish an event in a program the actor runs. Its text is encrypted under the actor's
    key."""
    _require_runs(actor, program)
    event = Event(program=program, author=actor, **_clean(**fields))
    event.save()
    _audit("event.create", actor=actor, event=event, subject=actor, purpose="Event published")
    return event


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("program").get(pk=event.pk)


@transaction.atomic
def event_update(*, actor: User, event: Event, **fields) -> Event:
    """Change an event; its text is encrypted again, under the key of the admin who changed it.
    A larger capacity gives the freed seats to the first people waiting."""
    event = _locked(event)
    _require_runs(actor, event.program)
    if event.is_cancelled:
        raise Conflict(_("This event was cancelled."), code="cancelled")
    for name, value in _clean(**fields).items():
        setattr(event, name, value)
    event.author = actor
    event.updated_at = timezone.now()
    event.save()
    _audit("event.update", actor=actor, event=event, subject=actor, purpose="Event changed")
    _promote_waiting(event)
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event) -> Event:
    """Cancel an event: everyone registered or waiting is told (without content)."""
    event = _locked(event)
    _require_runs(actor, event.program)
    if event.is_cancelled:
        return event
    event.status = Event.Status.CANCELLED
    event.updated_at = timezone.now()
    event.save(update_fields=["status", "updated_at"])
    people = list(
        Registration.objects.filter(event=event, status__in=ACTIVE).values_list(
            "user_id", flat=True
        )
    )
    _audit(
        "event.cancel",
        actor=actor,
        event=event,
        subject=actor,
        purpose="Event cancelled",
        told=len(people),
    )
    tell_cancelled(people, event)
    return event


def _registered_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Registration.Status.REGISTERED).count()


def _promote_waiting(event: Event) -> list[Registration]:
    """Give free seats to the first people on the waitlist (under the caller's lock on the
    event) and tell each of them."""
    waiting = Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
    count = domain.seats_to_fill(
        capacity=event.capacity, registered=_registered_count(event), waiting=waiting.count()
    )
    if count == 0:
        return []
    now = timezone.now()
    promoted = list(waiting.order_by("registered_at", "pk")[:count])
    for registration in promoted:
        registration.status = Registration.Status.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        # MentorHaven gives the seat: the person is not told whose cancellation freed it.
        _audit(
            "event.promote",
            actor=None,
            event=event,
            subject=registration.user_id,
            purpose="Freed place given to the first person waiting",
        )
    tell_promoted([r.user_id for r in promoted], event)
    return promoted


def _open_for_registration(actor: User, event: Event) -> None:
    if not community_programs(actor).filter(pk=event.program_id).exists():
        raise NotFound()
    if event.is_cancelled:
        raise Conflict(_("This event was cancelled."), code="cancelled")
    if event.starts_at <= timezone.now():
        raise Conflict(_("This event has already started."), code="started")


@transaction.atomic
def registration_create(*, actor: User, event: Event, show_me: bool = False) -> Registration:
    """Register the actor: a seat while one is free, else the waitlist. Asking again changes
    only whether the other attendees may see their name."""
    event = _locked(event)
    _open_for_registration(actor, event)
    registration = Registration.objects.filter(event=event, user=actor).first()
    if registration is not None and registration.status in ACTIVE:
        if registration.show_me != bool(show_me):
            registration.show_me = bool(show_me)
            registration.save(update_fields=["show_me"])
        return registration
    place = domain.place_for(capacity=event.capacity, registered=_registered_count(event))
    registration = registration or Registration(event=event, user=actor)
    registration.status = place
    registration.show_me = bool(show_me)
    registration.registered_at = timezone.now()
    registration.cancelled_at = None
    registration.promoted_at = None
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save()
    action = "event.register" if place == domain.REGISTERED else "event.waitlist"
    _audit(action, actor=actor, event=event, subject=actor, purpose="Registered for an event")
    return registration


@transaction.atomic
def registration_cancel(*, actor: User, event: Event) -> Registration:
    """Cancel the actor's own registration or place on the waitlist; a freed seat goes to the
    first person waiting, who is told."""
    event = _locked(event)
    registration = Registration.objects.filter(event=event, user=actor, status__in=ACTIVE).first()
    if registration is None:
        raise Conflict(_("You are not registered for this event."), code="not_registered")
    held_a_seat = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    _audit(
        "event.unregister",
        actor=actor,
        event=event,
        subject=actor,
        purpose="Event registration cancelled",
    )
    if held_a_seat and not event.is_cancelled:
        _promote_waiting(event)
    return registration


@transaction.atomic
def registration_check_in(*, actor: User, event: Event, registration: Registration) -> Registration:
    """An admin of the program marks a registered person as present."""
    event = _locked(event)
    _require_runs(actor, event.program)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.event_id != event.pk:
        raise NotFound()
    if registration.status != Registration.Status.REGISTERED:
        raise Conflict(_("Only registered people can be checked in."), code="not_registered")
    if registration.checked_in_at is None:
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = actor
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
        _audit(
            "event.check_in",
            actor=actor,
            event=event,
            subject=registration.user_id,
            purpose="Attendance recorded",
        )
    return registration


@transaction.atomic
def event_remind(*, event: Event) -> bool:
    """Send the reminder of an event once to everyone with a seat (MentorHaven acts). False
    when already sent or the event is off: safe to call twice."""
    event = _locked(event)
    if event.reminder_sent_at is not None or event.is_cancelled:
        return False
    event.reminder_sent_at = timezone.now()
    event.save(update_fields=["reminder_sent_at"])
    people = list(
        Registration.objects.filter(event=event, status=Registration.Status.REGISTERED).values_list(
            "user_id", flat=True
        )
    )
    _audit(
        "event.remind",
        actor=None,
        event=event,
        subject=None,
        purpose="Event reminder",
        told=len(people),
    )
    tell_reminder(people, event)
    return True


@transaction.atomic
def registrations_erase(*, user: User) -> dict[str, int]:
    """Erasure (privacy/erasure): the person's registrations are deleted; a seat they held at an
    event still to come goes to the first person waiting. Their name comes off the check-ins
    they recorded. Safe to run twice."""
    held = list(
        Registration.objects.filter(
            user=user,
            status=Registration.Status.REGISTERED,
            event__status=Event.Status.SCHEDULED,
            event__starts_at__gt=timezone.now(),
        ).values_list("event_id", flat=True)
    )
    deleted = Registration.objects.filter(user=user).delete()[0]
    promoted = 0
    for event in Event.objects.filter(pk__in=held).order_by("pk"):
        promoted += len(_promote_waiting(_locked(event)))
    unlinked = Registration.objects.filter(checked_in_by=user).update(checked_in_by=None)
    return {"registrations": deleted, "promoted": promoted, "check_ins_unlinked": unlinked}
