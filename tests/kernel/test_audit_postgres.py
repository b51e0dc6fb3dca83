"""PostgreSQL: triggers nobody can skip, an app role that can only append, and the sealer service.

The insider of the threat model holds the app's database credentials. These tests connect as
such a role (made with ``mentorhaven db grant``) and try every way to change or remove audit
rows; the test connection itself is a superuser, whose triggers still fire unless it sets
``session_replication_role`` (which the app's role may not).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit, vault
from mentorhaven.kernel.audit import anchors, chain, render
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent
from tests.kernel.audit_helpers import (
    CHECKPOINTS,
    EVENTS,
    all_sealed,
    as_attacker,
    sealer_thread,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: set DATABASE_URL=postgres://…",
    ),
]
PROJECT = Path(__file__).resolve().parents[2]
SEAL = "SELECT count(*) FROM mentorhaven_audit_seal(1000, false)"


@pytest.fixture(autouse=True)
def _own_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "audit-signing.key")
    settings.AUDIT_CHECKPOINT_EVERY = 0
    vault.forget_cached_keys()


def refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as failure, transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    return str(failure.value)


# --- the triggers ------------------------------------------------------------------------------


@pytest.mark.parametrize("table", [EVENTS, CHECKPOINTS])
def test_update_delete_and_truncate_are_refused_even_to_a_superuser(db, table):
    audit.record(action="test.one")
    audit.checkpoint()
    assert "append-only: UPDATE" in refused(f"UPDATE {table} SET hash = 'x'")  # noqa: S608
    assert "append-only: DELETE" in refused(f"DELETE FROM {table}")  # noqa: S608
    assert "append-only: TRUNCATE" in refused(f"TRUNCATE {table}")
    assert audit.verify().ok


def test_a_session_setting_of_pgtrigger_does_not_switch_the_triggers_off(db):
    audit.record(action="test.one")
    audit.seal()
    ignore = "SET LOCAL pgtrigger.ignore = 'kernel_auditevent:mentorhaven_audit_seal_only'; "
    assert "append-only" in refused(f"{ignore}UPDATE {EVENTS} SET action = 'x.y'")  # noqa: S608
    assert "append-only" in refused(f"{ignore}DELETE FROM {EVENTS}")  # noqa: S608


def test_only_pending_events_may_be_inserted(db):
    insert = (
        f"INSERT INTO {EVENTS} (occurred_at, actor, actor_role, action, target_type, target_id,"  # noqa: S608
        " subject, purpose, category, extra, seq, prev_hash, hash) VALUES (now(), 'system', '',"
        " 'forged.event', '', '', '', '', '', '{{}}', {seq}, {prev}, {hash})"
    )
    assert "INSERT" in refused(insert.format(seq=1, prev="''", hash="''"))
    assert "INSERT" in refused(insert.format(seq="NULL", prev="repeat('0', 64)", hash="''"))
    with connection.cursor() as cursor:
        cursor.execute(insert.format(seq="NULL", prev="''", hash="''"))
    assert audit.seal() == 1


def test_the_only_update_allowed_is_sealing_a_pending_row_and_nothing_else(db):
    audit.record(action="test.one")
    audit.seal()
    row = audit.record(action="test.two")
    seal = f"UPDATE {EVENTS} SET seq = 2, prev_hash = repeat('a', 64), hash = repeat('b', 64)"  # noqa: S608
    # A pending row: its content cannot change, even while sealing; it cannot be deleted.
    assert "UPDATE" in refused(f"UPDATE {EVENTS} SET action = 'x.y' WHERE id = {row.pk}")  # noqa: S608
    assert "UPDATE" in refused(f"{seal}, action = 'x.y' WHERE id = {row.pk}")
    assert "UPDATE" in refused(f"{seal}, occurred_at = now() WHERE id = {row.pk}")
    assert "UPDATE" in refused(f"{seal}, id = id + 100 WHERE id = {row.pk}")
    # organization_id is NULL here: a NULL turned into a value is a change too.
    assert "UPDATE" in refused(f"{seal}, organization_id = 7 WHERE id = {row.pk}")
    assert "UPDATE" in refused(f"{seal}, extra = '{{}}' || ' ' WHERE id = {row.pk}")
    assert "UPDATE" in refused(f"UPDATE {EVENTS} SET seq = 2 WHERE id = {row.pk}")  # noqa: S608
    assert "DELETE" in refused(f"DELETE FROM {EVENTS} WHERE id = {row.pk}")  # noqa: S608
    # A sealed row cannot be sealed again.
    assert "UPDATE" in refused(f"{seal} WHERE seq = 1")
    assert audit.seal() == 1
    assert audit.verify().ok


def test_the_seal_function_runs_as_its_owner_with_a_pinned_search_path(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner),"
            " has_function_privilege('public', p.oid, 'EXECUTE')"
            " FROM pg_proc p WHERE p.proname = 'mentorhaven_audit_seal'"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = %s", [EVENTS]
        )
        table_owner = cursor.fetchone()[0]
    assert len(rows) == 1  # the old, invoker-rights version is gone
    definer, config, owner, public_may_execute = rows[0]
    assert definer and owner == table_owner
    assert "search_path=pg_catalog, pg_temp" in config
    assert not public_may_execute


def test_a_rolled_back_event_leaves_no_gap(db):
    audit.record(action="test.one")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.pending")
        raise RuntimeError("the service failed")
    audit.record(action="test.two")
    assert audit.seal() == 2
    assert list(AuditEvent.objects.values_list("seq", "action")) == [
        (1, "test.one"),
        (2, "test.two"),
    ]


# --- the app's role ----------------------------------------------------------------------------


@pytest.fixture
def app_role():
    """A login role for the app, granted with ``mentorhaven db grant``; yields a psycopg
    connection as that role (autocommit: every statement stands alone)."""
    name = f"mh_audit_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'app-secret'")
        # Something extra the grant must take back: the audit tables get SELECT, INSERT only.
        cursor.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON {EVENTS}, {CHECKPOINTS} TO {name}")
    params = connection.get_connection_params()
    try:
        call_command("db", "grant", name)
        call_command("db", "grant", name)  # idempotent
        with psycopg.connect(
            dbname=params["dbname"],
            host=params.get("host"),
            port=params.get("port"),
            user=name,
            password="app-secret",
            autocommit=True,
        ) as conn:
            yield conn
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def _as_app(conn, statement: str) -> str:
    with pytest.raises(psycopg.Error) as failure:
        conn.execute(statement)
    return str(failure.value)


@pytest.mark.django_db(transaction=True)
def test_the_app_role_can_append_and_seal_but_never_change_or_remove_the_log(app_role):
    audit.record(action="test.one")
    audit.checkpoint()
    pending = (
        f"INSERT INTO {EVENTS} (occurred_at, actor, actor_role, action, target_type, target_id,"  # noqa: S608
        " subject, purpose, category, extra, prev_hash, hash) VALUES (now(), 'system', '',"
        " 'test.two', '', '', '', '', '', '{}', '', '')"
    )
    app_role.execute(pending)
    assert app_role.execute(SEAL).fetchone()[0] == 1
    app_role.execute(
        f"INSERT INTO {CHECKPOINTS} (seq, hash, signed_at, key_id, signature)"  # noqa: S608
        " VALUES (2, repeat('a', 64), now(), 'k', 's')"
    )
    app_role.execute("UPDATE accounts_user SET display_name = display_name")  # ordinary tables
    for table in (EVENTS, CHECKPOINTS):
        for statement in (
            f"UPDATE {table} SET hash = repeat('0', 64)",  # noqa: S608
            f"DELETE FROM {table}",  # noqa: S608
            f"TRUNCATE {table}",
        ):
            assert "permission denied" in _as_app(app_role, statement)
        assert "must be owner" in _as_app(app_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        assert "must be owner" in _as_app(
            app_role, f"DROP TRIGGER mentorhaven_audit_no_truncate ON {table}"
        )
    assert "must be owner" in _as_app(app_role, f"ALTER TABLE {EVENTS} OWNER TO CURRENT_USER")
    app_role.execute("SET pgtrigger.ignore = 'kernel_auditevent:mentorhaven_audit_seal_only'")
    assert "permission denied" in _as_app(app_role, f"UPDATE {EVENTS} SET action = 'x.y'")  # noqa: S608
    assert "permission denied" in _as_app(app_role, "SET session_replication_role = replica")
    assert "permission denied" in _as_app(
        app_role,
        f"CREATE TRIGGER mine BEFORE UPDATE ON {EVENTS} FOR EACH ROW"
        " EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    )
    assert "append-only: INSERT" in _as_app(app_role, f"INSERT INTO {EVENTS} {_SEALED_ROW}")
    assert list(AuditEvent.objects.values_list("seq", "action")) == [
        (1, "test.one"),
        (2, "test.two"),
    ]
    assert AuditCheckpoint.objects.filter(seq=2).exists()


_SEALED_ROW = (
    "(occurred_at, actor, actor_role, action, target_type, target_id, subject, purpose, category,"
    " extra, seq, prev_hash, hash) VALUES (now(), 'system', '', 'forged.event', '', '', '', '',"
    " '', '{}', 3, repeat('0', 64), repeat('1', 64))"
)


@pytest.mark.django_db(transaction=True)
def test_db_grant_refuses_a_role_that_could_undo_the_protection():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="superuser"):
        call_command("db", "grant", connection.settings_dict["USER"])
    with pytest.raises(CommandError, match="no PostgreSQL role"):
        call_command("db", "grant", "mh_nobody_by_this_name")


def test_migrate_with_the_owner_url_makes_the_owner_own_everything_and_grants_the_app(tmp_path):
    """The contract end to end, on a scratch database: the owner migrates, the app connects."""
    tag = uuid.uuid4().hex[:8]
    owner, app, name = f"mh_owner_{tag}", f"mh_app_{tag}", f"mh_roles_{tag}"
    base = dict(connection.get_connection_params())
    admin = psycopg.connect(
        dbname="postgres", host=base.get("host"), port=base.get("port"), user=base.get("user"),
        autocommit=True,
    )  # fmt: skip
    admin.execute(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-secret'")
    admin.execute(f"CREATE ROLE {app} LOGIN PASSWORD 'app-secret'")
    admin.execute(f"CREATE DATABASE {name} OWNER {owner}")
    host = f"{base.get('host') or '127.0.0.1'}:{base.get('port') or 5432}"
    env = os.environ | {
        "MENTORHAVEN_ENV": "test",
        "MENTORHAVEN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://{app}:app-secret@{host}/{name}",
        "DATABASE_OWNER_URL": f"postgres://{owner}:owner-secret@{host}/{name}",
    }
    try:
        migrated = subprocess.run(
            [sys.executable, "-m", "mentorhaven.cli", "migrate", "--noinput"],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr
        assert f"Granted {app} the app's privileges" in migrated.stdout
        with psycopg.connect(
            dbname=name, host=base.get("host"), port=base.get("port"), user=owner,
            password="owner-secret",
        ) as check:  # fmt: skip
            owners = check.execute(
                "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind IN ('r', 'S')"
            ).fetchall()
            assert owners == [(owner,)]
            privileges = check.execute(
                "SELECT privilege_type FROM information_schema.role_table_grants"
                " WHERE grantee = %s AND table_name = %s ORDER BY 1",
                [app, EVENTS],
            ).fetchall()
            assert privileges == [("INSERT",), ("SELECT",)]
        session = env | {"MENTORHAVEN_AUDIT_ANCHOR_DIR": str(tmp_path / "anchors")}
        script = (
            "from mentorhaven.kernel import audit\n"
            "audit.record(action='vault.kek_rotated', purpose='prove the app role records')\n"
            "print(audit.checkpoint().seq, audit.verify().ok)\n"
        )
        run = subprocess.run(
            [sys.executable, "-m", "mentorhaven.cli", "shell", "-c", script],
            cwd=PROJECT, env=session, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout.split()[-2:] == ["1", "True"]
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {app}")
        admin.execute(f"DROP ROLE IF EXISTS {owner}")
        admin.close()


# --- the sealer service ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_sealer_seals_chains_and_checkpoints_what_commits_leave_pending(settings):
    settings.AUDIT_CHECKPOINT_EVERY = 5
    with sealer_thread():
        for i in range(12):
            with transaction.atomic():  # each a service transaction
                audit.record(action="test.many", extra={"i": i})
        assert wait_until(lambda: all_sealed(12))
        assert wait_until(lambda: AuditCheckpoint.objects.count() == 2)
    assert list(AuditEvent.objects.order_by("seq").values_list("extra", flat=True)) == [
        {"i": i} for i in range(12)
    ]
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [5, 10]
    assert [a.seq for a in anchors.read()] == [5, 10]
    result = audit.verify(seal_first=False)
    assert (result.ok, result.count, result.anchors) == (True, 12, 2)


@pytest.mark.django_db(transaction=True)
def test_recording_transactions_send_no_notification_so_their_commits_run_in_parallel():
    """A NOTIFY makes PostgreSQL hold a cluster-wide lock from commit until the flush: every
    recording transaction of every web process would commit one at a time. Nothing a
    recording transaction does may notify; the sealer polls instead."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as listener:
        listener.execute("LISTEN mentorhaven_audit")  # the channel an earlier release used
        with transaction.atomic():
            audit.record(action="test.one")
        audit.record_access(
            viewer=None,
            category="personal",
            purpose="test",
            subjects=[User.objects.create(email="notify@example.org", display_name="N")],
        )
        heard = list(listener.notifies(timeout=0.5))
    assert heard == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = %s::regclass AND p.prosrc ILIKE %s",
            [EVENTS, "%notify%"],
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db(transaction=True)
def test_the_sealer_signs_a_quiet_log_once_its_oldest_unsigned_event_is_old_enough(settings):
    settings.AUDIT_CHECKPOINT_SECONDS = 1
    with sealer_thread():
        audit.record(action="test.one")
        assert wait_until(lambda: all_sealed(1))
        assert not AuditCheckpoint.objects.exists()  # not before a second has passed
        assert wait_until(lambda: AuditCheckpoint.objects.filter(seq=1).exists(), timeout=5)
    assert [a.seq for a in anchors.read()] == [1]


