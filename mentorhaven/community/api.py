"""API for program events.

Members of a program (any role) and the admins of its organization see its events; anyone else
gets 404 on every path. Those who run the program publish events (a member gets 403). A person
registers and cancels only themself; the calendar file is for whoever sees the event.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from mentorhaven.api_common import AUTH_ERRORS, ErrorOut, body_doc, parse_body
from mentorhaven.community import selectors, services
from mentorhaven.community.access import (
    access_event,
    access_event_program,
    runs_event,
    runs_program,
)
from mentorhaven.community.models import Event, Registration
from mentorhaven.kernel.fields import is_unavailable

router = Router(tags=["events"])

ERRORS = {**AUTH_ERRORS, 404: ErrorOut, 409: ErrorOut}


class EventIn(Schema):
    title: str = Field(max_length=200)
    format: str = Field(description="online or in_person")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = Field("", max_length=500, description="Where, for an event in person")
    link: str = Field("", max_length=500, description="An https link, for an online event")
    capacity: int | None = Field(None, ge=1, le=100_000, description="None: no limit")
    description: str = Field("", max_length=5000)


class EventOut(Schema):
    id: UUID
    title: str | None = Field(description="Null once erased or unreadable")
    description: str | None
    format: str
    place: str | None
    link: str | None = Field(description="Shown to the people registered and the admins")
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    registered: int
    waiting: int
    cancelled: bool
    my_status: str | None = Field(description="registered, waitlisted, or null")
    ics_url: str


class RegistrationIn(Schema):
    show_me: bool = Field(False, description="Let the other attendees see your name")


class RegistrationOut(Schema):
    event: UUID
    status: str
    show_me: bool


def _text(value) -> str | None:
    return None if value is None or is_unavailable(value) else str(value)


def _event_out(event: Event, *, my_status: str | None, admin: bool) -> dict:
    """An event as the viewer may see it: the link only for the people registered and the
    admins (an open link would let anyone in)."""
    if hasattr(event, "registered"):  # annotated by events_for
        registered, waiting = event.registered, getattr(event, "waiting", 0)
    else:
        seats = selectors.seats_of(event)
        registered, waiting = seats.registered, seats.waiting
    sees_link = admin or my_status == Registration.Status.REGISTERED
    return {
        "id": event.public_id,
        "title": _text(event.title),
        "description": _text(event.description),
        "format": event.format,
        "place": _text(event.place),
        "link": _text(event.link) if sees_link else None,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "capacity": event.capacity,
        "registered": registered,
        "waiting": waiting,
        "cancelled": event.is_cancelled,
        "my_status": my_status,
        "ics_url": f"/api/v1/events/{event.public_id}/ics",
    }


@router.get("/programs/{slug}/events", response={200: list[EventOut], **ERRORS})
def event_list(request, slug: str):
    """The program's upcoming events, soonest first."""
    program = access_event_program(request.auth, slug=slug)
    admin = runs_program(request.auth, program)
    events = selectors.events_for(viewer=request.auth, program=program)
    return [_event_out(e, my_status=getattr(e, "my_status", None), admin=admin) for e in events]


@router.post(
    "/programs/{slug}/events",
    response={201: EventOut, 400: ErrorOut, **ERRORS},
    openapi_extra=body_doc(EventIn),
)
def event_create(request, slug: str):
    """Publish an event (those who run the program). Give ``link`` for an online event,
    ``place`` for one in person; times with their UTC offset."""
    program = access_event_program(request.auth, slug=slug, write=True)
    payload = parse_body(request, EventIn)
    event = services.event_create(actor=request.auth, program=program, **payload.dict())
    return Status(201, _event_out(event, my_status=None, admin=True))


@router.get("/events/{uuid:event_id}", response={200: EventOut, **ERRORS})
def event_detail(request, event_id: UUID):
    event = access_event(request.auth, event_id)
    mine = selectors.my_registration(viewer=request.auth, event=event)
    status = mine.status if mine and mine.status != Registration.Status.CANCELLED else None
    return _event_out(event, my_status=status, admin=runs_event(request.auth, event))


@router.post(
    "/events/{uuid:event_id}/registration",
    response={201: RegistrationOut, **ERRORS},
    openapi_extra=body_doc(RegistrationIn),
)
def registration_create(request, event_id: UUID):
    """Register yourself: a seat while one is free, else the waitlist (``status`` says which).
    Sending it again changes only ``show_me``."""
    event = access_event(request.auth, event_id)
    payload = parse_body(request, RegistrationIn)
    registration = services.registration_create(
        actor=request.auth, event=event, show_me=payload.show_me
    )
    return Status(
        201,
        {"event": event.public_id, "status": registration.status, "show_me": registration.show_me},
    )


@router.delete("/events/{uuid:event_id}/registration", response={204: None, **ERRORS})
def registration_cancel(request, event_id: UUID):
    """Cancel your registration or your place on the waitlist; a freed seat goes to the first
    person waiting."""
    event = access_event(request.auth, event_id)
    services.registration_cancel(actor=request.auth, event=event)
    return Status(204, None)


@router.get(
    "/events/{uuid:event_id}/ics",
    response={**ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The event as an iCalendar file",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def event_ics(request, event_id: UUID):
    event = access_event(request.auth, event_id)
    response = HttpResponse(
        selectors.event_ics(viewer=request.auth, event=event),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mentorhaven-event.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
