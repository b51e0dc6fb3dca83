"""Sealing: the one routine that numbers pending events and chains them.

``seal()`` gives every committed pending event its contiguous ``seq``, its predecessor's hash
and its own, in id order, a batch at a time, and signs a checkpoint at every multiple of
``AUDIT_CHECKPOINT_EVERY`` it reaches. The audit sealer service (``sealer.run_sealer``, i.e.
``mentorhaven audit sealer``) runs it continuously; ``verify``, ``checkpoint`` and ``audit
seal`` call it too. Sealers take turns, so running two at once is safe, only useless.

* PostgreSQL: one call of ``mentorhaven_audit_seal`` per batch (kernel migration 0009). The
  function runs as the tables' owner (``SECURITY DEFINER``): the app's role may not UPDATE the
  log at all, only ask the database to seal it. Under an advisory lock it reads the tail and the
  pending rows (after the lock was granted, so it sees the previous sealer's commit), computes
  each SHA-256 over the canonical line and fails unless every row was still pending. Outside a
  transaction the call is its own transaction and commits without waiting for the WAL flush:
  the events are durable with their own transactions; a crash at worst returns rows to pending.
* SQLite: the same steps in Python, inside a write transaction (the database's write lock).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DataError, connection, transaction

from mentorhaven.kernel.audit import checkpoints
from mentorhaven.kernel.audit.chain import HASHED_FIELDS, as_utc, event_hash, table, tail
from mentorhaven.kernel.audit.errors import AuditError
from mentorhaven.kernel.models import AuditCheckpoint

logger = logging.getLogger(__name__)

SEAL_BATCH = 1000
SEAL_FUNCTION = "mentorhaven_audit_seal"  # PostgreSQL; kernel migration 0009
SEAL_LOCK_KEY = 0x4D48_4155  # "MHAU": the PostgreSQL advisory lock the function takes
CHECKPOINT_EVERY = 1000

Sealed = list[tuple[int, int, str, str]]  # (id, seq, prev_hash, hash) per newly sealed row


def _pending_sql(batch: int) -> str:
    cols = ", ".join(["id", "occurred_at", *HASHED_FIELDS[2:12]])
    return f"SELECT {cols} FROM {table()} WHERE seq IS NULL ORDER BY id LIMIT {int(batch)}"  # noqa: S608 (no input)


def chain_rows(rows: list[tuple[Any, ...]], last: tuple[int, str]) -> Sealed:
    """Number and chain pending rows (as ``_pending_sql`` reads them) on from ``last``.

    The hash covers exactly the stored text of every field (``extra`` as stored), so ``verify``
    recomputes the same value from the table.
    """
    seq, prev = last
    sealed: Sealed = []
    for row in rows:
        seq += 1
        values = dict(zip(HASHED_FIELDS[1:12], row[1:], strict=True))
        values["occurred_at"] = as_utc(values["occurred_at"])
        values["seq"], values["prev_hash"] = seq, prev
        prev = event_hash(values)
        sealed.append((row[0], seq, values["prev_hash"], prev))
    return sealed


def _seal_sqlite(batch: int) -> Sealed:
    with transaction.atomic(), connection.cursor() as cursor:  # BEGIN IMMEDIATE: the write lock
        cursor.execute(_pending_sql(batch))
        rows = cursor.fetchall()
        if not rows:
            return []
        sealed = chain_rows(rows, tail(cursor))
        for pk, seq, prev_hash, hash_ in sealed:
            cursor.execute(
                f"UPDATE {table()} SET seq = %s, prev_hash = %s, hash = %s "  # noqa: S608 (no input)
                "WHERE id = %s AND seq IS NULL",
                [seq, prev_hash, hash_, pk],
            )
            if cursor.rowcount != 1:
                raise AuditError("audit sealer raced: an event was already sealed")
    return sealed


def _seal_postgresql(batch: int) -> Sealed:
    # Outside a transaction the call is one: it may commit without waiting for the WAL flush.
    own_transaction = not connection.in_atomic_block
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                f"SELECT * FROM {SEAL_FUNCTION}(%s, %s)",  # noqa: S608 (a constant name)
                [batch, own_transaction],
            )
        except DataError as exc:
            raise AuditError("audit sealer raced: an event was already sealed") from exc
        return [(int(pk), int(seq), prev, hash_) for pk, seq, prev, hash_ in cursor.fetchall()]


def _sign_crossed(sealed: Sealed) -> None:
    """Sign a checkpoint at every multiple of AUDIT_CHECKPOINT_EVERY this turn reached."""
    every = getattr(settings, "AUDIT_CHECKPOINT_EVERY", CHECKPOINT_EVERY)
    if not every or not sealed:
        return
    before = sealed[0][1] - 1
    for _pk, seq, _prev, hash_ in sealed[(every - before % every) - 1 :: every]:
        try:
            checkpoints.sign(seq, hash_)
        except (AuditError, OSError, ValueError):
            # An unreadable key must not stop sealing; `audit checkpoint` and `audit verify`
            # fail loudly on it instead, and the next multiple tries again.
            logger.exception("audit checkpoint at event %s could not be signed", seq)


def seal(*, batch: int = SEAL_BATCH) -> int:
    """Seal every committed pending event, a batch per turn; return how many were sealed.

    Each turn is its own transaction (unless the caller is inside one, as tests are), so a long
    backlog never holds the lock for long.
    """
    total = 0
    while True:
        if connection.vendor == "postgresql":
            sealed = _seal_postgresql(batch)
        else:
            sealed = _seal_sqlite(batch)
        _sign_crossed(sealed)
        total += len(sealed)
        if len(sealed) < batch:
            return total


def pending_exists() -> bool:
    """Whether any event waits to be sealed: one look at the (tiny) partial index of pending
    rows, taking no write lock."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table()} WHERE seq IS NULL LIMIT 1")  # noqa: S608
        return cursor.fetchone() is not None


def checkpoint() -> AuditCheckpoint | None:
    """Seal what is pending, then sign the head of the log (None while the log is empty)."""
    seal()
    seq, hash_ = checkpoints.head()
    return checkpoints.sign(seq, hash_) if seq else None
