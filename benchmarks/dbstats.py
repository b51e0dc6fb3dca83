"""Planner statistics after a benchmark seeds its database.

A deployment's PostgreSQL runs autovacuum, which analyzes a table once enough of it changed,
so the planner knows how many rows each table holds. A benchmark that bulk-loads thousands of
rows and measures a minute later can run before autovacuum gets there, or on a server where it
is off (this machine's is): the planner then plans for near-empty tables and, for instance,
hash-joins every user to find one person's relationship. Each seeding benchmark calls
``analyze`` once its data is in, so it measures the plans a running site gets.
"""

from __future__ import annotations


def analyze() -> None:
    """ANALYZE every table of the benchmark's database (PostgreSQL; nothing on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
