"""Pages of the assistant. A refusal of the gateway (AI off, no consent, budget spent, model
server down) rises to the HTML edge, which shows its message on the page the person came from."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorhaven.accounts.models import SignedInRequest
from mentorhaven.assistant import forms, services
from mentorhaven.assistant.features import KIND_LABELS
from mentorhaven.community.access import access_survey
from mentorhaven.kernel.access import fetch
from mentorhaven.mentoring.access import access_goal, access_relationship_content


@require_POST
@login_required
def goal_coach(request: SignedInRequest, goal_id) -> HttpResponse:
    """Ask the goal coach; show its suggestion to edit, marked machine-written, with the data
    it used. Nothing is stored until the mentee accepts."""
    goal = access_goal(request.user, goal_id, write=True)
    suggestion, answer = services.goal_coach_suggest(actor=request.user, goal=goal)
    initial = {"title": suggestion.title, "description": suggestion.description}
    initial.update({f"milestone_{i + 1}": m for i, m in enumerate(suggestion.milestones)})
    return render(
        request,
        "assistant/goal_coach.html",
        {
            "goal": goal,
            "form": forms.GoalSuggestionForm(initial=initial),
            "used": [str(KIND_LABELS.get(k, k)) for k in answer.kinds],
            "model": answer.model,
        },
    )


@require_POST
@login_required
def goal_coach_accept(request: SignedInRequest, goal_id) -> HttpResponse:
    goal = access_goal(request.user, goal_id, write=True)
    form = forms.GoalSuggestionForm(request.POST)
    if not form.is_valid():
        return render(
            request, "assistant/goal_coach.html", {"goal": goal, "form": form}, status=422
        )
    services.goal_coach_accept(
        actor=request.user,
        goal=goal,
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
        milestones=form.milestones(),
    )
    url = reverse("relationship_detail", kwargs={"relationship_id": goal.relationship.public_id})
    return redirect(f"{url}#goals")


@require_POST
@login_required
def meeting_agenda(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    points, answer = services.meeting_agenda_suggest(actor=request.user, relationship=relationship)
    return _points(request, relationship, points, answer, _("Suggested meeting agenda"))


@require_POST
@login_required
def conversation_prompts(request: SignedInRequest, relationship_id) -> HttpResponse:
    relationship = access_relationship_content(request.user, relationship_id, write=True)
    points, answer = services.conversation_prompts_suggest(
        actor=request.user, relationship=relationship
    )
    return _points(request, relationship, points, answer, _("Conversation prompts"))


def _points(request, relationship, points, answer, title) -> HttpResponse:
    return render(
        request,
        "assistant/points.html",
        {
            "relationship": relationship,
            "title": title,
            "points": points,
            "used": [str(KIND_LABELS.get(k, k)) for k in answer.kinds],
            "model": answer.model,
        },
    )


@require_POST
@login_required
def program_themes(request: SignedInRequest, survey_id, question_id) -> HttpResponse:
    """Themes of a confidential survey question, for those who run the program."""
    survey = access_survey(request.user, survey_id, write=True)
    question = fetch(survey.questions.all(), question_id)
    themes = services.program_themes_suggest(actor=request.user, survey=survey, question=question)
    return render(
        request,
        "assistant/themes.html",
        {"survey": survey, "question": question, "themes": themes, "model": themes.answer.model},
    )
