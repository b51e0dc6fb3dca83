"""Meetings: schedule, answer, give feedback, one meeting's .ics, and the private calendar
feed with its settings."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import ApplicationError, NotFound
from mentorhaven.mentoring import forms, selectors, services
from mentorhaven.mentoring.access import (
    access_meeting,
    access_relationship_content,
)
from mentorhaven.mentoring.domain import CalendarEvent, ics_calendar
from mentorhaven.mentoring.models import Meeting
from mentorhaven.mentoring.views.common import back, invalid, me


@require_POST
@login_required
def meeting_add(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    form = forms.MeetingForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, relationship, "meetings")
    data = form.cleaned_data
    services.meeting_propose(
        actor=me(request),
        relationship=relationship,
        slots=form.slots(),
        location=data["location"],
        agenda=data["agenda"],
        duration_minutes=data["duration_minutes"],
    )
    messages.success(request, _("Meeting proposed."))
    return back(relationship, "meetings")


@require_POST
@login_required
def meeting_answer(request: SignedInRequest, meeting_id, answer: str) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, write=True)
    if answer == "accept":
        starts_at = parse_datetime(request.POST.get("slot", ""))
        if starts_at is None:
            raise ApplicationError(_("Pick one of the offered times."))
        services.meeting_accept(actor=me(request), meeting=meeting, starts_at=starts_at)
    elif answer == "decline":
        services.meeting_decline(actor=me(request), meeting=meeting)
    else:
        services.meeting_cancel(actor=me(request), meeting=meeting)
    return back(meeting.relationship, "meetings")


@require_POST
@login_required
def meeting_feedback(request: SignedInRequest, meeting_id) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id)
    form = forms.FeedbackForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, meeting.relationship, "meetings")
    services.feedback_give(actor=me(request), meeting=meeting, **form.cleaned_data)
    messages.success(request, _("Thank you for your feedback."))
    return back(meeting.relationship, "meetings")


def _event(meeting: Meeting, *, with_location: bool) -> CalendarEvent:
    assert meeting.starts_at is not None  # only scheduled meetings reach a calendar
    link = settings.SITE_URL + reverse(
        "relationship_detail", kwargs={"relationship_id": meeting.relationship.public_id}
    )
    return CalendarEvent(
        uid=f"{meeting.public_id}@mentorhaven",
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        stamp=meeting.responded_at or meeting.created_at,
        location=str(meeting.location or "") if with_location else "",
        url=link,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
    )


def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def meeting_ics(request: SignedInRequest, meeting_id) -> HttpResponse:
    """One scheduled meeting as an .ics file: neutral title, time, place; never the agenda."""
    meeting = access_meeting(request.user, meeting_id)
    if meeting.starts_at is None:
        raise NotFound()
    meeting = selectors.meeting_for_calendar(viewer=request.user, meeting=meeting)
    return _ics(ics_calendar([_event(meeting, with_location=True)]), "mentoring-meeting.ics")


@login_required
def calendar_settings(request: SignedInRequest) -> HttpResponse:
    """Make, replace or revoke one's private feed address. The address is shown once."""
    feed_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=me(request))
            messages.success(request, _("Your calendar feed address no longer works."))
            return redirect("calendar_settings")
        _feed, token = services.calendar_feed_create(actor=me(request))
        feed_url = settings.SITE_URL + reverse("calendar_feed", kwargs={"token": token})
    has_feed = hasattr(request.user, "calendar_feed")
    response = render(
        request, "mentoring/calendar.html", {"feed_url": feed_url, "has_feed": has_feed}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed. The token in the address is the credential (stored hashed; unknown
    and revoked tokens get a plain 404). Only the owner's scheduled meetings, each titled
    "Mentoring meeting": no names, no place, no agenda — calendar services keep copies."""
    owner = selectors.calendar_owner(token)
    if owner is None:
        raise Http404
    meetings = selectors.calendar_meetings_for(viewer=owner).select_related("relationship")
    events = [_event(m, with_location=False) for m in meetings]
    return _ics(ics_calendar(events, name="Mentoring"), "mentoring.ics")
