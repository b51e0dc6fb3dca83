"""Audit log speed on PostgreSQL: appends per second and verification per second.

Run alone: ``MENTORHAVEN_ENV=test .venv/bin/python benchmarks/bench_audit.py`` prints one JSON
line per case. It uses ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/mh_bench``),
creates that scratch database if needed, migrates it and empties the audit tables first.

Cases (targets from issue 3):
* ``audit_append_1_writer`` and ``audit_append_N_writers`` (N from ``BENCH_AUDIT_WRITERS``,
  default "4": processes at once, like web workers): ``audit.record`` with an actor, a subject
  and a target, one transaction per event as a service would do it (pseudonyms, pending insert,
  commit with ``synchronous_commit = on``); the clock stops when every event is sealed:
  >= 2,000 events/s. As deployed, ``mentorhaven audit sealer`` runs beside the writers and seals,
  signs and anchors what their commits leave pending (``BENCH_AUDIT_SEALER=none``: no sealer
  process; this process seals everything at the end). One writer pays three round trips and a
  WAL flush per event for the transaction alone (BEGIN, INSERT, COMMIT). Each case also reports
  the CPU spent per event (writers, the sealer process, and every PostgreSQL process, read from
  /proc) and the rate that CPU cost allows with every core free: on a shared machine the
  wall-clock rate mostly measures the other tenants. ``commit_flush_ms`` is the median time of
  one durable commit on this disk, and ``flush_bound_events_per_s`` what N writers committing
  one event each can reach at most with that flush time (N / flush).
* ``audit_verify``: ``audit.verify`` over 200,000 chained events with a signed checkpoint every
  1,000 (as the sealer signs them), each also anchored outside the database; every hash is
  recomputed (by PostgreSQL's built-in SHA-256, on two extra connections, over the canonical
  line rebuilt from the stored row), every link and head checked and every anchor compared
  (its signature too): >= 500,000 events/s, the median of three passes (each pass is listed).
  The table is vacuumed and a checkpoint taken after the bulk load, as a live site's log would
  be (autovacuum cleans the row the sealer's update leaves behind for every event).
  ``client_cpu_s`` is this process's CPU time, ``server_cpu_s`` that of every PostgreSQL
  process on the host.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mh_bench"
APPENDS = int(os.environ.get("BENCH_AUDIT_APPENDS", "8000"))
APPENDS_ONE_WRITER = int(os.environ.get("BENCH_AUDIT_APPENDS_ONE_WRITER", "1000"))
WRITER_COUNTS = [int(n) for n in os.environ.get("BENCH_AUDIT_WRITERS", "4").split(",")]
VERIFY_EVENTS = int(os.environ.get("BENCH_AUDIT_VERIFY_EVENTS", "200000"))
VERIFY_PASSES = 3
APPEND_TARGET = 2_000
VERIFY_TARGET = 500_000


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup() -> None:
    os.environ.setdefault("MENTORHAVEN_ENV", "test")
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorhaven.settings")
    # A fresh anchor store for this scratch chain (var/'s belongs to the development database).
    os.environ["MENTORHAVEN_AUDIT_ANCHOR_DIR"] = tempfile.mkdtemp(prefix="mh-bench-anchors-")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench_audit measures PostgreSQL: DATABASE_URL must be postgres://…")
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    empty_audit_tables()


def empty_audit_tables() -> None:
    from django.db import connection

    # A scratch database, as its superuser: only that role may switch ordinary triggers off.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("TRUNCATE kernel_auditevent, kernel_auditcheckpoint")
        cursor.execute("RESET session_replication_role")


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "postgresql": server,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }  # fmt: skip


def people(n: int) -> list:
    from mentorhaven.accounts.models import User

    return [
        User.objects.get_or_create(email=f"bench{i}@audit.bench", defaults={"display_name": "B"})[0]
        for i in range(n)
    ]


def _append(n: int, offset: int) -> None:
    from django.db import transaction

    from mentorhaven.kernel import audit

    cast = people(20)
    for person in cast:  # create their keys before timing, as a running site would have them
        audit.pseudonym(person)
    for i in range(offset, offset + n):
        with transaction.atomic():
            audit.record(
                action="data.read", actor=cast[i % 20], actor_role="mentor",
                subject=cast[(i + 7) % 20], target=("mentoring.note", i), purpose="benchmark",
                category="personal", extra={"n": i},
            )  # fmt: skip


def _all_postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this host, including backends
    that have exited (the postmaster's reaped-children times): verify renders on extra
    connections of its own, closed when it ends."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split()
        except OSError:
            continue
        if fields[1] in ("(postgres)", "(postmaster)"):
            total += sum(int(f) for f in fields[13:17])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def _writer(barrier, cpu, n: int, offset: int) -> None:
    """A separate process: its own interpreter, its own connection, like another web worker."""
    import django

    django.setup()
    people(20)
    barrier.wait()
    client = time.process_time()
    _append(n, offset)
    cpu.put((time.process_time() - client, 0.0))


SEALER = None  # the running SealerProcess, when the benchmark runs one (BENCH_AUDIT_SEALER)


def _all_sealed(expected: int) -> None:
    """Stop the clock once every event is sealed: by the sealer process when one runs (this
    waits for it), else by this process, now."""
    from mentorhaven.kernel import audit
    from mentorhaven.kernel.models import AuditEvent

    if SEALER is None:
        audit.seal()
    deadline = time.monotonic() + 60
    while AuditEvent.objects.filter(seq__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    sealed = AuditEvent.objects.filter(seq__isnull=False).count()
    if sealed != expected:
        raise SystemExit(f"{sealed} events sealed, {expected} expected")


def commit_flush_ms() -> float:
    """The median time of one durable commit of a one-row insert on this machine's disk, on a
    connection of its own: a writer that commits each event waits this long for every one, so
    N writers can commit at most N / flush events per second (group commit lets all waiting
    writers share one flush, never more). Reported beside the append rates because on a
    virtual disk it, not CPU, often sets the ceiling."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    params.pop("pool", None)
    times = []
    with psycopg.connect(**params) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_flush (n integer)")
        conn.execute("SET synchronous_commit = on")
        conn.commit()
        for n in range(200):
            start = time.perf_counter()
            conn.execute("INSERT INTO bench_flush VALUES (%s)", [n])
            conn.commit()
            times.append(time.perf_counter() - start)
        conn.execute("DROP TABLE bench_flush")
        conn.commit()
    return statistics.median(times) * 1000


