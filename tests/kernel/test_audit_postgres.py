"""PostgreSQL-only guarantees of the audit log: triggers refuse changes; parallel appends chain."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: set DATABASE_URL=postgres://…",
    ),
]


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    settings.AUDIT_SEAL_INLINE = False  # events pending until sealed, as deployed
    vault.forget_cached_keys()


def refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as failure, transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    return str(failure.value)


@pytest.mark.parametrize("table", ["kernel_auditevent", "kernel_auditcheckpoint"])
def test_raw_update_delete_and_truncate_are_refused(db, table):
    audit.record(action="test.one")
    audit.checkpoint()
    assert "Cannot update or delete" in refused(f"UPDATE {table} SET hash = 'x'")  # noqa: S608
    assert "Cannot update or delete" in refused(f"DELETE FROM {table}")  # noqa: S608
    assert "Cannot truncate" in refused(f"TRUNCATE {table}")
    assert audit.verify().ok


def test_the_orm_cannot_update_or_delete_events_either(db):
    audit.record(action="test.one")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "test.one"


def test_the_only_update_allowed_is_sealing_a_pending_row_and_nothing_else(db):
    audit.record(action="test.sealed")
    audit.seal()
    row = audit.record(action="test.pending")
    table = "kernel_auditevent"
    seal = f"UPDATE {table} SET seq = 2, prev_hash = repeat('a', 64), hash = repeat('b', 64)"  # noqa: S608
    # A pending row: its content cannot change, even while sealing; it cannot be deleted.
    assert "Cannot update" in refused(f"UPDATE {table} SET action = 'x.y' WHERE id = {row.pk}")  # noqa: S608
    assert "Cannot update" in refused(f"{seal}, action = 'x.y' WHERE id = {row.pk}")
    assert "Cannot update" in refused(f"{seal}, occurred_at = now() WHERE id = {row.pk}")
    assert "Cannot update" in refused(f"{seal}, id = id + 100 WHERE id = {row.pk}")
    # organization_id is NULL here: a NULL turned into a value is a change too.
    assert "Cannot update" in refused(f"{seal}, organization_id = 7 WHERE id = {row.pk}")
    assert "Cannot update" in refused(f"{seal}, extra = '{{}}' || ' ' WHERE id = {row.pk}")
    assert "Cannot update" in refused(f"UPDATE {table} SET seq = 2 WHERE id = {row.pk}")  # noqa: S608
    assert "Cannot update or delete" in refused(f"DELETE FROM {table} WHERE id = {row.pk}")  # noqa: S608
    # A sealed row cannot be sealed again.
    assert "Cannot update" in refused(f"{seal} WHERE seq = 1")
    assert audit.seal() == 1
    assert audit.verify().ok


def test_a_rolled_back_event_leaves_no_gap(db):
    audit.record(action="test.one")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.undone")
        raise RuntimeError("the service failed")
    audit.record(action="test.two")
    assert audit.seal() == 2
    assert list(AuditEvent.objects.values_list("seq", "action")) == [
        (1, "test.one"),
        (2, "test.two"),
    ]


@pytest.mark.django_db(transaction=True)
def test_an_event_is_sealed_as_soon_as_its_transaction_commits():
    with transaction.atomic():
        event = audit.record(action="test.committed")
        audit.record(action="test.committed.too")
        assert event.seq is None  # pending until the commit
    assert list(AuditEvent.objects.values_list("seq", "action").order_by("seq")) == [
        (1, "test.committed"),
        (2, "test.committed.too"),
    ]
    assert audit.verify().count == 2


def test_with_inline_sealing_the_event_is_numbered_in_its_own_transaction(db, settings):
    settings.AUDIT_SEAL_INLINE = True
    first = audit.record(action="test.one")
    second = audit.record(action="test.two")
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert second.hash == audit.event_hash(audit.event_values(second))


@pytest.mark.django_db(transaction=True)
def test_a_sealer_outside_any_transaction_seals_batch_after_batch_and_signs_on_the_way(settings):
    settings.AUDIT_CHECKPOINT_EVERY = 2
    audit.record(action="test.first")  # sealed after its commit
    for i in range(6):  # committed pending rows no after-commit sealer has seen yet
        AuditEvent.objects.create(occurred_at=timezone.now(), action="test.queued", extra={"i": i})
    assert audit.seal(batch=2) == 6
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 8))
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [2, 4, 6]
    assert audit.verify().ok
    assert audit.seal(batch=2) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("inline", [False, True], ids=["sealed-after-commit", "sealed-inline"])
def test_parallel_writers_and_sealers_seal_every_committed_event_exactly_once(
    caplog, settings, inline
):
    settings.AUDIT_SEAL_INLINE = inline
    settings.AUDIT_CHECKPOINT_EVERY = 50  # signed by whichever sealer reaches each multiple
    writers, per_writer = 12, 30
    people = [User.objects.create_user(email=f"w{i}@audit.test") for i in range(writers)]
    for person in people:
        vault.subject_secret(person)  # create the keys first: the race under test is the log's
    start = threading.Barrier(writers + 2)
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def write(person) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():  # each a separate service transaction
                    audit.record(action="test.parallel", actor=person, extra={"i": i})
                    if i % 7 == 3:  # some recording transactions roll back
                        transaction.set_rollback(True)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    def seal_meanwhile(wait: bool) -> None:
        try:
            start.wait()
            while writing.is_set():
                audit.seal(wait=wait)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(p,)) for p in people]
    sealers = [threading.Thread(target=seal_meanwhile, args=(w,)) for w in (True, False)]
    for t in threads + sealers:
        t.start()
    for t in threads:
        t.join()
    writing.clear()
    for t in sealers:
        t.join()
    audit.seal()  # whatever the last after-commit sealer left (see audit.seal: rounds)

    assert errors == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    kept = [i for i in range(per_writer) if i % 7 != 3]
    total = writers * len(kept)
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "actor", "extra"))
    assert [seq for seq, _, _ in rows] == list(range(1, total + 1))
    sealed_once = sorted((actor, extra["i"]) for _, actor, extra in rows)
    assert sealed_once == sorted((audit.pseudonym(p), i) for p in people for i in kept)
    signed = list(AuditCheckpoint.objects.values_list("seq", flat=True))
    assert signed == list(range(50, total + 1, 50))
    result = audit.verify()
    assert (result.ok, result.count) == (True, total)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_verify_renders_on_extra_connections_and_still_catches_tampering():
    import pgtrigger

    for i in range(30):
        audit.record(action="test.many", extra={"i": i})
    assert audit._chain_checks_out_fast(7, 30, {})  # the parallel path accepts a good chain
    assert audit.verify(batch=7).count == 30
    with pgtrigger.ignore(), connection.cursor() as cursor:  # committed: every connection sees it
        cursor.execute("UPDATE kernel_auditevent SET purpose = 'rewritten' WHERE seq = 12")
    assert not audit._chain_checks_out_fast(7, 30, {})
    assert audit.verify(batch=7).bad_seq == 12
    with pgtrigger.ignore(), connection.cursor() as cursor:
        cursor.execute("UPDATE kernel_auditevent SET purpose = '' WHERE seq = 12")
        cursor.execute(
            "INSERT INTO kernel_auditevent (seq, occurred_at, actor, actor_role, action,"
            " target_type, target_id, subject, purpose, category, extra, prev_hash, hash)"
            " SELECT 0, occurred_at, actor, actor_role, action, target_type, target_id, subject,"
            " purpose, category, extra, prev_hash, hash FROM kernel_auditevent WHERE seq = 1"
        )
    assert not audit._chain_checks_out_fast(7, 30, {})  # a row numbered below the chain


def _hold_the_seal_lock(release: threading.Event, held: threading.Event) -> None:
    """Another process's sealer, in the middle of its turn."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [audit.SEAL_LOCK_KEY])
            held.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_sealer_queues_for_the_lock_and_seals_its_own_event():
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_seal_lock, args=(release, held))
    holder.start()
    assert held.wait(5)
    threading.Timer(0.3, release.set).start()  # the other turn ends while we queue
    event = audit.record(action="test.queued")  # autocommit: sealed right after its commit
    holder.join()
    event.refresh_from_db()
    assert event.seq == 1


