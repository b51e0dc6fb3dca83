"""API message send on PostgreSQL: the full path against the same path without crypto and audit.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_messages.py`` prints one JSON
line. It uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/mh_bench_msg``),
creating, migrating and (unless ``--keep-database``) dropping that scratch database.

What is timed: ``POST /api/v1/relationships/{id}/messages`` through Django's full request stack
in this process (middleware, bearer-token authentication, Ninja parsing, access check, the
``message_send`` service: lock the conversation, encrypt under the author's key, insert, touch
the relationship, notification, audit event, commit), one request after another. As deployed,
``mentorhaven audit sealer`` runs beside the senders and seals the events their commits leave
pending (``--no-sealer``: nothing seals them, so the sealing cost is left out); its CPU is
counted in the full path's.

``full``: as shipped. ``plain``: the same requests with ``vault.encrypt`` replaced by an identity
function and ``audit.record`` by a no-op, to show what the two privacy guarantees cost;
``no_audit``: encryption on, audit off, to tell the two costs apart. Rounds alternate in short
batches so that drift on a shared machine hits all paths alike. Targets (issue 5): full >= 300
messages/s, and full >= 85% of plain.

``--processes N`` (default: one per core) forks N senders, as a server runs N workers, each
writing to its own relationship's conversation (a conversation's messages are numbered one at a
time, so senders sharing one would only queue). All N run the same path at the same moment (a
barrier starts every batch), and a path's rate is all their messages over the wall time from
the first start to the last finish; CPU figures add up every sender's CPU.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench_msg"
TARGET_RATE = 300
TARGET_RATIO = 0.85


def _admin_url(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"refusing odd database name {name!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def recreate_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup(url: str, pairs: int = 1):
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ["DATABASE_URL"] = url
    # The sealer anchors its checkpoints: in a scratch directory, never in var/ (whose anchors
    # belong to the development database's chain).
    os.environ.setdefault("MENTORHAVEN_AUDIT_ANCHOR_DIR", tempfile.mkdtemp(prefix="mh-anchors-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return [world(i) for i in range(pairs)]


def world(index: int = 0):
    """One program, a mentor and a mentee in an active relationship, a write token."""
    from mentorhaven.accounts.models import User
    from mentorhaven.accounts.tokens import api_token_create
    from mentorhaven.mentoring.services import relationship_accept, relationship_propose
    from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program

    org = Organization.objects.create(name=f"Bench {index}", slug=f"bench-{index}")
    program = Program.objects.create(organization=org, name="Bench", slug=f"bench-{index}-1")
    admin, mentor, mentee = (
        User.objects.create_user(email=f"{n}{index}@bench.test", display_name=n)
        for n in ("admin", "mentor", "mentee")
    )
    for user in (admin, mentor, mentee):
        OrgMembership.objects.create(organization=org, user=user)
    for user, role in ((admin, "program_admin"), (mentor, "mentor"), (mentee, "mentee")):
        Membership.objects.create(program=program, user=user, role=role)
    relationship = relationship_propose(actor=admin, program=program, mentee=mentee, mentor=mentor)
    relationship_accept(actor=mentee, relationship=relationship)
    relationship_accept(actor=mentor, relationship=relationship)
    _token, secret = api_token_create(actor=mentee, user=mentee, name="bench", scope="write")
    return relationship, secret


@contextlib.contextmanager
def privacy_off(*, encryption: bool = True, audit_log: bool = True):
    """Encryption and/or audit switched off (comparison paths only; never in the product)."""
    from mentorhaven.kernel import audit, vault

    saved = (vault.encrypt, audit.record)
    if encryption:
        vault.encrypt = lambda subject, plaintext, binding: bytes(plaintext)
    if audit_log:
        audit.record = lambda **kwargs: None  # services call it as audit.record(...)
    try:
        yield
    finally:
        vault.encrypt, audit.record = saved


PATHS = {
    "full": contextlib.nullcontext,
    "plain": privacy_off,
    "no_audit": lambda: privacy_off(encryption=False),  # encryption on, audit off
}


def send_many(client, path: str, headers: dict, n: int) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) for ``n`` sends."""
    body = json.dumps({"body": "Could we move Thursday's session to the afternoon? " * 2})
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = client.post(path, body, content_type="application/json", headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"send failed: {response.status_code} {response.content[:200]!r}")
    return time.perf_counter() - started, time.process_time() - cpu


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "postgresql": server,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def sender(relationship, secret: str, rounds: int, messages: int, barrier, results) -> None:
    """One sender (in its own process when forked): every path, round after round, each batch
    started together with the other senders. Puts its ``(path, start, end, cpu)`` batches on
    ``results``, or None if it failed (so that nobody waits for it)."""
    from django.db import connections

    try:
        batches = _send_batches(relationship, secret, rounds, messages, barrier)
    except BaseException:
        if barrier is not None:
            barrier.abort()
        results.put(None)
        raise
    finally:
        connections.close_all()
    results.put(batches)


