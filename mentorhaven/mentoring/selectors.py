"""Reads about relationships; visibility is part of every query."""

from __future__ import annotations

from django.db.models import QuerySet

from mentorhaven.mentoring.access import visible_relationships
from mentorhaven.mentoring.models import Relationship


def relationships_for(*, viewer, status: str | None = None) -> QuerySet[Relationship]:
    qs = visible_relationships(viewer).select_related("program", "mentee", "mentor")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-proposed_at")


def my_relationships(*, viewer) -> QuerySet[Relationship]:
    """The viewer's own relationships as mentee or mentor (not those they oversee)."""
    from django.db.models import Q

    return (
        Relationship.objects.filter(Q(mentee=viewer) | Q(mentor=viewer))
        .select_related("program", "mentee", "mentor")
        .order_by("-proposed_at")
    )