@pytest.mark.django_db(transaction=True)
def test_the_sealer_seals_on_start_what_was_left_pending_while_it_was_down():
    for i in range(3):
        audit.record(action="test.many", extra={"i": i})
    assert not all_sealed(3)
    with sealer_thread():
        assert wait_until(lambda: all_sealed(3))


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_and_sealers_seal_every_committed_event_exactly_once(caplog, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 50  # signed by whichever sealer reaches each multiple
    writers, per_writer = 12, 30
    people = [User.objects.create_user(email=f"w{i}@audit.test") for i in range(writers)]
    for person in people:
        vault.subject_secret(person)  # create the keys first: the race under test is the log's
    start = threading.Barrier(writers + 1)
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []

    def write(person) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with transaction.atomic():  # each a separate service transaction
                    audit.record(action="test.many", actor=person, extra={"i": i})
                    if i % 7 == 3:  # some recording transactions roll back
                        transaction.set_rollback(True)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    def seal_meanwhile() -> None:  # e.g. `audit verify` while the service runs
        try:
            start.wait()
            while writing.is_set():
                audit.seal()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with sealer_thread():
        threads = [threading.Thread(target=write, args=(p,)) for p in people]
        rival = threading.Thread(target=seal_meanwhile)
        for t in [*threads, rival]:
            t.start()
        for t in threads:
            t.join()
        writing.clear()
        rival.join()
        kept = [i for i in range(per_writer) if i % 7 != 3]
        total = writers * len(kept)
        assert wait_until(lambda: all_sealed(total))

    assert errors == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "actor", "extra"))
    assert [seq for seq, _, _ in rows] == list(range(1, total + 1))
    sealed_once = sorted((actor, extra["i"]) for _, actor, extra in rows)
    assert sealed_once == sorted((audit.pseudonym(p), i) for p in people for i in kept)
    signed = list(AuditCheckpoint.objects.values_list("seq", flat=True))
    assert signed == list(range(50, total + 1, 50))
    result = audit.verify()
    assert (result.ok, result.count) == (True, total)


