"""A participant's pages: the hub, suggestions, requests and why a match was made."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.kernel.errors import NotFound
from mentorhaven.matching import selectors, services
from mentorhaven.matching.access import (
    access_match_reasons,
    access_participation,
    access_program_admin,
    participant_roles,
)
from mentorhaven.matching.views._common import MENTOR, _to
from mentorhaven.mentoring.access import access_relationship
from mentorhaven.mentoring.services import relationship_decline
from mentorhaven.programs.access import access_participant, access_program
from mentorhaven.programs.domain import coordinators_run_matching, mentees_request


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "matching/home.html",
        {"programs": selectors.programs_for_matching(viewer=request.user)},
    )


@login_required
def hub(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_program(request.user, program_id)
    is_admin = True
    try:
        access_program_admin(request.user, program_id)
    except NotFound:
        is_admin = False
    roles = participant_roles(request.user, program)
    if not is_admin and not roles:
        raise NotFound()
    return render(
        request,
        "matching/hub.html",
        {
            "program": program,
            "is_admin": is_admin,
            "roles": roles,
            "matches": selectors.my_matches(viewer=request.user, program=program),
            "requests_open": mentees_request(program.settings),
            "runs_open": coordinators_run_matching(program.settings),
        },
    )


@login_required
def suggestions(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentee")
    current = selectors.my_open_relationship(viewer=request.user, program=program)
    found = [] if current else selectors.suggestions_for(viewer=request.user, program=program)
    return render(
        request,
        "matching/suggestions.html",
        {
            "program": program,
            "current": current,
            "why": selectors.explanation_for(viewer=request.user, relationship=current)
            if current
            else [],
            "suggestions": found,
            "requests_open": mentees_request(program.settings),
            # Why the list is empty: no seat at all, or seats only with mentors who cannot be
            # suggested (paused, excluded, or who declined this mentee).
            "free_seats": None
            if current or found or not mentees_request(program.settings)
            else selectors.free_seats(program=program),
            "waiting_since": selectors.waiting_since(viewer=request.user, program=program),
        },
    )


@require_POST
@login_required
def waitlist(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentee")
    if request.POST.get("action") == "leave":
        services.waitlist_leave(actor=request.user, program=program)
        messages.success(request, _("You left the waitlist."))
    else:
        services.waitlist_join(actor=request.user, program=program)
        messages.success(
            request, _("You are on the waitlist: we will tell you when a mentor is free.")
        )
    return _to("matching_suggestions", program_id=program.public_id)


@require_POST
@login_required
def request_mentor(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentee")
    # Only this program's mentors can be named: anyone else is the same 404 as an unknown id.
    mentor = access_participant(program, request.POST.get("mentor", ""), roles=[MENTOR])
    services.match_request(actor=request.user, program=program, mentor=mentor)
    messages.success(request, _("Request sent. The mentor will answer within the window."))
    return _to("matching_suggestions", program_id=program.public_id)


@login_required
def requests(request: SignedInRequest, program_id) -> HttpResponse:
    program = access_participation(request.user, program_id, "mentor")
    return render(
        request,
        "matching/requests.html",
        {
            "program": program,
            "pending": selectors.pending_requests(viewer=request.user, program=program),
        },
    )


@require_POST
@login_required
def request_decline(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship(request.user, relationship_id, write=True)
    if request.user.pk not in relationship.participant_ids():
        raise NotFound()
    relationship_decline(actor=request.user, relationship=relationship)
    messages.success(request, _("Declined."))
    return _to("matching_requests", program_id=relationship.program.public_id)


@login_required
def why(request: SignedInRequest, relationship_id) -> HttpResponse:
    """Why two people were matched, for the two of them (the mentor once trained)."""
    relationship = access_match_reasons(request.user, relationship_id)
    return render(
        request,
        "matching/why.html",
        {
            "relationship": relationship,
            "factors": selectors.explanation_for(viewer=request.user, relationship=relationship),
        },
    )
