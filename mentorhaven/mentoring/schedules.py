"""Periodic work of the mentoring app (kernel/schedule.py): meeting reminders and idle
relationships, programs about to end. Every sweep is idempotent (``mentoring/tasks.py``)."""

from datetime import time, timedelta

from mentorhaven.kernel import schedule
from mentorhaven.mentoring.tasks import (
    send_meeting_reminders,
    sweep_idle_relationships,
    warn_programs_ending,
)

schedule.job("mentoring.meeting_reminders", every=timedelta(minutes=15))(send_meeting_reminders)
schedule.job("mentoring.idle_relationships", every=timedelta(days=1), at=time(6, 0))(
    sweep_idle_relationships
)
schedule.job("mentoring.programs_ending", every=timedelta(days=1), at=time(7, 0))(
    warn_programs_ending
)
