"""Telling people about the events they registered for. Like every notice, it carries no
content: no title, no place, no name — a fixed sentence and a link to the event's page."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from mentorhaven.community.models import Event
from mentorhaven.messaging.notices import EVENT_CANCELLED, Kind, notify


def event_link(event: Event) -> str:
    return reverse("community:event_detail", kwargs={"event_id": event.public_id})


def tell_reminder(user_ids: Iterable[int], event: Event) -> list[int]:
    return notify(
        user_ids=user_ids,
        kind=Kind.EVENT_REMINDER,
        link=event_link(event),
        about_time=event.starts_at,
    )


def tell_promoted(user_ids: Iterable[int], event: Event) -> list[int]:
    return notify(
        user_ids=user_ids,
        kind=Kind.EVENT_UPDATE,
        link=event_link(event),
        about_time=event.starts_at,
    )


def tell_cancelled(user_ids: Iterable[int], event: Event) -> list[int]:
    return notify(
        user_ids=user_ids,
        kind=Kind.EVENT_UPDATE,
        link=event_link(event),
        text=EVENT_CANCELLED,
        about_time=event.starts_at,
    )
