"""Telling the people of a relationship what happened in it. The notice and its e-mail carry no
content — no names, no agenda, no note, no goal — only that something happened and a link to
the relationship: the reader signs in to see the rest (``messaging/notices.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.urls import reverse

from mentorhaven.messaging.notices import (
    MEETING_CANCELLED,
    PARTNER_LEFT,
    PROGRAM_ENDING,
    RELATIONSHIP_QUIET,
    RELATIONSHIP_RESUMED,
    REMATCHED,
    REQUEST_LAPSED,
    Kind,
    notify,
)

# What happened → (kind, the sentence when it is not the kind's usual one).
EVENTS: dict[str, tuple[str, str]] = {
    "meeting_proposed": (Kind.MEETING_PROPOSED, ""),
    "meeting_scheduled": (Kind.MEETING_ACCEPTED, ""),
    "meeting_cancelled": (Kind.MEETING_ACCEPTED, MEETING_CANCELLED),
    "meeting_reminder": (Kind.MEETING_REMINDER, ""),
    "partner_left": (Kind.RELATIONSHIP_ENDED, PARTNER_LEFT),
    "idle": (Kind.RELATIONSHIP_ENDING, RELATIONSHIP_QUIET),
    "program_ending": (Kind.RELATIONSHIP_ENDING, PROGRAM_ENDING),
    "started": (Kind.RELATIONSHIP_STARTED, ""),
    "ended": (Kind.RELATIONSHIP_ENDED, ""),
    "paused": (Kind.RELATIONSHIP_PAUSED, ""),
    "resumed": (Kind.RELATIONSHIP_PAUSED, RELATIONSHIP_RESUMED),
    "rematched": (Kind.MATCH_PUBLISHED, REMATCHED),
    "match_published": (Kind.MATCH_PUBLISHED, ""),
    "request_received": (Kind.REQUEST_RECEIVED, ""),
    "request_accepted": (Kind.REQUEST_ACCEPTED, ""),
    "request_declined": (Kind.REQUEST_DECLINED, ""),
    "request_lapsed": (Kind.REQUEST_DECLINED, REQUEST_LAPSED),
    "request_lapsing": (Kind.REQUEST_LAPSING, ""),
}


def relationship_link(relationship) -> str:
    return reverse("relationship_detail", kwargs={"relationship_id": relationship.public_id})


def tell(
    people: Iterable, event: str, relationship, *, about_time: datetime | None = None
) -> list[int]:
    """Tell ``people`` (users or ids) that ``event`` happened in ``relationship``; a meeting's
    start (``about_time``) is shown to each on their own clock. Call inside the action's
    transaction; the e-mail follows after commit."""
    kind, text = EVENTS[event]
    ids = [getattr(p, "pk", p) for p in people]
    return notify(
        user_ids=ids,
        kind=kind,
        link=relationship_link(relationship),
        text=text,
        about_time=about_time,
    )
