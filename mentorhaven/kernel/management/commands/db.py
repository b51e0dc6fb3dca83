"""``mentorhaven db grant ROLE``: give the app's PostgreSQL role exactly what it needs.

Policy: the tables belong to an owner role that only migrations use (``DATABASE_OWNER_URL``);
the web processes, workers and the audit sealer connect as the app's role (``DATABASE_URL``),
which gets:

* on every ordinary table: SELECT, INSERT, UPDATE, DELETE (no TRUNCATE, TRIGGER, REFERENCES);
* on the audit tables (``kernel_auditevent``, ``kernel_auditcheckpoint``): SELECT and INSERT
  only, so that it can record events and checkpoints but never change or remove them;
* on sequences: USAGE, SELECT, UPDATE (USAGE only for the audit tables');
* EXECUTE on ``mentorhaven_audit_seal``, the owner's function that seals pending events;
* USAGE on the schema.

Everything else it held on those objects is revoked first, so running it again (after every
migration: ``mentorhaven migrate`` does so itself when ``DATABASE_OWNER_URL`` is set) leaves
exactly this. It refuses a role that owns the tables, is a superuser, or is a member of the
owner role: such a role could undo the audit log's protection whatever it is granted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.utils import CursorWrapper

AUDIT_TABLES = ("kernel_auditevent", "kernel_auditcheckpoint")
SEAL_FUNCTION = "mentorhaven_audit_seal(integer, boolean)"


def _objects(cursor: CursorWrapper) -> tuple[str, list[tuple[str, str, str]]]:
    """(schema, [(name, kind, owner)]) of the tables and sequences of the current schema."""
    cursor.execute("SELECT current_schema()")
    schema = cursor.fetchone()[0]
    cursor.execute(
        "SELECT c.relname, c.relkind, pg_get_userbyid(c.relowner) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S') ORDER BY 1"
    )
    return schema, list(cursor.fetchall())


def _audit_sequences(cursor: CursorWrapper) -> set[str]:
    cursor.execute(
        "SELECT s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid"
        " JOIN pg_class t ON t.oid = d.refobjid"
        " WHERE s.relkind = 'S' AND t.relname = ANY(%s) AND d.deptype IN ('a', 'i')",
        [list(AUDIT_TABLES)],
    )
    return {row[0] for row in cursor.fetchall()}


def _refuse_powerful(cursor: CursorWrapper, role: str, owners: set[str]) -> None:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    if row is None:
        raise CommandError(f"there is no PostgreSQL role {role!r}: create it first")
    if row[0]:
        raise CommandError(f"{role!r} is a superuser: the app must connect as a plain role")
    for owner in owners:
        if owner == role:
            raise CommandError(f"{role!r} owns the tables: the app needs a role of its own")
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
        if cursor.fetchone()[0]:
            raise CommandError(f"{role!r} is a member of the owner role {owner!r}")


def grant_app_role(role: str, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Grant ``role`` the app's privileges (see the module docstring); returns how many tables
    and sequences it covered."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise CommandError("database roles exist on PostgreSQL only")
    quote = connection.ops.quote_name
    who = quote(role)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        schema, objects = _objects(cursor)
        _refuse_powerful(cursor, role, {owner for _name, _kind, owner in objects})
        audit_sequences = _audit_sequences(cursor)
        cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {who}")
        for name, kind, _owner in objects:
            target = f"{quote(schema)}.{quote(name)}"
            if kind == "S":
                cursor.execute(f"REVOKE ALL ON SEQUENCE {target} FROM {who}")
                usage = "USAGE" if name in audit_sequences else "USAGE, SELECT, UPDATE"
                cursor.execute(f"GRANT {usage} ON SEQUENCE {target} TO {who}")
                continue
            cursor.execute(f"REVOKE ALL ON TABLE {target} FROM {who}")
            dml = "SELECT, INSERT" if name in AUDIT_TABLES else "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(f"GRANT {dml} ON TABLE {target} TO {who}")
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {quote(schema)}.{SEAL_FUNCTION} TO {who}")
    return len(objects)


class Command(BaseCommand):
    help = "Database roles (PostgreSQL): grant the app's role exactly what it needs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        grant = sub.add_parser("grant", help="grant ROLE the app's privileges (idempotent)")
        grant.add_argument("role")
        grant.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        count = grant_app_role(options["role"], using=options["database"])
        self.stdout.write(
            f"granted {options['role']} the app's privileges on {count} tables and sequences "
            "(audit tables: SELECT and INSERT only)"
        )
