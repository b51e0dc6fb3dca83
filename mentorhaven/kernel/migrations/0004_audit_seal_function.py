"""PostgreSQL: seal pending audit events inside the database, in one call.

``mentorhaven_audit_seal(batch, wait)`` takes the sealers' advisory lock (or tries to, when
``wait`` is false), reads the tail of the chain, then numbers and chains up to ``batch`` pending
events in id order, computing each SHA-256 over the same canonical line that
``mentorhaven.kernel.audit.event_line`` builds in Python and ``audit verify`` rebuilds. It returns
the rows it sealed as (id, seq, prev_hash, hash), or one row of NULLs when it did not get the
lock. Every statement runs with a fresh snapshot taken after the lock was granted, so it sees the
previous sealer's commit. SQLite has no such function: Python seals there.
"""

from django.db import migrations

LOCK_KEY = 0x4D48_4155  # audit.SEAL_LOCK_KEY

CREATE = f"""
CREATE OR REPLACE FUNCTION mentorhaven_audit_seal(batch integer, wait boolean)
RETURNS TABLE (id bigint, seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql VOLATILE
SET TimeZone = 'UTC' SET DateStyle = 'ISO'
AS $fn$
DECLARE
    last_seq bigint;
    last_hash text;
    ev record;
    line text;
    new_hash text;
BEGIN
    IF wait THEN
        PERFORM pg_advisory_xact_lock({LOCK_KEY});
    ELSIF NOT pg_try_advisory_xact_lock({LOCK_KEY}) THEN
        RETURN QUERY SELECT NULL::bigint, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM kernel_auditevent AS e
        WHERE e.seq IS NOT NULL ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := repeat('0', 64);
    END IF;
    FOR ev IN
        SELECT e.id, e.occurred_at, e.actor, e.actor_role, e.action, e.target_type, e.target_id,
               e.subject, e.purpose, e.category, e.organization_id, e.extra
        FROM kernel_auditevent AS e WHERE e.seq IS NULL ORDER BY e.id LIMIT batch
    LOOP
        last_seq := last_seq + 1;
        line := concat_ws(chr(31), last_seq::text, ev.occurred_at::text, ev.actor, ev.actor_role,
            ev.action, ev.target_type, ev.target_id, ev.subject, ev.purpose, ev.category,
            coalesce(ev.organization_id::text, ''), ev.extra, last_hash);
        new_hash := encode(sha256(convert_to(line, 'UTF8')), 'hex');
        UPDATE kernel_auditevent AS e SET seq = last_seq, prev_hash = last_hash, hash = new_hash
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
"""

DROP = "DROP FUNCTION IF EXISTS mentorhaven_audit_seal(integer, boolean);"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("kernel", "0003_audit_pending_events_sealed_later")]

    operations = [migrations.RunPython(forwards, backwards)]
