"""``{% goal_coach goal relationship %}``: the goal coach's button under a goal, or why it is
off; ``{% relationship_assistant relationship %}``: the agenda and prompts buttons;
``{% program_themes_button survey question %}``: the themes button on survey results. The
relationship is the page's (its program is already loaded): asking each goal for its own would
cost two queries per goal."""

from __future__ import annotations

from typing import Any

from django import template

from mentorhaven.assistant.gateway import settings_for
from mentorhaven.assistant.selectors import Availability, availability

register = template.Library()


def _state(request: Any, relationship: Any) -> str:
    organization_id = relationship.program.organization_id
    # Asked once per request: the answer is the same for every goal of one organization.
    known: dict[int, Availability] = getattr(request, "_assistant_availability", {})
    if organization_id not in known:
        known[organization_id] = availability(viewer=request.user, organization=organization_id)
        request._assistant_availability = known
    return known[organization_id].state


@register.inclusion_tag("assistant/_goal_coach.html", takes_context=True)
def goal_coach(context: template.Context, goal: Any, relationship: Any) -> dict[str, Any]:
    return {
        "goal": goal,
        "state": _state(context["request"], relationship),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("assistant/_relationship.html", takes_context=True)
def relationship_assistant(context: template.Context, relationship: Any) -> dict[str, Any]:
    """The meeting agenda (both) and conversation prompts (the mentor) of a relationship."""
    return {
        "relationship": relationship,
        "role": context.get("role"),
        "state": _state(context["request"], relationship),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("assistant/_themes.html", takes_context=True)
def program_themes_button(context: template.Context, survey: Any, question: Any) -> dict[str, Any]:
    """On a confidential survey's results: the themes button, when the organization has AI on
    (the coordinator's own data is not sent; the respondents' consent is checked at the call)."""
    config = settings_for(survey.program.organization_id)
    return {
        "survey": survey,
        "question": question,
        "on": config is not None and config.configured,
        "csrf_token": context.get("csrf_token"),
    }
