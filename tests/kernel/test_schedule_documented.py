"""Every periodic job the apps register is in the scheduled-jobs table of docs/operations.md,
with its cadence, and the table names no job that does not exist: operators run from that table."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from mentorhaven.kernel import schedule

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def _documented() -> dict[str, str]:
    text = OPERATIONS.read_text().split("## Scheduled jobs", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \|", text, flags=re.MULTILINE)
    return {name: cadence.strip() for name, cadence in rows}


def _cadence(job: schedule.Job) -> str:
    if job.at is not None and job.every == timedelta(days=1):
        return f"daily, {job.at:%H:%M} UTC"
    if job.every == timedelta(hours=1):
        return "hourly"
    minutes = int(job.every.total_seconds() // 60)
    return f"every {minutes} minutes"


def test_every_scheduled_job_is_documented_with_its_cadence():
    documented = _documented()
    registered = {job.name: _cadence(job) for job in schedule.jobs() if "." in job.name}
    registered = {n: c for n, c in registered.items() if not n.startswith("test.")}
    assert registered == documented
