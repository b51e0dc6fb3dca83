"""Monitoring runs by itself (kernel/schedule.py): every five minutes, the rules look at the
last window of the audit log. The run is idempotent (an alert is not raised twice in a
window), so a run repeated after a crash raises nothing new."""

from datetime import timedelta

from mentorhaven.incidents.monitoring import alerts_raise
from mentorhaven.kernel import schedule


@schedule.job("incidents.monitoring", every=timedelta(minutes=5), lease=timedelta(minutes=10))
def monitoring() -> dict[str, int]:
    return alerts_raise()
