"""Helpers for the audit tests: test actions, events, tampering, a sealer in a thread.

Tampering plays an attacker who gets past the triggers: on PostgreSQL a superuser (the test
connection is one) with ``session_replication_role = replica``, which the app's role may not set
(tests/kernel/test_audit_postgres.py proves it); on SQLite anyone who can open the file, by
dropping the triggers.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import import_module

from django.db import connection

from mentorhaven.kernel import audit
from mentorhaven.kernel.audit.chain import event_hash
from mentorhaven.kernel.models import AuditEvent

EVENTS = "kernel_auditevent"
CHECKPOINTS = "kernel_auditcheckpoint"
TRIGGERS = import_module("mentorhaven.kernel.migrations.0008_audit_plain_triggers")

audit.declare("test.touch", category="program", sentence="{actor} touched a test thing")
audit.declare("test.pending", sentence="{actor} left a test event pending")
audit.declare("test.one", sentence="{actor} did test one")
audit.declare("test.two", sentence="{actor} did test two")
audit.declare("test.many", sentence="{actor} did one of many test things")


def make_events(people, n: int) -> list[AuditEvent]:
    """Record ``n`` events and seal them (as the sealer would after their commit)."""
    recorded = [
        audit.record(
            action="test.touch",
            actor=people[i % 2],
            subject=people[2],
            target=("test.thing", i),
            purpose="exercise the log",
            extra={"n": i},
        )
        for i in range(n)
    ]
    audit.seal()
    return list(AuditEvent.objects.filter(pk__in=[e.pk for e in recorded]).order_by("seq"))


def pending(**fields) -> AuditEvent:
    """A pending row, as ``record`` leaves it until the sealer runs."""
    values = {"occurred_at": datetime.now(UTC), "action": "test.pending", "actor": "system"}
    return AuditEvent.objects.create(**(values | fields))


@contextmanager
def as_attacker():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            TRIGGERS.drop_sqlite_triggers(cursor)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET session_replication_role")
            else:
                TRIGGERS.create_sqlite_triggers(cursor)


def sql(statement: str, params=()) -> None:
    with as_attacker(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def forge(seq: int, prev_hash: str, action: str = "forged.event") -> None:
    """Insert a self-consistent forged event: right seq, right predecessor, right own hash."""
    values = {
        "seq": seq,
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor": "system",
        "actor_role": "",
        "action": action,
        "target_type": "",
        "target_id": "",
        "subject": "",
        "purpose": "",
        "category": "",
        "organization_id": None,
        "extra": {},
        "prev_hash": prev_hash,
    }
    with as_attacker():
        AuditEvent.objects.create(hash=event_hash(values), **values)


def rewrite_chain_from(seq: int) -> None:
    """The attack checkpoints exist for: alter an event and recompute every hash after it."""
    from mentorhaven.kernel.audit.chain import event_values

    prev = AuditEvent.objects.get(seq=seq - 1).hash
    with as_attacker():
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.action = "nothing.to.see"
            event.prev_hash = prev
            event.hash = event_hash(event_values(event))
            AuditEvent.objects.filter(pk=event.pk).update(
                action=event.action, prev_hash=event.prev_hash, hash=event.hash
            )
            prev = event.hash


def bad_seq() -> int | None:
    result = audit.verify()
    assert result.ok is (result.bad_seq is None)
    return result.bad_seq


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def all_sealed(count: int) -> bool:
    seqs = list(AuditEvent.objects.order_by("id").values_list("seq", flat=True))
    return len(seqs) == count and None not in seqs


@contextmanager
def sealer_thread():
    """The audit sealer service (``mentorhaven audit sealer``) running in a thread."""
    stop, ready = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run():
        try:
            audit.run_sealer(stop=stop, ready=ready)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="test-audit-sealer")
    thread.start()
    try:
        assert ready.wait(10), errors
        yield stop
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert errors == []