def _send_batches(relationship, secret: str, rounds: int, messages: int, barrier) -> list:
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/api/v1/relationships/{relationship.public_id}/messages"
    send_many(client, path, headers, 50)  # warm-up: imports, key cache, plans
    with privacy_off():
        send_many(client, path, headers, 50)
    batches = []
    for _ in range(rounds):
        for name, switch in PATHS.items():
            with switch():
                if barrier is not None:
                    barrier.wait()
                started = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
                _wall, used = send_many(client, path, headers, messages)
                batches.append((name, started, time.perf_counter(), used))
    return batches


def measure(worlds, rounds: int, messages: int) -> tuple[dict, dict]:
    """Wall seconds and CPU seconds per path, over all senders."""
    import multiprocessing
    import queue

    from django.db import connections

    seconds = dict.fromkeys(PATHS, 0.0)
    cpu = dict.fromkeys(PATHS, 0.0)
    if len(worlds) == 1:
        results: queue.Queue = queue.Queue()
        sender(*worlds[0], rounds, messages, None, results)
        outcome = [results.get()]
        if outcome[0] is None:
            raise SystemExit("the sender failed (its error is above)")
    else:
        context = multiprocessing.get_context("fork")
        connections.close_all()  # each child opens its own connections: no socket is shared
        for conn in connections.all(initialized_only=True):
            if getattr(conn, "pool", None) is not None:
                conn.close_pool()
        barrier = context.Barrier(len(worlds))
        results = context.Queue()
        children = [
            context.Process(target=sender, args=(*w, rounds, messages, barrier, results))
            for w in worlds
        ]
        for child in children:
            child.start()
        outcome = [results.get() for _ in children]
        if any(batches is None for batches in outcome):
            raise SystemExit("a sender failed (its error is above)")
        for child in children:
            child.join()
            if child.exitcode:
                raise SystemExit(f"a sender failed (exit code {child.exitcode})")
    for index in range(len(outcome[0])):
        batch = [batches[index] for batches in outcome]
        name = batch[0][0]
        seconds[name] += max(b[2] for b in batch) - min(b[1] for b in batch)
        cpu[name] += sum(b[3] for b in batch)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--messages", type=int, default=100, help="per round, path and sender")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="concurrent senders (default: one per core, as a server runs one worker per core)",
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--no-sealer",
        action="store_true",
        help="no `mentorhaven audit sealer` beside the senders: events stay pending",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench_messages measures PostgreSQL: pass a postgres:// URL")
    if args.processes < 1:
        raise SystemExit("--processes must be at least 1")
    sealer = None
    try:
        worlds = setup(args.database_url, pairs=args.processes)
        if not args.no_sealer:
            from sealer import SealerProcess  # benchmarks/sealer.py

            sealer = SealerProcess().start()
        sealer_cpu = sealer.cpu_seconds() if sealer else 0.0
        seconds, cpu = measure(worlds, args.rounds, args.messages)
        # The sealer works for the full path only (the others record nothing): its CPU counts
        # there, so the CPU ratio includes all the audit log's work.
        cpu["full"] += (sealer.cpu_seconds() if sealer else 0.0) - sealer_cpu
        total = args.messages * args.rounds * args.processes
        rate = {k: round(total / v, 1) for k, v in seconds.items()}
        ratio = rate["full"] / rate["plain"]
        print(
            json.dumps(
                {
                    "name": "api_message_send",
                    "processes": args.processes,
                    "messages_per_path": total,
                    "full_messages_per_s": rate["full"],
                    "plain_messages_per_s": rate["plain"],
                    "encrypted_no_audit_messages_per_s": rate["no_audit"],
                    "full_ms_per_message": round(1000 * seconds["full"] / total, 2),
                    "plain_ms_per_message": round(1000 * seconds["plain"] / total, 2),
                    # Django's own CPU per message (excludes PostgreSQL's; the full path's
                    # includes the sealer process's): on a shared machine wall time also
                    # counts waiting for a core.
                    "full_cpu_ms_per_message": round(1000 * cpu["full"] / total, 2),
                    "plain_cpu_ms_per_message": round(1000 * cpu["plain"] / total, 2),
                    "ratio": round(ratio, 3),
                    # The same ratio by Django's CPU time: steadier when other work shares
                    # the cores (wall-clock rounds then swing by tens of percent).
                    "cpu_ratio": round(cpu["plain"] / cpu["full"], 3),
                    "target_messages_per_s": TARGET_RATE,
                    "target_ratio": TARGET_RATIO,
                    "meets_rate": rate["full"] >= TARGET_RATE,
                    "meets_ratio": ratio >= TARGET_RATIO,
                    "audit_sealing": "sealer process" if sealer else "none (events left pending)",
                    "machine": machine(),
                }
            )
        )
    finally:
        if sealer is not None:
            sealer.stop()
        if not args.keep_database:
            from django.db import connections

            connections.close_all()
            with contextlib.suppress(Exception):
                drop_database(args.database_url)


if __name__ == "__main__":
    main()