@pytest.mark.django_db(transaction=True)
def test_the_real_sealer_process_seals_checkpoints_and_anchors(tmp_path, settings):
    """`mentorhaven audit sealer` as a service runs it, against this test database."""
    env = os.environ | {
        "MENTORHAVEN_ENV": "test",
        "DATABASE_URL": _url(connection.settings_dict),
        "MENTORHAVEN_AUDIT_SIGNING_KEY_FILE": settings.AUDIT_SIGNING_KEY_FILE,
        "MENTORHAVEN_AUDIT_ANCHOR_DIR": settings.AUDIT_ANCHOR_DIR,
        "MENTORHAVEN_AUDIT_CHECKPOINT_EVERY": "4",
        "MENTORHAVEN_AUDIT_CHECKPOINT_SECONDS": "1",
    }
    sealer = subprocess.Popen(
        [sys.executable, "-m", "mentorhaven.cli", "audit", "sealer"],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert "started" in sealer.stdout.readline()
        for i in range(6):
            with transaction.atomic():
                audit.record(action="test.many", extra={"i": i})
        assert wait_until(lambda: all_sealed(6))
        # One checkpoint at 4 (every 4 events), one at 6 once event 5 is a second old.
        assert wait_until(lambda: AuditCheckpoint.objects.filter(seq=6).exists())
    finally:
        sealer.terminate()
        out, err = sealer.communicate(timeout=15)
    assert sealer.returncode == 0, err
    assert "audit sealer stopped" in out
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [4, 6]
    assert [a.seq for a in anchors.read()] == [4, 6]
    assert audit.verify(seal_first=False).ok


def _url(db: dict) -> str:
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


# --- the database's side of the chain ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sealing_hashes_the_time_in_utc_whatever_the_sessions_time_zone():
    with connection.cursor() as cursor:
        cursor.execute("SET TimeZone = 'Pacific/Chatham'")  # +12:45 / +13:45
        cursor.execute("SET DateStyle = 'German'")
    try:
        for i in range(3):
            audit.record(action="test.many", extra={"i": i})
        assert audit.seal() == 3
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET TimeZone")
            cursor.execute("RESET DateStyle")
    assert audit.verify().count == 3


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_verify_renders_on_extra_connections_and_still_catches_tampering():
    for i in range(30):
        audit.record(action="test.many", extra={"i": i})
    audit.seal()
    assert render.chain_checks_out_fast(7, 30, {})  # the parallel path accepts a good chain
    assert audit.verify(batch=7).count == 30
    with as_attacker(), connection.cursor() as cursor:  # committed: every connection sees it
        cursor.execute(f"UPDATE {EVENTS} SET purpose = 'rewritten' WHERE seq = 12")  # noqa: S608
    assert not render.chain_checks_out_fast(7, 30, {})
    assert audit.verify(batch=7).bad_seq == 12
    with as_attacker(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET purpose = '' WHERE seq = 12")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {EVENTS} (seq, occurred_at, actor, actor_role, action,"  # noqa: S608
            " target_type, target_id, subject, purpose, category, extra, prev_hash, hash)"
            " SELECT 0, occurred_at, actor, actor_role, action, target_type, target_id, subject,"
            f" purpose, category, extra, prev_hash, hash FROM {EVENTS} WHERE seq = 1"
        )
    assert not render.chain_checks_out_fast(7, 30, {})  # a row numbered below the chain


def _thirty_sealed_events() -> None:
    for i in range(30):
        audit.record(action="test.many", extra={"i": i})
    audit.seal()


@pytest.mark.django_db(transaction=True)
def test_the_fast_path_catches_an_event_rechained_onto_another_predecessor():
    """Event 9 rewritten to follow a made-up predecessor, its own hash recomputed to match:
    every line hashes to its stored hash, so only the links between events can tell."""
    _thirty_sealed_events()
    row = AuditEvent.objects.get(seq=9)
    values = chain.event_values(row) | {"prev_hash": "a" * 64}
    with as_attacker(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EVENTS} SET prev_hash = %s, hash = %s WHERE seq = 9",  # noqa: S608
            [values["prev_hash"], chain.event_hash(values)],
        )
    assert not render.chain_checks_out_fast(7, 30, {})
    outcome = audit.verify(batch=7)
    assert (outcome.ok, outcome.bad_seq) == (False, 9)
    assert "does not follow" in outcome.reason


