"""Background work of the mentoring app: meeting reminders and idle relationships.

Each sweep fetches what is due and calls one service per item; the services lock the row and
check again, so a sweep is idempotent and safe to re-run after a crash or to run in two workers
at once. Run them from the task worker (the ``@task`` wrappers) or from cron with
``mentorhaven relationships reminders|idle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from mentorhaven.mentoring.domain import CLOSE, DEFAULT_IDLE_DAYS, WARN, idle_action
from mentorhaven.mentoring.models import Meeting, Relationship
from mentorhaven.mentoring.services import (
    meeting_remind,
    relationship_end,
    relationship_ending_warn,
    relationship_idle_warn,
)

REMINDER_WINDOW = timedelta(hours=24)
PROGRAM_END_WARNING = timedelta(days=14)


def send_meeting_reminders() -> int:
    """Remind both participants of each scheduled meeting starting within the next 24 hours,
    once. The e-mail says only that a meeting is coming up."""
    now = timezone.now()
    due = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_WINDOW,
        relationship__status=Relationship.Status.ACTIVE,
    )
    return sum(meeting_remind(meeting=meeting) for meeting in due.iterator())


@dataclass
class IdleSweep:
    warned: int = 0
    closed: int = 0


def sweep_idle_relationships() -> IdleSweep:
    """Policy: an active relationship with no activity for the program's ``idle_days``
    (default 21) gets one content-free nudge to both people. If the program sets
    ``auto_close_idle_days`` and nothing happens that many days after the nudge, the
    relationship ends with reason "idle". Activity after a nudge starts the clock again."""
    now = timezone.now()
    result = IdleSweep()
    active = Relationship.objects.filter(status=Relationship.Status.ACTIVE).select_related(
        "program"
    )
    for relationship in active.iterator():
        settings = relationship.program.settings or {}
        action = idle_action(
            last_activity=relationship.last_activity_at,
            warned_at=relationship.idle_warned_at,
            now=now,
            idle_days=int(settings.get("idle_days", DEFAULT_IDLE_DAYS)),
            auto_close_days=settings.get("auto_close_idle_days"),
        )
        if action == WARN and relationship_idle_warn(relationship=relationship):
            result.warned += 1
        elif action == CLOSE:
            relationship_end(actor=None, relationship=relationship, reason="idle")
            result.closed += 1
    return result


def warn_programs_ending() -> int:
    """Policy: two weeks before a program's last day (``ends_on``), both people of each of its
    active relationships are told once that it ends soon, to plan a last meeting and close
    well. Returns the number of people told."""
    today = timezone.localdate()
    ending = Relationship.objects.filter(
        status=Relationship.Status.ACTIVE,
        program__ends_on__isnull=False,
        program__ends_on__gte=today,
        program__ends_on__lte=today + PROGRAM_END_WARNING,
    )
    return sum(relationship_ending_warn(relationship=r) for r in ending.iterator())


@task()
def meeting_reminders() -> int:
    return send_meeting_reminders()


@task()
def idle_relationships() -> dict[str, int]:
    sweep = sweep_idle_relationships()
    return {"warned": sweep.warned, "closed": sweep.closed}
