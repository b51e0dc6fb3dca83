"""Reads of program events, by viewer.

An event's text is the program's own announcement and is read without an audit event. Who
registered is personal: the admins who run the program see every registration, and each read
of that list is on the record of the people in it; an attendee sees only the other attendees
who agreed to be shown (``show_me``); everyone else sees counts only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.community.access import runs_event, runs_program, visible_events
from mentorhaven.community.models import Event, Registration
from mentorhaven.kernel import audit
from mentorhaven.kernel.fields import is_unavailable
from mentorhaven.mentoring.domain import CalendarEvent, ics_calendar
from mentorhaven.programs.models import Program
from mentorhaven.reporting.domain import Table, k_for, release


def events_for(*, viewer: User, program: Program, past: bool = False) -> QuerySet[Event]:
    """The program's events (upcoming, or past with ``past=True``), each annotated with its
    seat counts and the viewer's own place (``my_status``, None when not registered)."""
    now = timezone.now()
    events = visible_events(viewer).filter(program=program)
    events = events.filter(ends_at__lte=now) if past else events.filter(ends_at__gt=now)
    mine = Registration.objects.filter(user=viewer, event=OuterRef("pk")).values("status")[:1]
    return events.annotate(
        registered=Count("registrations", filter=Q(registrations__status="registered")),
        waiting=Count("registrations", filter=Q(registrations__status="waitlisted")),
        my_status=Subquery(mine),
    ).order_by("-starts_at" if past else "starts_at", "pk")


def my_registration(*, viewer: User, event: Event) -> Registration | None:
    return Registration.objects.filter(event=event, user=viewer).first()


@dataclass(frozen=True)
class Seats:
    registered: int
    waiting: int
    capacity: int | None

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.registered)


def seats_of(event: Event) -> Seats:
    counts = Registration.objects.filter(event=event).aggregate(
        registered=Count("pk", filter=Q(status="registered")),
        waiting=Count("pk", filter=Q(status="waitlisted")),
    )
    return Seats(counts["registered"], counts["waiting"], event.capacity)


@dataclass(frozen=True)
class Attendees:
    """What the viewer may see of who comes: every registration (admins) or the attendees who
    agreed to be shown (attendees), and whether the list is the full one."""

    rows: list[Registration]
    full: bool


def attendees_for(*, viewer: User, event: Event) -> Attendees | None:
    """The attendee list the viewer may see, or None (members without a seat see counts only).

    Admins who run the program get every registration; the read is recorded for each person in
    it. A registered attendee gets the registered people who opted in to be shown (themselves
    included when they opted in)."""
    rows = Registration.objects.filter(event=event).select_related("user")
    if runs_event(viewer, event):
        listed = list(
            rows.exclude(status=Registration.Status.CANCELLED).order_by("registered_at", "pk")
        )
        audit.record_access(
            viewer=viewer,
            category="program",
            purpose="Event attendee list",
            subjects=[r.user_id for r in listed],
            target=event,
            action="event.attendees_read",
            organization=event.program.organization_id,
        )
        return Attendees(listed, full=True)
    attending = rows.filter(user=viewer, status=Registration.Status.REGISTERED).exists()
    if not attending:
        return None
    shown = rows.filter(status=Registration.Status.REGISTERED, show_me=True).order_by(
        "registered_at", "pk"
    )
    return Attendees(list(shown), full=False)


def event_ics(*, viewer: User, event: Event) -> str:
    """The event as an iCalendar file: its title, time, place or link, and the address of its
    page. Only for those who may see the event (the caller has accessed it)."""
    page = settings.SITE_URL + reverse(
        "community:event_detail", kwargs={"event_id": event.public_id}
    )
    where = event.place if event.format == Event.Format.IN_PERSON else event.link
    entry = CalendarEvent(
        uid=f"event-{event.public_id}@mentorhaven",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        stamp=event.updated_at,
        summary=_readable(event.title),
        location=_readable(where),
        url=page,
        cancelled=event.is_cancelled,
    )
    return ics_calendar([entry], name=event.program.name)


def _readable(value) -> str:
    """The text, or nothing when it is erased or unreadable."""
    return "" if value is None or is_unavailable(value) else str(value)


@dataclass(frozen=True)
class Attendance:
    event: Event
    table: Table


def attendance_figures(*, viewer: User, program: Program, limit: int = 20) -> list[Attendance]:
    """How many of those with a seat came, per past event, for those who run the program: through
    the reporting layer (nothing under k people; complementary suppression), one query."""
    if not runs_program(viewer, program):
        return []
    k = k_for(program.settings)
    past = (
        Event.objects.filter(program=program, ends_at__lte=timezone.now())
        .exclude(status=Event.Status.CANCELLED)
        .annotate(
            came=Count(
                "registrations",
                filter=Q(
                    registrations__status="registered", registrations__checked_in_at__isnull=False
                ),
            ),
            missed=Count(
                "registrations",
                filter=Q(
                    registrations__status="registered", registrations__checked_in_at__isnull=True
                ),
            ),
        )
        .order_by("-starts_at", "pk")[:limit]
    )
    return [
        Attendance(e, release({"came": e.came, "did_not_come": e.missed}, k=k))  # type: ignore[attr-defined]
        for e in past
    ]