@pytest.mark.django_db(transaction=True)
def test_when_the_lock_queue_is_too_long_the_event_stays_pending_for_the_next_sealer(
    monkeypatch, caplog
):
    monkeypatch.setattr(audit, "AFTER_COMMIT_WAIT_MS", 50)
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_seal_lock, args=(release, held))
    holder.start()
    assert held.wait(5)
    try:
        event = audit.record(action="test.stranded")  # committed; its sealer gives up
    finally:
        release.set()
        holder.join()
    event.refresh_from_db()
    assert event.seq is None
    assert "stay pending for the next sealer" in caplog.text
    assert audit.seal() == 1 and audit.verify().count == 1


@pytest.mark.django_db(transaction=True)
def test_sealing_hashes_the_time_in_utc_whatever_the_sessions_time_zone():
    with connection.cursor() as cursor:
        cursor.execute("SET TimeZone = 'Pacific/Chatham'")  # +12:45 / +13:45
    try:
        for i in range(3):
            audit.record(action="test.far_away", extra={"i": i})
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET TimeZone")
    assert audit.verify().count == 3


def _start_sealer() -> tuple[threading.Thread, threading.Event, threading.Event]:
    """An audit sealer in a thread (`mentorhaven audit sealer` in production): (thread, stop,
    ready)."""
    stop, ready = threading.Event(), threading.Event()

    def run():
        try:
            audit.run_sealer(stop=stop, ready=ready)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="test-audit-sealer")
    thread.start()
    return thread, stop, ready


