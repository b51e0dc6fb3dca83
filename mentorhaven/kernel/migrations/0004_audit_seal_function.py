"""PostgreSQL: seal pending audit events inside the database, in one call.

``mentorhaven_audit_seal(batch, wait_ms, async_commit)`` takes the sealers' advisory lock
(waiting for it as long as it takes when ``wait_ms`` is NULL, else at most ``wait_ms``
milliseconds, then failing with lock_not_available), reads the tail of the chain, then numbers
and chains up to ``batch`` pending events in id order, computing each SHA-256 over the same
canonical line that ``mentorhaven.kernel.audit.event_line`` builds in Python and ``audit verify``
rebuilds. It returns the rows it sealed as (id, seq, prev_hash, hash). Every statement runs with
a fresh snapshot taken after the lock was granted, so it sees the previous sealer's commit.
``async_commit`` (only for a transaction of its own) lets that transaction commit without
waiting for the WAL flush: sealing is derived data, a crash at worst returns rows to pending.
SQLite has no such function: Python seals there.
"""

from django.db import migrations

LOCK_KEY = 0x4D48_4155  # audit.SEAL_LOCK_KEY

CREATE = f"""
CREATE OR REPLACE FUNCTION mentorhaven_audit_seal(batch integer, wait_ms integer, async_commit boolean)
RETURNS TABLE (id bigint, seq bigint, prev_hash text, hash text)
LANGUAGE plpgsql VOLATILE
AS $fn$
DECLARE
    last_seq bigint;
    last_hash text;
    ev record;
    line text;
    new_hash text;
BEGIN
    -- The time is rendered in UTC whatever the session's TimeZone; the text form needs ISO dates
    -- (what every client of ours uses; a SET clause on the function would cost more than the
    -- whole seal).
    IF current_setting('DateStyle') NOT LIKE 'ISO%' THEN
        PERFORM set_config('DateStyle', 'ISO', true);
    END IF;
    IF async_commit THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    IF wait_ms IS NOT NULL THEN
        PERFORM set_config('lock_timeout', greatest(wait_ms, 1)::text, true);
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
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
        line := concat_ws(chr(31), last_seq::text,
            (ev.occurred_at AT TIME ZONE 'UTC')::text || '+00', ev.actor, ev.actor_role,
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

DROP = "DROP FUNCTION IF EXISTS mentorhaven_audit_seal(integer, integer, boolean);"

# Sealing rewrites every event once, leaving one dead row version per event. PostgreSQL's default
# waits for dead rows to reach a fifth of the table before vacuuming it, which on a log of
# millions of events means millions of dead versions for the sealer's queue (a partial index of
# pending rows) to step over. Vacuum after every 10,000 instead: with the visibility map it only
# visits the recently written pages.
VACUUM_OFTEN = (
    "ALTER TABLE kernel_auditevent SET (autovacuum_vacuum_scale_factor = 0,"
    " autovacuum_vacuum_threshold = 10000)"
)
VACUUM_DEFAULT = (
    "ALTER TABLE kernel_auditevent RESET (autovacuum_vacuum_scale_factor,"
    " autovacuum_vacuum_threshold)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
        schema_editor.execute(VACUUM_OFTEN, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(VACUUM_DEFAULT, params=None)


class Migration(migrations.Migration):
    dependencies = [("kernel", "0003_audit_pending_events_sealed_later")]

    operations = [migrations.RunPython(forwards, backwards)]
