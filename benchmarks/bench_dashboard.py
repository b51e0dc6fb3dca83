"""The program health dashboard at scale: 20,000 participants and 10,000 relationships with a
year of activity, p95 <= 500 ms (issue 13), and a query count that does not grow with the
program.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_dashboard.py`` prints one
JSON line. With ``DATABASE_URL=postgres://…`` it uses that database (created if needed, then
migrated; each run makes a fresh organization); without it, a scratch SQLite file.

The world, written in bulk: ``BENCH_DASHBOARD_PAIRS`` (default 10,000) active pairs, so twice as
many participants, started over the last year; one meeting held per pair and month since it
started (about 65,000), a rating on half of them, two goals per pair (one achieved). A program
admin signed in through the forms (password and second factor) opens the dashboard with Django's
test client ``BENCH_DASHBOARD_REQUESTS`` (default 20) times after one warm-up request; the
clock runs around each whole request. ``queries`` is the count of one request; ``queries_small``
the count for a program of 10 pairs, which must be the same.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAIRS = int(os.environ.get("BENCH_DASHBOARD_PAIRS", "10000"))
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "20"))
# Set to 1 to measure the newest program an earlier run built in the same PostgreSQL database
# (building it takes minutes).
REUSE = os.environ.get("BENCH_DASHBOARD_REUSE") == "1"
TARGET_P95_MS = 500.0
PASSWORD = "bench-dashboard-password"  # noqa: S105 (a scratch account's password)


def setup() -> str:
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        from benchmarks.bench_invitations import ensure_database

        ensure_database(url)
    else:
        scratch = Path(tempfile.mkdtemp(prefix="mh-bench-dashboard-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def build_program(pairs: int, tag: str):
    """A program with ``pairs`` active pairs and a year of activity; returns it."""
    from django.utils import timezone

    from mentorhaven.accounts.models import User
    from mentorhaven.mentoring.models import Feedback, Goal, Meeting, Relationship
    from mentorhaven.programs.models import Membership, Organization, Program

    now = timezone.now()
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    program = Program.objects.create(organization=org, name=f"Bench {tag}", slug=f"bench-{tag}")
    people = User.objects.bulk_create(
        [User(email=f"p{i}-{tag}@bench.test", display_name=f"P{i}") for i in range(2 * pairs)],
        batch_size=2000,
    )
    mentors, mentees = people[:pairs], people[pairs:]
    Membership.objects.bulk_create(
        [Membership(program=program, user=u, role=Membership.Role.MENTOR) for u in mentors]
        + [Membership(program=program, user=u, role=Membership.Role.MENTEE) for u in mentees],
        batch_size=2000,
    )
    relationships = Relationship.objects.bulk_create(
        [
            Relationship(
                program=program,
                mentor=mentors[i],
                mentee=mentees[i],
                status=Relationship.Status.ACTIVE,
                started_at=now - timedelta(days=i % 365),
            )
            for i in range(pairs)
        ],
        batch_size=2000,
    )
    meetings = []
    for r in relationships:
        assert r.started_at is not None
        months = max((now - r.started_at).days // 30, 1)
        meetings += [
            Meeting(
                relationship=r,
                proposed_by_id=r.mentor_id,
                status=Meeting.Status.SCHEDULED,
                starts_at=now - timedelta(days=30 * m + 1),
            )
            for m in range(months)
        ]
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    Feedback.objects.bulk_create(
        [
            Feedback(meeting=m, author_id=m.relationship.mentee_id, rating=3 + i % 3)
            for i, m in enumerate(meetings)
            if i % 2 == 0
        ],
        batch_size=5000,
    )
    # Goal titles are encrypted under each mentee's key: the slowest part of the build.
    Goal.objects.bulk_create(
        [
            Goal(
                relationship=r,
                owner_id=r.mentee_id,
                title="Bench goal",
                status=Goal.Status.DONE if n == 0 else Goal.Status.OPEN,
            )
            for r in relationships
            for n in range(2)
        ],
        batch_size=2000,
    )
    return program, len(meetings)


def reused():
    """The newest program of ``PAIRS`` pairs an earlier run built, and its meeting count."""
    from mentorhaven.mentoring.models import Meeting
    from mentorhaven.programs.models import Program

    for program in Program.objects.filter(slug__startswith="bench-").order_by("-created_at"):
        if program.relationships.count() == PAIRS:
            return program, Meeting.objects.filter(relationship__program=program).count()
    raise SystemExit("no program of that size to reuse: run once without BENCH_DASHBOARD_REUSE")


def admin_client(program):
    """A Django test client signed in as the program's admin, second factor included."""
    from django.test import Client

    from mentorhaven.accounts.models import User
    from mentorhaven.accounts.services import mfa_enroll_totp
    from mentorhaven.programs.models import Membership
    from tests.conftest import totp_code
    from tests.factories import mark_trained

    email = f"admin-{uuid.uuid4().hex[:8]}-{program.slug}@bench.test"
    admin = User.objects.create_user(email=email, password=PASSWORD)
    Membership.objects.create(program=program, user=admin, role=Membership.Role.PROGRAM_ADMIN)
    mark_trained(admin)
    secret = mfa_enroll_totp(user=admin)
    client = Client()
    client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    return client


def queries_of(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"the dashboard answered {response.status_code}")
    return len(queries.captured_queries)


def main() -> None:
    vendor = setup()
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()  # the test client's templates, e-mail to the outbox
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    program, meetings = reused() if REUSE else build_program(PAIRS, run)
    seed_s = time.perf_counter() - started
    small, _ = build_program(10, f"{run}-small")
    from benchmarks.dbstats import analyze

    analyze()  # as autovacuum would on a running site (benchmarks/dbstats.py)

    client = admin_client(program)
    url = reverse("reporting:dashboard", kwargs={"program_id": program.public_id})
    queries_of(client, url)  # warm-up: the first request after signing in writes the session
    timings = []
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"the dashboard answered {response.status_code}")
    queries = queries_of(client, url)
    small_client = admin_client(small)
    small_url = reverse("reporting:dashboard", kwargs={"program_id": small.public_id})
    queries_of(small_client, small_url)
    queries_small = queries_of(small_client, small_url)
    timings.sort()
    p95 = timings[max(round(0.95 * len(timings)) - 1, 0)]
    print(
        json.dumps(
            {
                "name": "dashboard",
                "database": vendor,
                "participants": 2 * PAIRS,
                "relationships": PAIRS,
                "meetings": meetings,
                "requests": REQUESTS,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(timings[-1], 1),
                "target_p95_ms": TARGET_P95_MS,
                "meets_p95": p95 <= TARGET_P95_MS,
                "queries": queries,
                "queries_small": queries_small,
                "meets_flat_queries": queries == queries_small,
                "seed_s": round(seed_s, 1),
                "reused": REUSE,
                "load_at_end": round(os.getloadavg()[0], 2),
                "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            }
        )
    )


if __name__ == "__main__":
    main()
