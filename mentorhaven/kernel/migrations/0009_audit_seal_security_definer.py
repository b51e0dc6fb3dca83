"""PostgreSQL: seal pending audit events inside the database, as the tables' owner.

``mentorhaven_audit_seal(batch, async_commit)`` is the only way the app's role can change the
audit log: that role may not UPDATE it (``mentorhaven db grant``), but may EXECUTE this function,
which runs as its owner (``SECURITY DEFINER``, owned by the role that migrates) with a pinned
``search_path`` and schema-qualified names, so that nothing the caller creates can stand in for
what it uses. It takes the sealers' advisory lock, reads the head of the chain, then numbers and
chains up to ``batch`` pending events in id order, computing each SHA-256 over the same
canonical line that ``mentorhaven.kernel.audit.chain.event_line`` builds in Python and ``audit
verify`` rebuilds, and returns the rows it sealed as (id, seq, prev_hash, hash). Every
statement runs with a fresh snapshot taken after the lock was granted, so it sees the previous
sealer's commit. ``async_commit`` (only for a transaction of its own) lets that transaction
commit without waiting for the WAL flush: sealing is derived data, a crash at worst returns rows
to pending. EXECUTE is revoked from PUBLIC. SQLite has no such function: Python seals there.
"""

from importlib import import_module

from django.db import migrations

LOCK_KEY = 0x4D48_4155  # kernel.audit.sealing.SEAL_LOCK_KEY


def create_sql(schema: str) -> str:
    events = f"{schema}.kernel_auditevent"
    return f"""
CREATE FUNCTION mentorhaven_audit_seal(batch integer, async_commit boolean)
RETURNS TABLE (id bigint, seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
AS $fn$
DECLARE
    last_seq bigint;
    last_hash text;
    ev record;
    line text;
    new_hash text;
BEGIN
    IF async_commit THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM {events} AS e
        WHERE e.seq IS NOT NULL ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    FOR ev IN
        SELECT e.id, e.occurred_at, e.actor, e.actor_role, e.action, e.target_type, e.target_id,
               e.subject, e.purpose, e.category, e.organization_id, e.extra
        FROM {events} AS e WHERE e.seq IS NULL ORDER BY e.id LIMIT batch
    LOOP
        last_seq := last_seq + 1;
        line := concat_ws(chr(31), last_seq::text,
            (ev.occurred_at AT TIME ZONE 'UTC')::text || '+00', ev.actor, ev.actor_role,
            ev.action, ev.target_type, ev.target_id, ev.subject, ev.purpose, ev.category,
            coalesce(ev.organization_id::text, ''), ev.extra, last_hash);
        new_hash := encode(sha256(convert_to(line, 'UTF8')), 'hex');
        UPDATE {events} AS e SET seq = last_seq, prev_hash = last_hash, hash = new_hash
            WHERE e.id = ev.id AND e.seq IS NULL;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'audit sealer raced: event % was already sealed', ev.id
                USING ERRCODE = 'data_exception';
        END IF;
        id := ev.id;
        seq := last_seq;
        prev_hash := last_hash;
        hash := new_hash;
        last_hash := new_hash;
        RETURN NEXT;
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION mentorhaven_audit_seal(integer, boolean) FROM PUBLIC;
"""


DROP_OLD = "DROP FUNCTION IF EXISTS mentorhaven_audit_seal(integer, integer, boolean);"
DROP_NEW = "DROP FUNCTION IF EXISTS mentorhaven_audit_seal(integer, boolean);"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
    schema_editor.execute(DROP_OLD, params=None)
    schema_editor.execute(create_sql(schema), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = import_module("mentorhaven.kernel.migrations.0004_audit_seal_function")
        schema_editor.execute(DROP_NEW, params=None)
        schema_editor.execute(previous.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("kernel", "0008_audit_plain_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
