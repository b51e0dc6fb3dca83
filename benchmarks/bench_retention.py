"""Retention sweep speed on PostgreSQL: 1,000,000 expired messages deleted in <= 120 s, with
flat memory (issue 10).

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_retention.py`` prints one
JSON line. It uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/mh_bench``),
creates that scratch database if needed and migrates it. On SQLite it prints a line saying it
was skipped, and why, and exits 0.

The case: ``BENCH_RETENTION_RELATIONSHIPS`` (default 200) relationships that ended 25 months ago,
each with a conversation, and ``BENCH_RETENTION_MESSAGES`` (default 1,000,000) messages spread
evenly over them, inserted in SQL (ciphertext-sized random bodies); plus one active relationship
whose messages must survive. The clock runs around ``retention_sweep()`` — the same call as the
daily job, holds and policies included, one transaction per batch of ``DEFAULT_BATCH``. Memory:
this process's resident set is sampled every 0.2 s during the sweep; ``rss_growth_mb`` is the
peak minus the size before the sweep (flat: the sweep never holds more than one batch).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench"
MESSAGES = int(os.environ.get("BENCH_RETENTION_MESSAGES", "1000000"))
RELATIONSHIPS = int(os.environ.get("BENCH_RETENTION_RELATIONSHIPS", "200"))
TARGET_S = 120.0
FLAT_MB = 64.0


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = rss_mb()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, rss_mb())


def build_world():
    """Two people, one program, RELATIONSHIPS ended relationships with MESSAGES messages, one
    active relationship with 100 messages. Returns the active relationship."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from mentorhaven.accounts.models import User
    from mentorhaven.mentoring.models import Relationship
    from mentorhaven.messaging.models import Conversation
    from mentorhaven.programs.models import Organization, Program

    stamp = str(int(time.time()))
    org = Organization.objects.create(name="Bench", slug=f"bench-{stamp}")
    program = Program.objects.create(organization=org, name="Bench", slug=f"bench-{stamp}")
    mentee = User.objects.create_user(email=f"mentee-{stamp}@bench.test", password=None)
    mentor = User.objects.create_user(email=f"mentor-{stamp}@bench.test", password=None)
    ended_at = timezone.now() - timedelta(days=25 * 30)
    ended = Relationship.objects.bulk_create(
        Relationship(
            program=program,
            mentee=mentee,
            mentor=mentor,
            status=Relationship.Status.COMPLETED,
            started_at=ended_at - timedelta(days=90),
            ended_at=ended_at,
        )
        for _ in range(RELATIONSHIPS)
    )
    active = Relationship.objects.create(
        program=program, mentee=mentee, mentor=mentor, status=Relationship.Status.ACTIVE
    )
    conversations = Conversation.objects.bulk_create(
        Conversation(kind=Conversation.Kind.RELATIONSHIP, program=program, relationship=r)
        for r in [*ended, active]
    )
    per = MESSAGES // RELATIONSHIPS
    with connection.cursor() as cursor:
        for conversation, count in [(c, per) for c in conversations[:-1]] + [
            (conversations[-1], 100)
        ]:
            cursor.execute(
                "INSERT INTO messaging_message (public_id, conversation_id, seq, author_id, body,"
                " created_at) SELECT gen_random_uuid(), %s, n, %s,"
                " decode(md5(random()::text) || md5(random()::text) || md5(random()::text),"
                " 'hex'), now() - interval '800 days' FROM generate_series(1, %s) AS n",
                [conversation.pk, mentee.pk, count],
            )
        cursor.execute("ANALYZE messaging_message")
    return active, per * RELATIONSHIPS


def main() -> None:
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        print(
            json.dumps(
                {
                    "case": "retention_sweep_1m_messages",
                    "skipped": True,
                    "reason": "measures PostgreSQL: set DATABASE_URL=postgres://…",
                }
            )
        )
        return
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from mentorhaven.messaging.models import Message
    from mentorhaven.retention.services import DEFAULT_BATCH, retention_sweep

    call_command("migrate", verbosity=0)
    # Earlier runs' leftovers (a run that was interrupted) are expired too: the sweep takes them.
    retention_sweep()
    t0 = time.perf_counter()
    active, expired = build_world()
    setup_s = time.perf_counter() - t0

    sampler = RssSampler()
    before = rss_mb()
    sampler.start()
    t0 = time.perf_counter()
    result = retention_sweep()
    elapsed = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()

    survived = Message.objects.filter(conversation__relationship=active).count()
    deleted = result.deleted["messages"]
    growth = sampler.peak - before
    print(
        json.dumps(
            {
                "case": "retention_sweep_1m_messages",
                "messages_deleted": deleted,
                "expected": expired,
                "active_messages_kept": survived,
                "batch_size": DEFAULT_BATCH,
                "batches": result.batches,
                "seconds": round(elapsed, 2),
                "messages_per_s": round(deleted / elapsed) if elapsed else None,
                "target_s": TARGET_S,
                "rss_before_mb": round(before, 1),
                "rss_peak_mb": round(sampler.peak, 1),
                "rss_growth_mb": round(growth, 1),
                "ok": deleted == expired
                and survived == 100
                and elapsed <= TARGET_S
                and growth <= FLAT_MB,
                "setup_s": round(setup_s, 1),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            }
        )
    )
    active.delete()


if __name__ == "__main__":
    main()
