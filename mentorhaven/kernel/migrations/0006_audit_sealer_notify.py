"""PostgreSQL: every transaction that records audit events wakes the audit sealer as it commits.

A statement-level trigger queues a notification on the ``mentorhaven_audit`` channel; PostgreSQL
delivers it when (and only if) the transaction commits, once per transaction however many
events it wrote. ``mentorhaven audit sealer`` listens on that channel and seals what is pending.
Without a listener the notification is simply dropped.
"""

from django.db import migrations

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

DROP = """
DROP TRIGGER IF EXISTS mentorhaven_audit_notify ON kernel_auditevent;
DROP FUNCTION IF EXISTS mentorhaven_audit_notify();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("kernel", "0005_audit_cheaper_sealing")]

    operations = [migrations.RunPython(forwards, backwards)]
