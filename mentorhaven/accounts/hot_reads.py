"""The few fixed reads that (nearly) every signed-in request runs, prepared once per connection.

Each signed-in request reads its session, its user's second-factor state and, on the dashboard,
the person's programs, always with the same statement text. On PostgreSQL, planning such a
statement (a join of five tables above all) takes longer than running it on our table sizes, so
these statements are prepared on the server the first time a pooled connection runs them and
only executed after that. Every other query keeps Django's client-side binding and is never
prepared.

Prepared statements follow the database settings: with ``prepare_threshold`` set to None in the
connection options (needed behind a transaction-mode pooler such as PgBouncer before 1.21;
``MENTORHAVEN_DB_PREPARED_STATEMENTS=false``) and on SQLite, the same statement simply runs
unprepared. Either way it goes through Django's cursor wrapper, so query logging, execute
wrappers (tests count these queries) and error translation apply as to any other query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import connection, models


def _prepared_cursor_class():
    import psycopg  # only needed, and only installed for sure, with PostgreSQL

    class PreparedCursor(psycopg.Cursor):
        """Server-side binding, and every statement prepared (when the connection allows it)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


_cursor_class: Any = None


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple]:
    """Run one read-only statement and return its rows; prepared on PostgreSQL (see above)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    global _cursor_class
    if _cursor_class is None:
        _cursor_class = _prepared_cursor_class()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _cursor_class(connection.connection)
    # The same wrapper Django puts around its own cursors (query log, execute wrappers).
    wrapper = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrapper(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class RowLoader:
    """Reads ``model`` rows whole, as the ORM would load them, from a hand-written statement:
    the select list to put in it and the conversion of each returned row into an instance
    (converters turn, e.g., SQLite's text into UUIDs and dates)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.converters: list[tuple[int, list[Callable], Any]] = []
        for position, field in enumerate(self.fields):
            column = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((position, found, column))

    def select_list(self, alias: str) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{alias}.{quote(cast(str, f.column))}" for f in self.fields)

    def instance(self, row: Sequence[Any]) -> models.Model:
        """The instance for the first ``len(self.fields)`` values of ``row``."""
        values = list(row[: len(self.fields)])
        for position, found, column in self.converters:
            value = values[position]
            for convert in found:
                value = convert(value, column, connection)
            values[position] = value
        return self.model.from_db(connection.alias, self.names, values)


@functools.cache
def row_loader(model: type[models.Model], vendor: str) -> RowLoader:
    """One loader per model and database vendor, built on first use."""
    return RowLoader(model)
