"""Goals and milestones on the relationship page: add, record progress, change status."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.mentoring import forms, services
from mentorhaven.mentoring.access import (
    access_goal,
    access_milestone,
    access_relationship_content,
)
from mentorhaven.mentoring.views.common import HtmxHttpRequest, back, invalid, me, section


@require_POST
@login_required
def goal_add(request: HtmxHttpRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    form = forms.GoalForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, relationship, "goals")
    services.goal_create(actor=me(request), relationship=relationship, **form.cleaned_data)
    if request.htmx:
        return section(request, relationship, "goals")
    return back(relationship, "goals")


@require_POST
@login_required
def goal_progress(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.ProgressForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, goal.relationship, "goals")
    services.goal_progress_add(actor=me(request), goal=goal, body=form.cleaned_data["body"])
    return back(goal.relationship, "goals")


@require_POST
@login_required
def goal_status(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.GoalStatusForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, goal.relationship, "goals")
    services.goal_update(actor=me(request), goal=goal, status=form.cleaned_data["status"])
    return back(goal.relationship, "goals")


@require_POST
@login_required
def milestone_add(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.MilestoneForm(request.POST)
    if not form.is_valid():
        return invalid(request, form, goal.relationship, "goals")
    services.milestone_add(actor=me(request), goal=goal, **form.cleaned_data)
    return back(goal.relationship, "goals")


@require_POST
@login_required
def milestone_toggle(request: SignedInRequest, milestone_id) -> HttpResponse:
    milestone = access_milestone(request.user, milestone_id, write=True)
    services.milestone_set_done(actor=me(request), milestone=milestone, done=not milestone.done)
    return back(milestone.goal.relationship, "goals")
