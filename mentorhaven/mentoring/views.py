"""Relationship pages: the participants' page (agreement, goals, meetings, notes), meeting
calendars, and the program admins' overview (counts only)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.kernel.errors import ApplicationError, NotFound, PermissionDenied
from mentorhaven.mentoring import forms, selectors, services
from mentorhaven.mentoring.access import (
    access_goal,
    access_meeting,
    access_milestone,
    access_note,
    access_program_oversight,
    access_relationship,
    access_relationship_content,
)
from mentorhaven.mentoring.domain import CalendarEvent, ics_calendar
from mentorhaven.mentoring.models import Meeting, Relationship
from mentorhaven.programs.access import administered_programs


class HtmxHttpRequest(SignedInRequest):
    htmx: HtmxDetails


def _me(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def _back(relationship, anchor: str = "") -> HttpResponse:
    url = reverse("relationship_detail", kwargs={"relationship_id": relationship.public_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


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


def _invalid(request: HttpRequest, form, relationship, anchor: str) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back(relationship, anchor)


@require_POST
@login_required
def relationship_accept(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship(request.user, relationship_id, write=True)
    form = forms.AcceptForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, relationship, "agreement")
    relationship = services.relationship_accept(actor=_me(request), relationship=relationship)
    messages.success(request, _("Thank you. The relationship starts once you have both accepted."))
    return _back(relationship)


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
        services.relationship_end(
            actor=_me(request), relationship=relationship, **form.cleaned_data
        )
        messages.success(request, _("The relationship has ended. The other person is told."))
        return _after_end(request, relationship)
    return render(request, "mentoring/end.html", {"relationship": relationship, "form": form})


def _after_end(request: SignedInRequest, relationship) -> HttpResponse:
    """Participants go back to their page; an admin to the program's overview."""
    if request.user.pk in relationship.participant_ids():
        return _back(relationship)
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
            services.relationship_pause(actor=_me(request), relationship=relationship)
            messages.success(request, _("Paused: both can read, neither can write."))
        elif action == "resume":
            services.relationship_resume(actor=_me(request), relationship=relationship)
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
        actor=_me(request),
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
        return _invalid(request, form, relationship, "closing")
    services.closing_survey_give(actor=_me(request), relationship=relationship, **form.cleaned_data)
    messages.success(request, _("Thank you for answering."))
    return _back(relationship, "closing")


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


# --- goals -------------------------------------------------------------------------------------


@require_POST
@login_required
def goal_add(request: HtmxHttpRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    form = forms.GoalForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, relationship, "goals")
    services.goal_create(actor=_me(request), relationship=relationship, **form.cleaned_data)
    if request.htmx:
        return _section(request, relationship, "goals")
    return _back(relationship, "goals")


@require_POST
@login_required
def goal_progress(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.ProgressForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, goal.relationship, "goals")
    services.goal_progress_add(actor=_me(request), goal=goal, body=form.cleaned_data["body"])
    return _back(goal.relationship, "goals")


@require_POST
@login_required
def goal_status(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.GoalStatusForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, goal.relationship, "goals")
    services.goal_update(actor=_me(request), goal=goal, status=form.cleaned_data["status"])
    return _back(goal.relationship, "goals")


@require_POST
@login_required
def milestone_add(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.MilestoneForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, goal.relationship, "goals")
    services.milestone_add(actor=_me(request), goal=goal, **form.cleaned_data)
    return _back(goal.relationship, "goals")


@require_POST
@login_required
def milestone_toggle(request: SignedInRequest, milestone_id) -> HttpResponse:
    milestone = access_milestone(request.user, milestone_id, write=True)
    services.milestone_set_done(actor=_me(request), milestone=milestone, done=not milestone.done)
    return _back(milestone.goal.relationship, "goals")


# --- notes -------------------------------------------------------------------------------------