def case_append_one_writer() -> dict:
    from mentorhaven.kernel.models import AuditEvent

    before = AuditEvent.objects.count()
    people(20)
    meter = CpuMeter()
    start, client = time.perf_counter(), time.process_time()
    _append(APPENDS_ONE_WRITER, 0)
    _all_sealed(before + APPENDS_ONE_WRITER)
    seconds = time.perf_counter() - start
    out = result("audit_append_1_writer", APPENDS_ONE_WRITER, seconds, APPEND_TARGET)
    return out | meter.figures(APPENDS_ONE_WRITER, time.process_time() - client)


def case_append_concurrent(writers: int) -> dict:
    import multiprocessing

    from django.db import connections

    from mentorhaven.kernel.models import AuditEvent

    before = AuditEvent.objects.count()
    people(20)
    connections.close_all()
    spawn = multiprocessing.get_context("spawn")
    barrier, cpu = spawn.Barrier(writers + 1), spawn.Queue()
    per = APPENDS // writers
    procs = [
        spawn.Process(target=_writer, args=(barrier, cpu, per, 100_000 * (w + 1)))
        for w in range(writers)
    ]
    for proc in procs:
        proc.start()
    barrier.wait()
    meter = CpuMeter()
    start = time.perf_counter()
    used = [cpu.get() for _ in procs]
    for proc in procs:
        proc.join()
    if any(proc.exitcode for proc in procs):
        raise SystemExit("a writer process failed")
    _all_sealed(before + per * writers)
    seconds = time.perf_counter() - start
    out = result(f"audit_append_{writers}_writers", per * writers, seconds, APPEND_TARGET)
    flush = commit_flush_ms()
    out |= {
        "commit_flush_ms": round(flush, 3),
        "flush_bound_events_per_s": round(writers * 1000 / flush),
    }
    return out | meter.figures(per * writers, sum(c for c, _ in used))


class CpuMeter:
    """CPU spent from now on by PostgreSQL (every backend, the sealer's too) and by the sealer
    process; the writers' own CPU is passed in."""

    def __init__(self) -> None:
        self.server = _all_postgres_cpu()
        self.sealer = SEALER.cpu_seconds() if SEALER else 0.0

    def figures(self, events: int, writers_cpu: float) -> dict:
        """CPU per event, and what that allows when every core of this machine is free: the
        wall-clock figure depends on the machine's load."""
        client = writers_cpu / events * 1000
        server = (_all_postgres_cpu() - self.server) / events * 1000
        sealer = ((SEALER.cpu_seconds() if SEALER else 0.0) - self.sealer) / events * 1000
        total = client + server + sealer
        return {
            "client_cpu_ms_per_event": round(client, 3),
            "sealer_process_cpu_ms_per_event": round(sealer, 3),
            "server_cpu_ms_per_event": round(server, 3),
            "cpu_bound_events_per_s_all_cores": round((os.cpu_count() or 1) * 1000 / total),
        }


