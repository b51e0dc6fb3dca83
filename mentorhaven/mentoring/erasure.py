"""What erasing a person removes from mentoring (privacy/erasure/registry.py).

Relationships stay as records for the other person (they end, and that person is told); what the
erased person wrote goes: their goals with everything under them, their milestones and progress
updates, notes and feedback. Meetings they took part in stay for the other side, their agenda
and place unreadable once the proposer is shredded; meetings still to come are cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from mentorhaven.mentoring.models import (
    CalendarFeed,
    ClosingSurvey,
    Feedback,
    Goal,
    GoalUpdate,
    Meeting,
    Milestone,
    Note,
    Relationship,
)
from mentorhaven.mentoring.services import relationship_end_on_erasure
from mentorhaven.privacy.erasure.registry import REMOVE, REVOKE, register

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


@register("mentoring.calendar_feed", order=REVOKE)
def revoke_calendar_feed(user: User) -> dict[str, int]:
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return {"calendar_feeds": deleted}


@register("mentoring.content", order=REMOVE)
def remove_mentoring_content(user: User) -> dict[str, int]:
    theirs = Q(mentee=user) | Q(mentor=user)
    ended = sum(
        relationship_end_on_erasure(relationship=r, leaving=user)
        for r in Relationship.objects.filter(theirs).filter(
            status__in=[
                Relationship.Status.ACTIVE,
                Relationship.Status.PAUSED,
                Relationship.Status.PROPOSED,
            ]
        )
    )
    # Their note on why a relationship ended is their writing: it goes with their key anyway.
    Relationship.objects.filter(ended_by=user).update(ended_by=None, end_note=None)
    cancelled = Meeting.objects.filter(
        Q(relationship__mentee=user) | Q(relationship__mentor=user),
        status__in=[Meeting.Status.PROPOSED, Meeting.Status.SCHEDULED],
    ).update(status=Meeting.Status.CANCELLED)
    counts = {"relationships_ended": ended, "meetings_cancelled": cancelled}
    for name, model, owner in (
        ("feedback", Feedback, "author"),
        ("closing_surveys", ClosingSurvey, "author"),
        ("notes", Note, "author"),
        ("goal_updates", GoalUpdate, "owner"),
        ("milestones", Milestone, "owner"),
        ("goals", Goal, "owner"),
    ):
        counts[name] = model.objects.filter(**{owner: user}).delete()[0]
    return counts
