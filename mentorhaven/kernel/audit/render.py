"""PostgreSQL's fast path for ``verify``: canonical lines rendered in packed chunks on extra
connections while this process hashes.

It checks the same things as the row-by-row path, a chunk at a time; any doubt returns False
and ``verify`` falls back to the row-by-row path, which names the first bad event.
"""

from __future__ import annotations

import hashlib
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from django.db import connection

from mentorhaven.kernel.audit.chain import GENESIS, line_expr, table

# PostgreSQL renders the canonical lines on this many extra connections at once, while this
# process hashes: rendering costs the server more than hashing costs Python.
RENDERERS = 2


def packed_sql() -> str:
    """One row for the events with seq in [%s, %s]: their count, lowest and highest seq, hashes
    (comma-joined) and canonical lines (newline-joined; each ends with its predecessor's hash).
    Far fewer Python objects than one row per event, and little for the server to render."""
    return (
        "SELECT count(*), min(seq), max(seq), string_agg(hash, ','), "  # noqa: S608 (no input)
        f"string_agg(line, chr(10)) FROM ("
        f"SELECT seq, hash, prev_hash, {line_expr()} AS line FROM {table()} "
        "WHERE seq >= %s AND seq <= %s ORDER BY seq) AS chunk"
    )


class Renderers:
    """Worker threads rendering chunks of canonical lines, each on its own connection.

    Sealed events never change (the triggers refuse it) and every seq up to ``upto`` was
    committed before ``verify`` read ``upto``, so every connection sees the same rows. Inside an
    outer transaction (whose uncommitted events only this connection sees) one worker renders
    on this connection instead.
    """

    def __init__(self, extra: int) -> None:
        # Read here, in the caller's thread: ``connection`` is a different one in each thread.
        self.extra = extra
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
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def fetch(self, start: int, end: int) -> Any:
        with self._connection().cursor() as cursor:
            cursor.execute(packed_sql(), [start, end])
            return cursor.fetchone()

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
    lowest and the highest right, seq unique), every line's SHA-256 equals its stored hash, every
    line's predecessor (its last field) equals the previous stored hash, every signed or anchored
    head matches, and no event has a seq below 1 (with seq unique, every row numbered up to
    ``upto`` was then seen). Chunks are rendered on extra connections ahead of the hashing;
    ``meanwhile`` runs while the first ones render.
    """
    sha256 = hashlib.sha256
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
            n, lowest, highest, hashes, lines = ahead.popleft().result()
            if i + 2 * renderers.workers < len(starts):
                ahead.append(render(starts[i + 2 * renderers.workers]))
            end = min(start + batch, upto + 1)
            if n != end - start or (lowest, highest) != (start, end - 1):
                return False
            texts = lines.split("\n")
            if len(texts) != n or len(hashes) != 65 * n - 1:
                return False
            # Compared as one string each: a digest per line, one hex conversion per chunk.
            stored = hashes.replace(",", "")
            if b"".join([sha256(t.encode()).digest() for t in texts]).hex() != stored:
                return False
            if "".join([t[-64:] for t in texts]) != prev + stored[:-64]:
                return False
            for seq in signed_seqs[bisect_left(signed_seqs, start) : bisect_left(signed_seqs, end)]:
                at = (seq - start) * 64
                if stored[at : at + 64] != signed[seq]:
                    return False
            prev = stored[-64:]
    finally:
        renderers.close()
    with connection.cursor() as cursor:  # nothing numbered below the chain's start
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table()} WHERE seq < 1)")  # noqa: S608
        return bool(cursor.fetchone()[0])