@pytest.fixture
def sealer_process(monkeypatch):
    """A running audit sealer; yields the event that stops it."""
    monkeypatch.setattr(audit, "SEALER_CHECK_SECONDS", 0.0)  # writers notice changes at once
    thread, stop, ready = _start_sealer()
    assert ready.wait(10)
    yield stop
    stop.set()
    thread.join(10)
    audit._sealer_seen.clear()


def _wait_until_sealed(count: int) -> list:
    for _ in range(200):
        seqs = list(AuditEvent.objects.order_by("id").values_list("seq", flat=True))
        if len(seqs) == count and None not in seqs:
            return seqs
        threading.Event().wait(0.025)
    return seqs


@pytest.mark.django_db(transaction=True)
def test_with_the_sealer_running_requests_leave_sealing_to_it(sealer_process, monkeypatch):
    sealers: list[str] = []
    real_seal = audit.seal

    def seal(**kwargs):
        sealers.append(threading.current_thread().name)
        return real_seal(**kwargs)

    monkeypatch.setattr(audit, "seal", seal)
    assert audit.sealer_alive()
    for i in range(20):
        with transaction.atomic():
            audit.record(action="test.handed_over", extra={"i": i})
    assert _wait_until_sealed(20) == list(range(1, 21))
    assert "MainThread" not in sealers  # no request sealed: every turn was the sealer's
    assert audit.verify().count == 20


@pytest.mark.django_db(transaction=True)
def test_once_the_sealer_stops_requests_seal_their_own_events_again(sealer_process):
    audit.record(action="test.before_stop")
    assert _wait_until_sealed(1) == [1]
    sealer_process.set()  # the sealer stops (and gives its lock back)
    for _ in range(200):
        if not audit.sealer_alive():
            break
        threading.Event().wait(0.025)
    assert not audit.sealer_alive()
    event = audit.record(action="test.after_stop")
    event.refresh_from_db()
    assert event.seq == 2  # sealed by its own request, right after the commit


@pytest.mark.django_db(transaction=True)
def test_the_sealer_seals_on_start_what_was_left_pending(monkeypatch):
    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_seal_lock, args=(release, held))
    holder.start()
    assert held.wait(5)
    monkeypatch.setattr(audit, "AFTER_COMMIT_WAIT_MS", 50)
    try:
        audit.record(action="test.left_pending")  # its own sealing turn gives up
    finally:
        release.set()
        holder.join()
    assert AuditEvent.objects.get().seq is None
    thread, stop, ready = _start_sealer()
    try:
        assert ready.wait(10)
        assert _wait_until_sealed(1) == [1]
    finally:
        stop.set()
        thread.join(10)
        audit._sealer_seen.clear()


@pytest.mark.django_db(transaction=True)
def test_a_second_sealer_stands_by_and_takes_over_when_the_first_stops(sealer_process, caplog):
    caplog.set_level("INFO", logger="mentorhaven.kernel.audit")
    thread, stop, ready = _start_sealer()
    try:
        assert not ready.wait(1.5)  # the first one runs: the second waits
        assert "standing by" in caplog.text
        sealer_process.set()  # the first one stops
        assert ready.wait(10)  # and the second takes over
        audit.record(action="test.taken_over")
        assert _wait_until_sealed(1) == [1]
    finally:
        stop.set()
        thread.join(10)
