"""Event pages: a program's events, one event (register, cancel, calendar file, attendees),
and the admins' create, edit, cancel and check-in. Domain errors rise to ``web/edge.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.community import selectors, services
from mentorhaven.community.access import access_event, access_event_program, runs_event
from mentorhaven.community.forms import CheckInForm, EventForm, RegisterForm
from mentorhaven.community.models import Event, Registration
from mentorhaven.kernel.access import fetch
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.programs.access import administered_programs


def _to_event(event: Event) -> HttpResponse:
    return redirect("community:event_detail", event_id=event.public_id)


@login_required
def event_list(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_event_program(request.user, public_id=program_id)
    return render(
        request,
        "community/event_list.html",
        {
            "program": program,
            "upcoming": selectors.events_for(viewer=request.user, program=program),
            "past": selectors.events_for(viewer=request.user, program=program, past=True)[:20],
            "can_run": administered_programs(request.user).filter(pk=program.pk).exists(),
            "attendance": selectors.attendance_figures(viewer=request.user, program=program),
        },
    )


def _event_form_page(request: SignedInRequest, *, program, event: Event | None) -> HttpResponse:
    initial = EventForm.initial_for(event) if event is not None else None
    form = EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                event = services.event_create(
                    actor=request.user, program=program, **form.cleaned_data
                )
                messages.success(request, _("The event is published."))
            else:
                services.event_update(actor=request.user, event=event, **form.cleaned_data)
                messages.success(request, _("The event is changed."))
            return _to_event(event)
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
    status = 422 if request.method == "POST" else 200
    context = {"program": program, "form": form, "event": event}
    return render(request, "community/event_form.html", context, status=status)


@login_required
def event_create(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_event_program(request.user, public_id=program_id, write=True)
    return _event_form_page(request, program=program, event=None)


@login_required
def event_edit(request: SignedInRequest, event_id) -> HttpResponse:
    event = access_event(request.user, event_id, write=True)
    return _event_form_page(request, program=event.program, event=event)


@login_required
def event_detail(request: SignedInRequest, event_id) -> HttpResponse:
    event = access_event(request.user, event_id)
    mine = selectors.my_registration(viewer=request.user, event=event)
    return render(
        request,
        "community/event_detail.html",
        {
            "event": event,
            "seats": selectors.seats_of(event),
            "mine": mine,
            "attendees": selectors.attendees_for(viewer=request.user, event=event),
            "can_run": runs_event(request.user, event),
            "register_form": RegisterForm(initial={"show_me": mine.show_me if mine else False}),
        },
    )


@login_required
def event_cancel(request: SignedInRequest, event_id) -> HttpResponse:
    """Asks first (GET), cancels on POST: everyone registered is told."""
    event = access_event(request.user, event_id, write=True)
    if request.method == "POST":
        services.event_cancel(actor=request.user, event=event)
        messages.success(request, _("The event is cancelled; the people registered are told."))
        return _to_event(event)
    return render(request, "community/event_cancel.html", {"event": event})


@require_POST
@login_required
def register(request: SignedInRequest, event_id) -> HttpResponse:
    event = access_event(request.user, event_id)
    form = RegisterForm(request.POST)
    form.is_valid()  # a single checkbox: anything else reads as "not shown"
    registration = services.registration_create(
        actor=request.user, event=event, show_me=bool(form.cleaned_data.get("show_me"))
    )
    if registration.status == Registration.Status.WAITLISTED:
        messages.success(request, _("The event is full: you are on the waitlist."))
    else:
        messages.success(request, _("You are registered."))
    return _to_event(event)


@require_POST
@login_required
def unregister(request: SignedInRequest, event_id) -> HttpResponse:
    event = access_event(request.user, event_id)
    services.registration_cancel(actor=request.user, event=event)
    messages.success(request, _("Your registration is cancelled."))
    return _to_event(event)


@require_POST
@login_required
def check_in(request: SignedInRequest, event_id) -> HttpResponse:
    event = access_event(request.user, event_id, write=True)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(_("Choose whom to check in."), code="bad_registration")
    registration = fetch(
        Registration.objects.filter(event=event), form.cleaned_data["registration"]
    )
    services.registration_check_in(actor=request.user, event=event, registration=registration)
    messages.success(request, _("Checked in."))
    return _to_event(event)


@require_GET
@login_required
def event_ics(request: SignedInRequest, event_id) -> HttpResponse:
    event = access_event(request.user, event_id)
    text = selectors.event_ics(viewer=request.user, event=event)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mentorhaven-event.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
