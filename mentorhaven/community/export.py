"""What a data export holds from the community app (privacy/export/registry.py): the events
the person registered for, and the events they wrote."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mentorhaven.community.models import Event, Registration
from mentorhaven.privacy.export.registry import Section, register


def registration_rows(context):
    found = Registration.objects.filter(user=context.user).select_related("event__program")
    for registration in found.order_by("registered_at", "pk"):
        event = registration.event
        yield {
            "event": event.public_id,
            "program": event.program.name,
            "event_starts": event.starts_at,
            "status": registration.status,
            "name_shown_to_attendees": registration.show_me,
            "registered": registration.registered_at,
            "moved_up_from_waitlist": registration.promoted_at,
            "cancelled": registration.cancelled_at,
            "checked_in": registration.checked_in_at,
        }


def event_rows(context):
    for event in Event.objects.filter(author=context.user).select_related("program").order_by("pk"):
        yield {
            "event": event.public_id,
            "program": event.program.name,
            "title": event.title,
            "description": event.description,
            "place": event.place,
            "link": event.link,
            "starts": event.starts_at,
            "ends": event.ends_at,
            "status": event.status,
        }


register(
    Section(
        key="event_registrations",
        title=_("Program events you registered for"),
        models=("community.Registration",),
        rows=registration_rows,
        source=_("Recorded when you registered for an event, or an admin checked you in"),
        order=62,
    )
)
register(
    Section(
        key="events_written",
        title=_("Program events you wrote"),
        models=("community.Event",),
        rows=event_rows,
        source=_("Written by you for a program you run"),
        order=63,
    )
)
