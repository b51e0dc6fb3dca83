"""Periodic work of program events (community/schedules.py)."""

from __future__ import annotations

from django.utils import timezone

from mentorhaven.community.domain import REMINDER_WINDOW
from mentorhaven.community.models import Event
from mentorhaven.community.services import event_remind


def send_event_reminders() -> int:
    """Policy: everyone with a seat at an event starting within the next 24 hours gets one
    reminder — a fixed sentence and a link, never the event's title or place. Idempotent:
    an event's reminder is marked sent in the transaction that sends it."""
    now = timezone.now()
    due = Event.objects.filter(
        status=Event.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_WINDOW,
    )
    return sum(event_remind(event=event) for event in due.iterator())
