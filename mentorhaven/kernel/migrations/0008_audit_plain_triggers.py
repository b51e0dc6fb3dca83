"""The audit tables' append-only rule as plain SQL triggers, on PostgreSQL and on SQLite.

They replace the pgtrigger-generated ones, which honoured ``SET pgtrigger.ignore``: any role
allowed to write the tables could switch them off for its session. These cannot be skipped by
any session setting available to the app's role. On ``kernel_auditevent``: INSERT only of
pending rows (no seq, no hashes); UPDATE only to seal a pending row (give it seq, prev_hash and
hash, change nothing else); no DELETE, no TRUNCATE. On ``kernel_auditcheckpoint``: no UPDATE,
DELETE or TRUNCATE. On PostgreSQL the app's role is, besides, granted only SELECT and INSERT on
both tables (``mentorhaven db grant``); the tables belong to the owner role that migrates.
"""

import pgtrigger.migrations
from django.db import migrations


# The columns a seal must leave unchanged: every column but seq, prev_hash and hash.
# (tests/kernel/test_audit_triggers.py fails when the model gains a column not listed here.)
FROZEN_COLUMNS = (
    "id",
    "occurred_at",
    "actor",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "subject",
    "purpose",
    "category",
    "organization_id",
    "extra",
)
EVENTS = "kernel_auditevent"
CHECKPOINTS = "kernel_auditcheckpoint"
REFUSED = "the audit log is append-only"


def _not_a_seal(distinct: str) -> str:
    """True for any UPDATE other than sealing a pending row: giving it its seq and both hashes
    (64 hex digits each), changing nothing else."""
    changed = " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in FROZEN_COLUMNS)
    return (
        f"({changed} OR OLD.seq IS NOT NULL OR NEW.seq IS NULL"
        " OR length(NEW.hash) <> 64 OR length(NEW.prev_hash) <> 64)"
    )


NOT_PENDING = "(NEW.seq IS NOT NULL OR NEW.hash <> '' OR NEW.prev_hash <> '')"

# PostgreSQL: one refusing function; the WHEN clauses are evaluated by the executor itself, so
# an honest insert or seal runs no trigger code at all. No session setting skips these triggers
# for the app's role: only a superuser's session_replication_role = replica does, and only the
# tables' owner may disable or drop them.
POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION mentorhaven_audit_refuse() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END
$fn$;
CREATE TRIGGER mentorhaven_audit_pending_only BEFORE INSERT ON {EVENTS}
    FOR EACH ROW WHEN {NOT_PENDING} EXECUTE FUNCTION mentorhaven_audit_refuse();
CREATE TRIGGER mentorhaven_audit_seal_only BEFORE UPDATE ON {EVENTS}
    FOR EACH ROW WHEN {_not_a_seal("IS DISTINCT FROM")} EXECUTE FUNCTION mentorhaven_audit_refuse();
CREATE TRIGGER mentorhaven_audit_no_delete BEFORE DELETE ON {EVENTS}
    FOR EACH ROW EXECUTE FUNCTION mentorhaven_audit_refuse();
CREATE TRIGGER mentorhaven_audit_no_truncate BEFORE TRUNCATE ON {EVENTS}
    FOR EACH STATEMENT EXECUTE FUNCTION mentorhaven_audit_refuse();
CREATE TRIGGER mentorhaven_audit_frozen BEFORE UPDATE OR DELETE ON {CHECKPOINTS}
    FOR EACH ROW EXECUTE FUNCTION mentorhaven_audit_refuse();
CREATE TRIGGER mentorhaven_audit_no_truncate BEFORE TRUNCATE ON {CHECKPOINTS}
    FOR EACH STATEMENT EXECUTE FUNCTION mentorhaven_audit_refuse();
"""
POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS mentorhaven_audit_pending_only ON {EVENTS};
DROP TRIGGER IF EXISTS mentorhaven_audit_seal_only ON {EVENTS};
DROP TRIGGER IF EXISTS mentorhaven_audit_no_delete ON {EVENTS};
DROP TRIGGER IF EXISTS mentorhaven_audit_no_truncate ON {EVENTS};
DROP TRIGGER IF EXISTS mentorhaven_audit_frozen ON {CHECKPOINTS};
DROP TRIGGER IF EXISTS mentorhaven_audit_no_truncate ON {CHECKPOINTS};
DROP FUNCTION IF EXISTS mentorhaven_audit_refuse();
"""


def _sqlite_trigger(name: str, when: str, table: str, condition: str = "") -> str:
    where = f" WHEN {condition}" if condition else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table}{where} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSED}: {when} on {table} refused'); END"
    )


# SQLite has no roles: these stop the application's own mistakes, not someone who can open the
# file. (SQLite has no TRUNCATE; DELETE without WHERE fires the DELETE trigger.)
SQLITE_TRIGGERS = {
    "mentorhaven_audit_pending_only": _sqlite_trigger(
        "mentorhaven_audit_pending_only", "INSERT", EVENTS, NOT_PENDING
    ),
    "mentorhaven_audit_seal_only": _sqlite_trigger(
        "mentorhaven_audit_seal_only", "UPDATE", EVENTS, _not_a_seal("IS NOT")
    ),
    "mentorhaven_audit_no_delete": _sqlite_trigger("mentorhaven_audit_no_delete", "DELETE", EVENTS),
    "mentorhaven_audit_checkpoint_no_update": _sqlite_trigger(
        "mentorhaven_audit_checkpoint_no_update", "UPDATE", CHECKPOINTS
    ),
    "mentorhaven_audit_checkpoint_no_delete": _sqlite_trigger(
        "mentorhaven_audit_checkpoint_no_delete", "DELETE", CHECKPOINTS
    ),
}


def create_sqlite_triggers(cursor) -> None:
    for sql in SQLITE_TRIGGERS.values():
        cursor.execute(sql)


def drop_sqlite_triggers(cursor) -> None:
    for name in SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            create_sqlite_triggers(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            drop_sqlite_triggers(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ('kernel', '0007_vault_wrap_purposes_and_integrity_notices'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='auditcheckpoint',
            name='append_only',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='auditcheckpoint',
            name='no_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='auditevent',
            name='no_truncate',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='auditevent',
            name='seal_only',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='auditevent',
            name='no_delete',
        ),
        migrations.RunPython(forwards, backwards),
    ]