def _section(request: SignedInRequest, relationship, name: str) -> HttpResponse:
    """The goals or notes section alone, for htmx to swap in place."""
    context = {"relationship": relationship, "content": True}
    context["role"] = "mentor" if request.user.pk == relationship.mentor_id else "mentee"
    if name == "notes":
        context["notes"] = selectors.notes_for(viewer=request.user, relationship=relationship)
        context["note_form"] = forms.NoteForm()
    else:
        context["goals"] = selectors.goals_for(viewer=request.user, relationship=relationship)
        context.update(
            goal_form=forms.GoalForm(),
            progress_form=forms.ProgressForm(),
            milestone_form=forms.MilestoneForm(),
            status_form=forms.GoalStatusForm(),
        )
    return render(request, f"mentoring/_{name}.html", context)


@require_POST
@login_required
def note_add(request: HtmxHttpRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, relationship, "notes")
    services.note_create(actor=_me(request), relationship=relationship, **form.cleaned_data)
    if request.htmx:
        return _section(request, relationship, "notes")
    return _back(relationship, "notes")


@login_required
def note_edit(request: SignedInRequest, note_id) -> HttpResponse:
    note = access_note(request.user, note_id, write=True)
    form = forms.NoteForm(request.POST or None, initial={"body": note.body, "shared": note.shared})
    if request.method == "POST" and form.is_valid():
        services.note_edit(actor=_me(request), note=note, **form.cleaned_data)
        messages.success(request, _("Note saved."))
        return _back(note.relationship, "notes")
    return render(request, "mentoring/note_edit.html", {"note": note, "form": form})


@login_required
def note_delete(request: SignedInRequest, note_id) -> HttpResponse:
    """GET asks "delete this note?" (a deleted note cannot be brought back); POST deletes."""
    note = access_note(request.user, note_id, write=True)
    relationship = note.relationship
    if request.method != "POST":
        return render(request, "mentoring/note_delete.html", {"note": note})
    services.note_delete(actor=_me(request), note=note)
    messages.success(request, _("Note deleted."))
    return _back(relationship, "notes")


# --- meetings ----------------------------------------------------------------------------------


@require_POST
@login_required
def meeting_add(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    form = forms.MeetingForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, relationship, "meetings")
    data = form.cleaned_data
    services.meeting_propose(
        actor=_me(request),
        relationship=relationship,
        slots=form.slots(),
        location=data["location"],
        agenda=data["agenda"],
        duration_minutes=data["duration_minutes"],
    )
    messages.success(request, _("Meeting proposed."))
    return _back(relationship, "meetings")


@require_POST
@login_required
def meeting_answer(request: SignedInRequest, meeting_id, answer: str) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id, write=True)
    if answer == "accept":
        starts_at = parse_datetime(request.POST.get("slot", ""))
        if starts_at is None:
            raise ApplicationError(_("Pick one of the offered times."))
        services.meeting_accept(actor=_me(request), meeting=meeting, starts_at=starts_at)
    elif answer == "decline":
        services.meeting_decline(actor=_me(request), meeting=meeting)
    else:
        services.meeting_cancel(actor=_me(request), meeting=meeting)
    return _back(meeting.relationship, "meetings")


@require_POST
@login_required
def meeting_feedback(request: SignedInRequest, meeting_id) -> HttpResponse:
    meeting = access_meeting(request.user, meeting_id)
    form = forms.FeedbackForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, meeting.relationship, "meetings")
    services.feedback_give(actor=_me(request), meeting=meeting, **form.cleaned_data)
    messages.success(request, _("Thank you for your feedback."))
    return _back(meeting.relationship, "meetings")


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
            services.calendar_feed_revoke(actor=_me(request))
            messages.success(request, _("Your calendar feed address no longer works."))
            return redirect("calendar_settings")
        _feed, token = services.calendar_feed_create(actor=_me(request))
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


# --- program admins ----------------------------------------------------------------------------


@login_required
def program_overview(request: SignedInRequest, program_id) -> HttpResponse:
    """Who is matched, status and counts per relationship; never text. Feedback appears only
    as an aggregate over a group of at least the program's minimum size."""
    program = access_program_oversight(request.user, program_id)
    figures = selectors.program_figures(
        viewer=request.user, program=program, page=request.GET.get("page")
    )
    can_manage = administered_programs(request.user).filter(pk=program.pk).exists()
    closing = selectors.closing_survey_summary(program=program)
    return render(
        request,
        "mentoring/program.html",
        {"program": program, "figures": figures, "can_manage": can_manage, "closing": closing},
    )
