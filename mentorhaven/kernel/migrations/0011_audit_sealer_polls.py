"""PostgreSQL: recording transactions no longer notify the audit sealer; it looks for pending
events every ``SEALER_POLL_SECONDS`` instead.

A ``NOTIFY`` makes PostgreSQL take a cluster-wide lock at commit and hold it until the commit
is flushed, so every transaction that recorded an event (nearly every write, and every read of
someone's data) committed one after the other across all web processes. A look at the tiny
partial index of pending rows costs far less than that.
"""

from django.db import migrations

DROP = """
DROP TRIGGER IF EXISTS mentorhaven_audit_notify ON kernel_auditevent;
DROP FUNCTION IF EXISTS mentorhaven_audit_notify();
"""

CREATE = """
CREATE OR REPLACE FUNCTION mentorhaven_audit_notify() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('mentorhaven_audit', '');
    RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS mentorhaven_audit_notify ON kernel_auditevent;
CREATE TRIGGER mentorhaven_audit_notify
    AFTER INSERT ON kernel_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION mentorhaven_audit_notify();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("kernel", "0010_scheduled_jobs")]

    operations = [migrations.RunPython(forwards, backwards)]
