"""The scheduler: jobs run when due, once per due time however many schedulers run, and a
failing job is recorded and retried; ``mentorhaven run`` starts it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from mentorhaven.kernel import schedule
from mentorhaven.kernel.models import ScheduledJob
from mentorhaven.web.management.commands.run import children

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def counted():
    runs: list[int] = []
    job = schedule.Job(name="test.counted", func=lambda: runs.append(1), every=timedelta(hours=1))
    schedule.register(job)
    yield job, runs
    schedule._jobs.pop(job.name, None)


def test_apps_register_their_jobs_and_run_starts_the_scheduler():
    names = {j.name for j in schedule.jobs()}
    assert {"retention.sweep", "messaging.digests", "mentoring.meeting_reminders"} <= names
    assert any(argv[-2:] == ["schedule", "run"] for _name, argv in children("127.0.0.1", 8000))


def test_daily_job_is_due_at_its_time_of_day():
    job = schedule.Job(name="x", func=lambda: None, every=timedelta(days=1), at=time(2, 30))
    morning = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    assert job.first_due(morning) == datetime(2026, 1, 5, 2, 30, tzinfo=UTC)
    assert job.next_after(datetime(2026, 1, 5, 2, 30, tzinfo=UTC)) == datetime(
        2026, 1, 6, 2, 30, tzinfo=UTC
    )


def test_a_job_runs_once_per_due_time(counted):
    job, runs = counted
    assert schedule.run_job(job)
    assert not schedule.run_job(job)  # next due in an hour
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1, minutes=1)):
        assert schedule.run_job(job)
    assert len(runs) == 2
    row = ScheduledJob.objects.get(name=job.name)
    assert row.runs == 2 and row.last_status == "ok" and row.locked_until is None


def test_a_second_scheduler_cannot_claim_a_claimed_run(counted):
    job, _runs = counted
    assert schedule.claim(job)
    assert not schedule.claim(job)


@pytest.mark.postgres
@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="concurrent connections need PostgreSQL (the in-memory SQLite test database is shared)",
)
def test_two_schedulers_at_once_run_a_due_job_once(counted):
    job, _runs = counted
    barrier = threading.Barrier(4)
    won: list[bool] = []

    def scheduler():
        barrier.wait()
        try:
            won.append(schedule.claim(job))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False, False, False, True]


def test_a_dead_runs_lease_lapses_and_the_job_runs_again(counted):
    job, runs = counted
    assert schedule.claim(job)  # this "process" dies without finishing
    assert not schedule.run_job(job)
    with time_machine.travel(datetime.now(UTC) + job.lease + timedelta(seconds=1)):
        assert schedule.run_job(job)
    assert runs == [1]


def test_a_failing_job_is_recorded_and_retried_later():
    def broken():
        raise RuntimeError("boom")

    job = schedule.register(schedule.Job(name="test.broken", func=broken, every=timedelta(hours=1)))
    try:
        assert schedule.run_job(job)
        row = ScheduledJob.objects.get(name=job.name)
        assert (row.last_status, row.last_error) == ("failed", "RuntimeError")
        assert row.locked_until is None and row.next_run_at > row.last_started_at
    finally:
        schedule._jobs.pop(job.name, None)


def test_run_once_command_runs_the_retention_sweep():
    call_command("schedule", "run-once", "--job", "retention.sweep")
    row = ScheduledJob.objects.get(name="retention.sweep")
    assert row.last_status == "ok"
