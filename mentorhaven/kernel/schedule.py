"""The scheduler: periodic jobs that run by themselves, under ``make run`` as in production.

Apps declare their periodic work in their own ``schedules.py`` (imported when the kernel is
ready; the kernel imports no app)::

    from datetime import time, timedelta
    from mentorhaven.kernel import schedule

    @schedule.job("retention.sweep", every=timedelta(days=1), at=time(3, 0))
    def retention_sweep() -> object: ...

``mentorhaven schedule run`` (started by ``mentorhaven run`` beside the web server and the
worker) wakes up every ``SCHEDULE_POLL_SECONDS`` and runs whatever is due; ``schedule run-once``
does one such turn (for cron or a test) and ``schedule list`` shows each job's last run.

Why not a library: RQ's scheduler and Celery beat need Redis or a broker, and ``make run`` must
work on a bare machine with SQLite. The state lives in one table (``ScheduledJob``), one row per
job, so a job runs at most once per due time however many schedulers run: a process claims a run
with one conditional UPDATE (a row lock on PostgreSQL, the write lock on SQLite) that only
succeeds while the job is due and not leased to another process. A process that dies mid-run
leaves a lease that lapses after ``lease`` and the next scheduler runs the job again — every job
must therefore be idempotent and safe to re-run after a crash (STYLE.md #9). A job runs outside
any transaction, so it commits its own batches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from mentorhaven.kernel.models import ScheduledJob

log = logging.getLogger("mentorhaven.schedule")

DEFAULT_LEASE = timedelta(hours=1)


@dataclass(frozen=True)
class Job:
    """One periodic job: run ``func`` every ``every``; with ``at``, at that UTC time of day
    (``every`` must then be whole days)."""

    name: str
    func: Callable[[], object]
    every: timedelta
    at: time | None = None
    lease: timedelta = DEFAULT_LEASE

    def next_after(self, moment: datetime) -> datetime:
        """The first due time strictly after ``moment`` (pure; see ``first_due``)."""
        if self.at is None:
            return moment + self.every
        day = moment.astimezone(UTC).date()
        candidate = datetime.combine(day, self.at, tzinfo=UTC)
        while candidate <= moment:
            candidate += self.every
        return candidate

    def first_due(self, now: datetime) -> datetime:
        """When a job never run before is first due: at once for interval jobs, at the next
        ``at`` for jobs with a time of day."""
        return now if self.at is None else self.next_after(now)

    @property
    def cadence(self) -> str:
        hours = self.every.total_seconds() / 3600
        base = f"every {hours:g} h" if hours < 24 else f"every {hours / 24:g} d"
        return f"{base} at {self.at:%H:%M} UTC" if self.at else base


_jobs: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.every <= timedelta(0):
        raise ValueError(f"schedule {job.name!r}: 'every' must be positive")
    if job.at is not None and job.every % timedelta(days=1):
        raise ValueError(f"schedule {job.name!r}: a time of day needs whole days")
    existing = _jobs.get(job.name)
    if existing is not None and existing.func is not job.func:
        raise ValueError(f"schedule {job.name!r} is registered twice")
    _jobs[job.name] = job
    return job


def job(
    name: str, *, every: timedelta, at: time | None = None, lease: timedelta = DEFAULT_LEASE
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Decorator: register the function as the periodic job ``name``."""

    def wrap(func: Callable[[], object]) -> Callable[[], object]:
        register(Job(name=name, func=func, every=every, at=at, lease=lease))
        return func

    return wrap


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


def get(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"no scheduled job named {name!r}") from None


def autodiscover() -> None:
    autodiscover_modules("schedules")


def _state(job: Job, now: datetime) -> ScheduledJob:
    row, _ = ScheduledJob.objects.get_or_create(
        name=job.name, defaults={"next_run_at": job.first_due(now)}
    )
    return row


def claim(job: Job, *, now: datetime | None = None, force: bool = False) -> bool:
    """Take the next run of ``job`` for this process: True for exactly one caller per due time.

    One conditional UPDATE decides, so two schedulers never both win: the row must be due (or
    ``force``) and not leased to a live run."""
    now = now or timezone.now()
    _state(job, now)
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    due = Q() if force else Q(next_run_at__lte=now)
    won = (
        ScheduledJob.objects.filter(free, due, name=job.name).update(
            locked_until=now + job.lease, last_started_at=now
        )
        == 1
    )
    return won


def finish(job: Job, *, started: datetime, ok: bool, error: str = "") -> None:
    now = timezone.now()
    ScheduledJob.objects.filter(name=job.name).update(
        locked_until=None,
        last_finished_at=now,
        last_status=ScheduledJob.Status.OK if ok else ScheduledJob.Status.FAILED,
        last_error=error[:100],
        next_run_at=job.next_after(max(now, started)),
        runs=F("runs") + 1,
    )


def run_job(job: Job, *, now: datetime | None = None, force: bool = False) -> bool:
    """Run ``job`` if this process wins its claim. Returns whether it ran. A failing job is
    logged and recorded (its exception's class name), then retried at its next due time."""
    started = now or timezone.now()
    if not claim(job, now=started, force=force):
        return False
    log.info("scheduled job %s: started", job.name)
    try:
        result = job.func()
    except Exception as exc:
        log.exception("scheduled job %s: failed", job.name)
        finish(job, started=started, ok=False, error=type(exc).__name__)
        return True
    log.info("scheduled job %s: done (%s)", job.name, result)
    finish(job, started=started, ok=True)
    return True


def run_due(*, now: datetime | None = None) -> list[str]:
    """One turn of the scheduler: run every job that is due now. Returns the names it ran."""
    return [j.name for j in jobs() if run_job(j, now=now)]


def status() -> list[tuple[Job, ScheduledJob | None]]:
    rows = {r.name: r for r in ScheduledJob.objects.filter(name__in=list(_jobs))}
    return [(j, rows.get(j.name)) for j in jobs()]
