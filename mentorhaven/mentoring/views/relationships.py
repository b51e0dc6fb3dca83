"""The relationship page (agreement, goals, meetings, notes) and what participants and program
admins do with a relationship: accept, end, manage, re-match, the closing survey, the
certificate."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.kernel.errors import ApplicationError, NotFound, PermissionDenied
from mentorhaven.mentoring import forms, selectors, services
from mentorhaven.mentoring.access import (
    access_relationship,
    access_relationship_content,
)
from mentorhaven.mentoring.models import Relationship
from mentorhaven.mentoring.views.common import back, invalid, me
from mentorhaven.programs.access import administered_programs


@login_required
def relationship_list(request: SignedInRequest) -> HttpResponse:
    return render(
        request,
        "mentoring/list.html",
        {"relationships": selectors.my_relationships(viewer=request.user)},
    )


@never_cache
@login_required
def relationship_detail(request: SignedInRequest, relationship_id) -> HttpResponse:
    """The participants' page. Admins overseeing the program get 404 here: theirs is the
    program overview, with counts only."""
    relationship = access_relationship(request.user, relationship_id)
    if request.user.pk not in relationship.participant_ids():
        raise NotFound()
    context: dict[str, object] = {
        "relationship": relationship,
        "role": "mentor" if request.user.pk == relationship.mentor_id else "mentee",
        "agreement": services.agreement_text(relationship.program),
        "accept_form": forms.AcceptForm(),
        "accepted": (
            relationship.mentor_accepted_at
            if request.user.pk == relationship.mentor_id
            else relationship.mentee_accepted_at
        ),
    }
    if relationship.status == Relationship.Status.COMPLETED:
        context["my_survey"] = selectors.my_closing_survey(
            viewer=request.user, relationship=relationship
        )
        context["survey_form"] = forms.ClosingSurveyForm()
    # Nothing inside before both have accepted; the mentor sees nothing once it has ended.
    if relationship.started_at is not None:
        with contextlib.suppress(NotFound):
            inside = access_relationship_content(request.user, relationship_id)
            context.update(_content(request, inside))
    return render(request, "mentoring/detail.html", context)


def _content(request: SignedInRequest, relationship) -> dict:
    viewer = request.user
    meetings = selectors.meetings_for(viewer=viewer, relationship=relationship)
    ratings = selectors.my_ratings(viewer=viewer, relationship=relationship)
    for meeting in meetings:
        meeting.my_rating = ratings.get(meeting.pk)  # type: ignore[attr-defined]
    return {
        "content": True,
        "goals": selectors.goals_for(viewer=viewer, relationship=relationship),
        "notes": selectors.notes_for(viewer=viewer, relationship=relationship),
        "meetings": meetings,
        "now": timezone.now(),
        "goal_form": forms.GoalForm(),
        "note_form": forms.NoteForm(),
        "meeting_form": forms.MeetingForm(),
        "progress_form": forms.ProgressForm(),
        "milestone_form": forms.MilestoneForm(),
        "feedback_form": forms.FeedbackForm(),
        "status_form": forms.GoalStatusForm(),
    }


@require_POST
@login_required
def relationship_accept(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship(request.user, relationship_id, write=True)
    form = forms.AcceptForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, relationship, "agreement")
    relationship = services.relationship_accept(actor=me(request), relationship=relationship)
    messages.success(request, _("Thank you. The relationship starts once you have both accepted."))
    return back(relationship)


def _is_program_admin(user: User, relationship) -> bool:
    return administered_programs(user).filter(pk=relationship.program_id).exists()


@login_required
def relationship_end(request: SignedInRequest, relationship_id) -> HttpResponse:
    """GET asks "end this relationship?" with a reason and an optional note (ending cannot be
    undone); POST ends it. For its two participants and the admins of its program."""
    relationship = access_relationship(request.user, relationship_id, write=True)
    if not relationship.is_open:
        messages.error(request, _("This relationship has already ended."))
        return _after_end(request, relationship)
    form = forms.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.relationship_end(actor=me(request), relationship=relationship, **form.cleaned_data)
        messages.success(request, _("The relationship has ended. The other person is told."))
        return _after_end(request, relationship)
    return render(request, "mentoring/end.html", {"relationship": relationship, "form": form})


def _after_end(request: SignedInRequest, relationship) -> HttpResponse:
    """Participants go back to their page; an admin to the program's overview."""
    if request.user.pk in relationship.participant_ids():
        return back(relationship)
    return redirect("relationship_program", program_id=relationship.program.public_id)


def _managed(request: SignedInRequest, relationship_id):
    """A relationship the signed-in person administers (its program's admins); those who see it
    otherwise (participants, auditors) get PermissionDenied, everyone else NotFound."""
    relationship = access_relationship(request.user, relationship_id)
    if not _is_program_admin(request.user, relationship):
        raise PermissionDenied()
    return relationship


@login_required
def relationship_manage(request: SignedInRequest, relationship_id) -> HttpResponse:
    """The coordinator's page for one relationship: pause or resume it, end it, or end it and
    propose another mentor. Metadata only: nothing written inside it is shown."""
    relationship = _managed(request, relationship_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "pause":
            services.relationship_pause(actor=me(request), relationship=relationship)
            messages.success(request, _("Paused: both can read, neither can write."))
        elif action == "resume":
            services.relationship_resume(actor=me(request), relationship=relationship)
            messages.success(request, _("Resumed: both can write again."))
        else:
            raise ApplicationError(_("Choose pause or resume."), code="bad_action")
        return redirect("relationship_manage", relationship_id=relationship.public_id)
    form = forms.RematchForm(program=relationship.program, exclude=relationship.mentor)
    return render(
        request, "mentoring/manage.html", {"relationship": relationship, "rematch_form": form}
    )


@require_POST
@login_required
def relationship_rematch(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = _managed(request, relationship_id)
    form = forms.RematchForm(
        request.POST, program=relationship.program, exclude=relationship.mentor
    )
    if not form.is_valid():
        return render(
            request,
            "mentoring/manage.html",
            {"relationship": relationship, "rematch_form": form},
            status=400,
        )
    data = form.cleaned_data
    services.relationship_rematch(
        actor=me(request),
        relationship=relationship,
        reason=data["reason"],
        note=data["note"],
        mentor=data["mentor"],
    )
    messages.success(request, _("Ended, and the new mentor proposed. Both are told."))
    return redirect("relationship_program", program_id=relationship.program.public_id)


@require_POST
@login_required
def relationship_survey(request: SignedInRequest, relationship_id) -> HttpResponse:
    """A participant's closing survey of a completed relationship (once)."""
    relationship = access_relationship(request.user, relationship_id)
    if request.user.pk not in relationship.participant_ids():
        raise NotFound()
    form = forms.ClosingSurveyForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, relationship, "closing")
    services.closing_survey_give(actor=me(request), relationship=relationship, **form.cleaned_data)
    messages.success(request, _("Thank you for answering."))
    return back(relationship, "closing")


@never_cache
@require_GET
@login_required
def relationship_certificate(request: SignedInRequest, relationship_id) -> HttpResponse:
    """The mentee's printable summary of a relationship completed with its goals met: program,
    mentor's display name, dates, how many goals were met. Nobody else's page (404)."""
    relationship = access_relationship_content(request.user, relationship_id)
    if request.user.pk != relationship.mentee_id:
        raise NotFound()
    completion = None
    if relationship.status == Relationship.Status.COMPLETED:
        completion = selectors.completion_for(viewer=request.user, relationship=relationship)
    return render(
        request,
        "mentoring/certificate.html",
        {"completion": completion, "relationship": relationship},
    )
