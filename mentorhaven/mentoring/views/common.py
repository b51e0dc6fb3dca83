"""What the relationship pages share: the signed-in person, the way back to the relationship
page, form errors as messages, and a section alone for htmx to swap in place."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from mentorhaven.accounts.models import SignedInRequest, User
from mentorhaven.mentoring import forms, selectors


class HtmxHttpRequest(SignedInRequest):
    htmx: HtmxDetails


def me(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def back(relationship, anchor: str = "") -> HttpResponse:
    url = reverse("relationship_detail", kwargs={"relationship_id": relationship.public_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


def invalid(request: HttpRequest, form, relationship, anchor: str) -> HttpResponse:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return back(relationship, anchor)


def section(request: SignedInRequest, relationship, name: str) -> HttpResponse:
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