def fill_chain(total: int) -> None:
    """Append correctly chained events in bulk (as if recorded and sealed over months), with a
    signed and anchored checkpoint every 1,000 events, as the sealer signs them."""
    from django.db import connection, transaction

    from mentorhaven.kernel.audit import checkpoints
    from mentorhaven.kernel.audit.chain import GENESIS, event_hash
    from mentorhaven.kernel.models import AuditEvent

    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq")
    last = last.values_list("seq", "hash").first()
    seq, prev = last if last else (0, GENESIS)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    actors = [f"{i:032x}" for i in range(50)]
    batch: list[AuditEvent] = []
    while seq < total:
        seq += 1
        values = {
            "seq": seq, "occurred_at": when + timedelta(milliseconds=seq),
            "actor": actors[seq % 50],
            "actor_role": "mentor", "action": "data.read", "target_type": "mentoring.note",
            "target_id": str(seq), "subject": actors[(seq + 3) % 50], "purpose": "benchmark",
            "category": "personal", "organization_id": 1, "extra": {"n": seq}, "prev_hash": prev,
        }  # fmt: skip
        prev = event_hash(values)
        batch.append(AuditEvent(hash=prev, **values))
        if len(batch) == 5000 or seq == total:
            # Sealed rows straight in: a scratch database's superuser gets past the trigger
            # that admits only pending rows (the sealer would take minutes for 200,000).
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                AuditEvent.objects.bulk_create(batch)
            for event in batch:
                if event.seq % 1000 == 0 or event.seq == total:
                    checkpoints.sign(event.seq, event.hash)
            batch = []


def case_verify() -> dict:
    from django.db import connection

    from mentorhaven.kernel import audit

    fill_chain(VERIFY_EVENTS)
    with connection.cursor() as cursor:
        # As autovacuum does on a live site, where the sealer's updates leave a dead row per
        # event: vacuumed and analysed. A bulk load read for the first time would otherwise
        # pay for setting every row's visibility hint bits, which a months-old log never does.
        cursor.execute("VACUUM (ANALYZE) kernel_auditevent")
        # And the pages that load dirtied written out now, not by the checkpointer during the
        # passes (a scratch database's superuser may ask for a checkpoint).
        cursor.execute("CHECKPOINT")
    # Three passes, as an operator's daily `audit verify` runs on a warm database; the median
    # pass is the figure (a shared machine's other tenants make any single pass noisy), and
    # every pass is reported.
    passes = []
    for _ in range(VERIFY_PASSES):
        start, cpu, server = time.perf_counter(), time.process_time(), _all_postgres_cpu()
        outcome = audit.verify()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        passes.append((seconds, cpu, _all_postgres_cpu() - server))
        if not outcome.ok:
            raise SystemExit(f"verify failed on an untouched log: {outcome}")
    seconds, cpu, server = sorted(passes)[len(passes) // 2]
    out = result("audit_verify", outcome.count, seconds, VERIFY_TARGET)
    return out | {
        "passes_events_per_s": [round(outcome.count / p[0]) for p in passes],
        "checkpoints": outcome.checkpoints,
        "anchors_compared": outcome.anchors,
        "client_cpu_s": round(cpu, 3),
        "server_cpu_s": round(server, 3),
        "events_per_client_cpu_s": round(outcome.count / cpu),
    }


def result(name: str, events: int, seconds: float, target: int) -> dict:
    rate = events / seconds
    out = {
        "name": name, "events": events, "seconds": round(seconds, 3),
        "events_per_s": round(rate), "target_per_s": target, "target_met": rate >= target,
    }  # fmt: skip
    if rate < target:
        out["note"] = f"target NOT met: {rate:,.0f}/s < {target:,}/s"
    return out


def main() -> None:
    global SEALER
    setup()
    from sealer import SealerProcess  # benchmarks/sealer.py

    # As deployed: `mentorhaven audit sealer` runs next to the web processes.
    # BENCH_AUDIT_SEALER=none measures without it (this process seals at the end).
    if os.environ.get("BENCH_AUDIT_SEALER", "process") == "process":
        SEALER = SealerProcess().start()

    cases = [
        case_append_one_writer,
        *(partial(case_append_concurrent, n) for n in WRITER_COUNTS),
        case_verify,
    ]
    try:
        for case in cases:
            out = case()
            if case is not case_verify:
                out["sealing"] = "sealer process" if SEALER else "this process, at the end"
            out["machine"] = machine()
            print(json.dumps(out), flush=True)
    finally:
        if SEALER:
            SEALER.stop()


if __name__ == "__main__":
    main()
