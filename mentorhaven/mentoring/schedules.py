"""Periodic work of the mentoring app (kernel/schedule.py): meeting reminders and idle
relationships. Both sweeps are idempotent (``mentoring/tasks.py``)."""

from datetime import time, timedelta

from mentorhaven.kernel import schedule
from mentorhaven.mentoring.tasks import send_meeting_reminders, sweep_idle_relationships

schedule.job("mentoring.meeting_reminders", every=timedelta(minutes=15))(send_meeting_reminders)
schedule.job("mentoring.idle_relationships", every=timedelta(days=1), at=time(6, 0))(
    sweep_idle_relationships
)
