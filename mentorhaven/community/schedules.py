"""Periodic work of the community app (kernel/schedule.py): event reminders."""

from datetime import timedelta

from mentorhaven.community.tasks import send_event_reminders
from mentorhaven.kernel import schedule

schedule.job("community.event_reminders", every=timedelta(minutes=15))(send_event_reminders)
