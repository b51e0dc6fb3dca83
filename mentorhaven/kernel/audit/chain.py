"""The chain: each event's canonical line and its SHA-256, which includes the previous hash.

The canonical line is the hashed fields in a fixed order, joined by the ASCII unit separator
(refused inside any field, so the line is unambiguous). Python builds it when sealing on SQLite
(``sealing``), PostgreSQL builds the same text inside ``mentorhaven_audit_seal`` (kernel
migration 0008), and ``verify`` rebuilds it in SQL from the stored row. The three must agree
byte for byte; ``tests/kernel/test_audit.py`` checks that they do.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from mentorhaven.kernel.models import AuditEvent, canonical_json

GENESIS = "0" * 64
SEP = "\x1f"

# Order matters: it is the canonical line. Changing it invalidates every stored hash.
HASHED_FIELDS = (
    "seq",
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
    "prev_hash",
)
# The plain text columns, rendered as stored.
TEXT_FIELDS = HASHED_FIELDS[2:10]


def table() -> str:
    return AuditEvent._meta.db_table


def line_time(value: datetime) -> str:
    """PostgreSQL's own text for a UTC timestamptz: "2026-01-02 03:04:05.06+00"."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "+00"


def as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite through a raw cursor: Django's naive UTC text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def event_line(values: dict[str, Any]) -> str:
    """The canonical text of an event, the input of its hash."""
    org = values["organization_id"]
    extra = values["extra"]
    parts = [
        str(values["seq"]),
        line_time(values["occurred_at"]),
        *(values[f] for f in TEXT_FIELDS),
        "" if org is None else str(org),
        extra if isinstance(extra, str) else canonical_json(extra or {}),
        values["prev_hash"],
    ]
    return SEP.join(parts)


def line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


def event_values(event: AuditEvent) -> dict[str, Any]:
    return {f: getattr(event, f) for f in HASHED_FIELDS}


def event_hash(values: dict[str, Any]) -> str:
    return line_hash(event_line(values))


def line_expr() -> str:
    """SQL that renders a row's canonical line exactly as ``event_line`` does in Python."""
    if connection.vendor == "postgresql":
        # timestamptz as text: cheap to render; verify pins TimeZone and DateStyle first.
        cols = ["seq::text", "occurred_at::text", *TEXT_FIELDS]
        cols.append("coalesce(organization_id::text, '')")
        return f"concat_ws(chr(31), {', '.join([*cols, 'extra', 'prev_hash'])})"
    # SQLite keeps Django's text "YYYY-MM-DD HH:MM:SS[.ffffff]": trim the fraction's zeros.
    when = (
        "CASE WHEN instr(occurred_at, '.') = 0 THEN occurred_at "
        "ELSE rtrim(rtrim(occurred_at, '0'), '.') END || '+00'"
    )
    cols = ["CAST(seq AS TEXT)", when, *TEXT_FIELDS, "ifnull(organization_id, '')", "extra"]
    return " || char(31) || ".join([*cols, "prev_hash"])


def line_sql(upto: int | None = None) -> str:
    """(seq, hash, canonical line) of every sealed row (up to ``upto``), in seq order."""
    bound = "" if upto is None else f" AND seq <= {int(upto)}"
    return (
        f"SELECT seq, hash, {line_expr()} FROM {table()} "  # noqa: S608 (no input)
        f"WHERE seq IS NOT NULL{bound} ORDER BY seq"
    )


def tail(cursor: CursorWrapper) -> tuple[int, str]:
    """(seq, hash) of the last sealed event, or (0, GENESIS)."""
    last = "WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
    cursor.execute(f"SELECT seq, hash FROM {table()} {last}")  # noqa: S608 (no input)
    row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)
