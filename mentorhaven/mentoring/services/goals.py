"""Writes about goals, progress updates and milestones: all owned by the mentee."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.accounts.models import User
from mentorhaven.kernel.errors import PermissionDenied, ValidationFailed
from mentorhaven.mentoring.models import Goal, GoalUpdate, Milestone, Relationship
from mentorhaven.mentoring.services._common import (
    clean_text,
    clean_title,
    content_audit,
    refuse_if_blocked,
    still_active,
)
from mentorhaven.mentoring.services.relationships import relationship_touch


def _require_owner_active(actor: User, goal: Goal) -> None:
    if actor.pk != goal.owner_id or not still_active(goal.relationship):
        raise PermissionDenied()
    refuse_if_blocked(actor, goal.relationship)


@transaction.atomic
def goal_create(
    *, actor: User, relationship: Relationship, title: str, description: str = ""
) -> Goal:
    """The mentee adds a goal to an active relationship; the description is encrypted under the
    mentee's key."""
    if actor.pk != relationship.mentee_id or not still_active(relationship):
        raise PermissionDenied()
    refuse_if_blocked(actor, relationship)
    goal = Goal(
        relationship=relationship,
        owner=actor,
        title=clean_title(title),
        description=clean_text(description) or None,
    )
    goal.save()
    content_audit(
        "goal.create",
        actor=actor,
        target=goal,
        subject=actor,
        relationship=relationship,
        purpose="Mentee set a mentoring goal",
    )
    relationship_touch(relationship=relationship)
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: Goal,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
) -> Goal:
    _require_owner_active(actor, goal)
    if title is not None:
        goal.title = clean_title(title)
    if description is not None:
        goal.description = clean_text(description) or None
    if status is not None:
        if status not in Goal.Status.values:
            raise ValidationFailed(_("Unknown goal status."), code="bad_status")
        goal.status = status
    goal.updated_at = timezone.now()
    goal.save()
    content_audit(
        "goal.update",
        actor=actor,
        target=goal,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee changed a goal",
        extra={"status": goal.status},
    )
    relationship_touch(relationship=goal.relationship)
    return goal


@transaction.atomic
def goal_progress_add(*, actor: User, goal: Goal, body: str) -> GoalUpdate:
    _require_owner_active(actor, goal)
    update = GoalUpdate(goal=goal, owner=actor, body=clean_text(body, required=True))
    update.save()
    content_audit(
        "goal.progress",
        actor=actor,
        target=goal,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee reported progress on a goal",
    )
    relationship_touch(relationship=goal.relationship)
    return update


@transaction.atomic
def milestone_add(*, actor: User, goal: Goal, title: str, due_on: date | None = None) -> Milestone:
    _require_owner_active(actor, goal)
    milestone = Milestone.objects.create(
        goal=goal, owner=actor, title=clean_title(title), due_on=due_on
    )
    content_audit(
        "milestone.create",
        actor=actor,
        target=milestone,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee added a milestone",
    )
    relationship_touch(relationship=goal.relationship)
    return milestone


@transaction.atomic
def milestone_set_done(*, actor: User, milestone: Milestone, done: bool) -> Milestone:
    goal = milestone.goal
    _require_owner_active(actor, goal)
    milestone.done = done
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done", "done_at"])
    content_audit(
        "milestone.done" if done else "milestone.reopen",
        actor=actor,
        target=milestone,
        subject=actor,
        relationship=goal.relationship,
        purpose="Mentee marked a milestone",
    )
    relationship_touch(relationship=goal.relationship)
    return milestone
