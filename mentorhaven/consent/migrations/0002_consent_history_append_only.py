"""Consent records are append-only: the database refuses to change one (a withdrawal is a new
record). Deleting stays possible, for the erasure of a person."""

from django.db import migrations

TABLE = "consent_consentrecord"

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION mentorhaven_consent_refuse_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consent records are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER mentorhaven_consent_append_only BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION mentorhaven_consent_refuse_update();
"""
POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS mentorhaven_consent_append_only ON {TABLE};
DROP FUNCTION IF EXISTS mentorhaven_consent_refuse_update();
"""
SQLITE_CREATE = f"""
CREATE TRIGGER mentorhaven_consent_append_only BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS mentorhaven_consent_append_only;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_consent_records_requests_restrictions")]

    operations = [migrations.RunPython(create, drop)]
