"""The daily retention sweep (kernel/schedule.py). A run that dies is run again when its lease
lapses; the sweep is idempotent."""

from datetime import time, timedelta

from mentorhaven.kernel import schedule
from mentorhaven.retention.services import retention_sweep


@schedule.job("retention.sweep", every=timedelta(days=1), at=time(2, 30), lease=timedelta(hours=6))
def daily_sweep() -> dict[str, int]:
    return retention_sweep().deleted
