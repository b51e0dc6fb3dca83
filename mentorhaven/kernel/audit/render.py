"""PostgreSQL's fast path for ``verify``: PostgreSQL recomputes every event's SHA-256 where the
rows are, a chunk at a time on extra connections, and this process checks the chain's links and
heads.

It checks the same things as the row-by-row path, a chunk at a time; any doubt returns False
and ``verify`` falls back to the row-by-row path, which hashes each line in Python and names
the first bad event.

The hash is the database's built-in ``pg_catalog.sha256`` over the canonical line as the row
stores it, the same bytes Python hashes on the row-by-row path (``chain.line_expr``). Nothing
the app's role can create stands in for it: the extra connections resolve functions and
operators in ``pg_catalog`` only and name the table with its schema, as the sealing function
does (kernel migration 0009).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from django.db import connection

from mentorhaven.kernel.audit.chain import GENESIS, line_expr, table

# PostgreSQL renders and hashes the chunks on this many extra connections at once: the work is
# the server's, and a core each keeps it busy.
RENDERERS = 2
# Every function and operator in the chunk query resolves here (the table is schema-qualified).
PINNED_PATH = "pg_catalog, pg_temp"


def packed_sql(events: str) -> str:
    """One row for the events with seq in [%s, %s] of the ``events`` table (schema-qualified):
    their count, lowest and highest seq, how many do not check out (the SHA-256 of the canonical
    line is not the stored hash, or the recorded predecessor is not 64 characters long), and
    their hashes and their recorded predecessors, each concatenated in seq order. A few
    kilobytes per thousand events, whatever the events hold."""
    digest = "pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(line, 'UTF8')), 'hex')"
    return (
        "SELECT count(*), min(seq), max(seq), "  # noqa: S608 (no input)
        f"count(*) FILTER (WHERE {digest} IS DISTINCT FROM hash"
        " OR pg_catalog.length(prev_hash) IS DISTINCT FROM 64), "
        "pg_catalog.string_agg(hash, ''), pg_catalog.string_agg(prev_hash, '') FROM ("
        f"SELECT seq, hash, prev_hash, {line_expr()} AS line FROM {events} "
        "WHERE seq >= %s AND seq <= %s ORDER BY seq) AS chunk"
    )


def _qualified_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    quote = connection.ops.quote_name
    return f"{quote(schema)}.{quote(table())}"


class Renderers:
    """Worker threads having PostgreSQL hash chunks of the chain, each on its own connection.

    Sealed events never change (the triggers refuse it) and every seq up to ``upto`` was
    committed before ``verify`` read ``upto``, so every connection sees the same rows. Inside an
    outer transaction (whose uncommitted events only this connection sees) one worker asks
    on this connection instead.
    """

    def __init__(self, extra: int) -> None:
        # Read here, in the caller's thread: ``connection`` is a different one in each thread.
        self.extra = extra
        self.sql = packed_sql(_qualified_table())
        self._own = connection.connection
        self._params = connection.get_connection_params()
        self.pool = ThreadPoolExecutor(max_workers=max(extra, 1))
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    @property
    def workers(self) -> int:
        return max(self.extra, 1)

    def _connection(self) -> Any:
        if not self.extra:
            return self._own  # its settings were pinned by verify
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Straight from the driver: never a pooled connection, which a request may need.
            import psycopg  # PostgreSQL only; SQLite never comes here

            conn = psycopg.connect(**self._params)
            conn.autocommit = True
            conn.execute("SET TimeZone = 'UTC'")
            conn.execute("SET DateStyle = 'ISO'")
            conn.execute(f"SET search_path = {PINNED_PATH}")
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def fetch(self, start: int, end: int) -> Any:
        with self._connection().cursor() as cursor:
            if not self.extra:  # this transaction's own connection: pinned for this query only
                cursor.execute("SELECT pg_catalog.current_setting('search_path')")
                saved = cursor.fetchone()[0]
                cursor.execute(f"SET LOCAL search_path = {PINNED_PATH}")
            cursor.execute(self.sql, [start, end])
            row = cursor.fetchone()
            if not self.extra:  # (a failed query rolls verify's savepoint back, this SET too)
                cursor.execute("SELECT pg_catalog.set_config('search_path', %s, true)", [saved])
            return row

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for conn in self._opened:
            with suppress(Exception):
                conn.close()


def chain_checks_out_fast(
    batch: int, upto: int, signed: dict[int, str], meanwhile: Callable[[], None] | None = None
) -> bool:
    """True only if the row-by-row check would pass too.

    The chunk [start, start + batch) holds exactly those seqs (as many rows as numbers, the
    lowest and the highest right, seq unique), every line's SHA-256 equals its stored hash (so
    every hash is 64 characters), every recorded predecessor is 64 characters and equals the
    previous stored hash, every signed or anchored head matches, and no event has a seq below 1
    (with seq unique, every row numbered up to ``upto`` was then seen). Chunks are hashed on
    extra connections ahead of these checks; ``meanwhile`` runs while the first ones are.
    """
    signed_seqs = sorted(signed)
    starts = range(1, upto + 1, batch)
    # verify's own atomic block is the only one unless it was called inside a transaction.
    renderers = Renderers(RENDERERS if len(connection.atomic_blocks) <= 1 else 0)
    try:

        def render(first: int) -> Future[Any]:
            return renderers.pool.submit(renderers.fetch, first, min(first + batch - 1, upto))

        ahead = deque(render(first) for first in starts[: 2 * renderers.workers])
        if meanwhile is not None:
            meanwhile()
        prev = GENESIS
        for i, start in enumerate(starts):
            n, lowest, highest, wrong, hashes, prevs = ahead.popleft().result()
            if i + 2 * renderers.workers < len(starts):
                ahead.append(render(starts[i + 2 * renderers.workers]))
            end = min(start + batch, upto + 1)
            if n != end - start or (lowest, highest) != (start, end - 1) or wrong:
                return False
            # Every hash and predecessor is 64 characters: compared as one string each.
            if len(hashes) != 64 * n or prevs != prev + hashes[:-64]:
                return False
            for seq in signed_seqs[bisect_left(signed_seqs, start) : bisect_left(signed_seqs, end)]:
                at = (seq - start) * 64
                if hashes[at : at + 64] != signed[seq]:
                    return False
            prev = hashes[-64:]
    finally:
        renderers.close()
    with connection.cursor() as cursor:  # nothing numbered below the chain's start
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table()} WHERE seq < 1)")  # noqa: S608
        return bool(cursor.fetchone()[0])