@pytest.mark.django_db(transaction=True)
def test_an_operator_created_in_the_apps_schema_cannot_vouch_for_a_tampered_chain():
    """PostgreSQL computes the hashes on the fast path, on connections that resolve every
    function and operator in pg_catalog. An ``=`` between text and varchar in the public schema
    that calls everything equal (what a role allowed to create objects there could plant) is
    preferred by an ordinary session, and would hide every mismatch from one that looked there.
    """
    _thirty_sealed_events()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION public.mh_always_equal(text, varchar) RETURNS boolean"
            " LANGUAGE sql IMMUTABLE AS 'SELECT true'"
        )
        cursor.execute(
            "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar,"
            " FUNCTION = public.mh_always_equal)"
        )
    try:
        with connection.cursor() as cursor:  # an ordinary session takes the planted operator
            cursor.execute("SELECT 'a'::text IS DISTINCT FROM 'b'::varchar")
            assert cursor.fetchone()[0] is False
        with as_attacker(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {EVENTS} SET purpose = 'rewritten' WHERE seq = 12")  # noqa: S608
        assert not render.chain_checks_out_fast(7, 30, {})
        assert audit.verify(batch=7).bad_seq == 12
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP OPERATOR IF EXISTS public.= (text, varchar)")
            cursor.execute("DROP FUNCTION IF EXISTS public.mh_always_equal(text, varchar)")
