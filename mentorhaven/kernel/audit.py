"""The audit log: append-only, hash-chained, pseudonymous, with signed checkpoints.

``record(...)`` appends one event inside the caller's transaction (STYLE.md #2: one audit event
per service, same transaction). ``record_access(...)`` is the same for a *read* of someone's
sensitive data; selectors call it, and the person can then see who looked and why.

Each event stores the SHA-256 of its predecessor, computed over a canonical line (the fields in a
fixed order, joined by the ASCII unit separator), so altering, deleting, inserting or reordering a
row breaks the chain. Because anyone with SQL access could recompute every hash after tampering,
the tail is also signed from time to time with an Ed25519 key kept outside the database
(``checkpoint()``); ``verify()`` checks both.

Identifiers only, never content: ``extra`` accepts numbers, booleans and short identifier strings
(codes, UUIDs), and every other field is checked for control characters and length. People appear
by keyed pseudonym (HMAC with a per-person secret held in the vault): once the vault shreds that
secret, nobody can link their events back to them, and the chain still verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
import time
import uuid
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DataError, OperationalError, connection, models, transaction
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.kernel.audit_keys import (  # re-exported: the audit interface is this module
    AuditError,
    generate_key_file,
    key_ring,
    sign,
    signature_valid,
)
from mentorhaven.kernel.inventory import Category
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent, canonical_json

logger = logging.getLogger(__name__)

__all__ = ["AuditError", "checkpoint", "generate_key_file", "record", "record_access", "verify"]


GENESIS = "0" * 64
SYSTEM = "system"
ERASED = "erased"
SEP = "\x1f"  # ASCII unit separator; refused inside any field, so the line is unambiguous
# PostgreSQL advisory-lock key serialising the sealers (any constant unique to this use).
SEAL_LOCK_KEY = 0x4D48_4155  # "MHAU"
SEAL_BATCH = 1000
# How many full batches one sealer seals in a row before it leaves the rest to the next one.
SEAL_ROUNDS = 8
# ``verify`` warns about events still pending after this long: nothing is sealing them.
PENDING_GRACE_SECONDS = 60
# A checkpoint is signed by the sealer that reaches a multiple of AUDIT_CHECKPOINT_EVERY, so
# the tail is never more than that many events ahead of a signature (the periodic task covers
# quiet periods).
CHECKPOINT_EVERY = 1000

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

IDENTIFIER = re.compile(r"[A-Za-z0-9_.:\-]{0,64}")
EXTRA_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
ACTION = re.compile(r"[a-z][a-z0-9_.\-]{0,63}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_EXTRA_ITEMS = 50
CATEGORIES = frozenset(str(c) for c in Category)


# --- pseudonyms ------------------------------------------------------------------------------


PSEUDONYM_LABEL = b"mentorhaven-audit-pseudonym"


def _pseudonym_from_secret(secret: bytes) -> str:
    return hmac.new(secret, PSEUDONYM_LABEL, hashlib.sha256).hexdigest()[:32]


def pseudonym(user) -> str:
    """The keyed pseudonym of a person in the audit log; ``erased`` once they are shredded."""
    if user is None:
        return ""
    secret = vault.subject_secret(user)
    if secret is None:
        return ERASED
    return _pseudonym_from_secret(secret)


def pseudonyms_of(user_ids: Iterable[int]) -> dict[str, int]:
    """Pseudonym → user id for the given people, skipping the shredded and the never-recorded.

    Someone who never appeared in the log has no key row yet, hence no pseudonym to find.
    """
    from mentorhaven.kernel.models import SubjectKey

    found: dict[str, int] = {}
    rows = SubjectKey.objects.filter(
        subject_id__in=list(user_ids), shredded_at__isnull=True
    ).values_list("subject_id", "wrapped_secret", "kek_version")
    for subject_id, wrapped, version in rows:
        if not wrapped:
            continue
        secret = vault.unwrap_data_key(
            subject_id, bytes(wrapped), version, purpose=vault.PSEUDONYM_SECRET
        )
        found[_pseudonym_from_secret(secret)] = subject_id
    return found


# --- the canonical line ------------------------------------------------------------------------


def line_time(value: datetime) -> str:
    """PostgreSQL's own text for a UTC timestamptz: "2026-01-02 03:04:05.06+00"."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "+00"


def event_line(values: dict[str, Any]) -> str:
    """The canonical text of an event, the input of its hash. ``verify`` rebuilds it in SQL."""
    org = values["organization_id"]
    extra = values["extra"]
    parts = [
        str(values["seq"]),
        line_time(values["occurred_at"]),
        *(values[f] for f in HASHED_FIELDS[2:10]),
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


def _line_expr() -> str:
    """SQL that renders a row's canonical line exactly as ``event_line`` does in Python."""
    texts = list(HASHED_FIELDS[2:10])
    if connection.vendor == "postgresql":
        # timestamptz as text: cheap to render; verify pins TimeZone and DateStyle first.
        cols = ["seq::text", "occurred_at::text", *texts, "coalesce(organization_id::text, '')"]
        return f"concat_ws(chr(31), {', '.join([*cols, 'extra', 'prev_hash'])})"
    # SQLite keeps Django's text "YYYY-MM-DD HH:MM:SS[.ffffff]": trim the fraction's zeros.
    when = (
        "CASE WHEN instr(occurred_at, '.') = 0 THEN occurred_at "
        "ELSE rtrim(rtrim(occurred_at, '0'), '.') END || '+00'"
    )
    cols = ["CAST(seq AS TEXT)", when, *texts, "ifnull(organization_id, '')", "extra"]
    return " || char(31) || ".join([*cols, "prev_hash"])


def _line_sql(upto: int | None = None) -> str:
    """(seq, hash, canonical line) of every sealed row (up to ``upto``), in seq order."""
    bound = "" if upto is None else f" AND seq <= {int(upto)}"
    return (
        f"SELECT seq, hash, {_line_expr()} FROM {_table()} "  # noqa: S608 (no input)
        f"WHERE seq IS NOT NULL{bound} ORDER BY seq"
    )


# --- validation: identifiers only ---------------------------------------------------------------


def _identifier(key: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str) and IDENTIFIER.fullmatch(value):
        return value
    raise AuditError(
        f"audit extra {key!r} must be a number, a boolean or an identifier "
        "(letters, digits, _ . : -, at most 64), never content"
    )


def validate_extra(extra: dict[str, Any] | None) -> dict[str, Any]:
    """Accept only identifiers: numbers, booleans, None, short codes/UUIDs, or lists of those.

    Anything else (a sentence, an e-mail address, a nested object) raises ``AuditError``: the
    audit log must never become a second copy of the content it describes.
    """
    if not extra:
        return {}
    if not isinstance(extra, dict) or len(extra) > MAX_EXTRA_ITEMS:
        raise AuditError("audit extra must be a small dict of identifiers")
    clean: dict[str, Any] = {}
    for key, value in extra.items():
        if not isinstance(key, str) or not EXTRA_KEY.fullmatch(key):
            raise AuditError(f"audit extra key {key!r} must be a lower-case name")
        if isinstance(value, list | tuple):
            if len(value) > MAX_EXTRA_ITEMS:
                raise AuditError(f"audit extra {key!r} holds too many items")
            clean[key] = [_identifier(key, item) for item in value]
        else:
            clean[key] = _identifier(key, value)
    return clean


def _check_text(name: str, value: str, limit: int) -> str:
    if len(value) > limit or CONTROL.search(value):
        raise AuditError(f"audit {name} must be at most {limit} characters, without control codes")
    return value


def _check_category(category: str) -> str:
    if category and category not in CATEGORIES:
        raise AuditError(f"audit category {category!r} must be one of {sorted(CATEGORIES)}")
    return str(category)


# --- appending and sealing --------------------------------------------------------------------


def _table() -> str:
    return AuditEvent._meta.db_table


def _pending_sql(batch: int) -> str:
    cols = ", ".join(["id", "occurred_at", *HASHED_FIELDS[2:12]])
    return f"SELECT {cols} FROM {_table()} WHERE seq IS NULL ORDER BY id LIMIT {int(batch)}"  # noqa: S608 (no input)


def _tail(cursor) -> tuple[int, str]:
    last = "WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
    cursor.execute(f"SELECT seq, hash FROM {_table()} {last}")  # noqa: S608 (no input)
    row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite through a raw cursor: Django's naive UTC text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Sealed = list[tuple[int, int, str, str]]  # (id, seq, prev_hash, hash) per newly sealed row


def _chain(rows: list[tuple], tail: tuple[int, str]) -> Sealed:
    """Number and chain pending rows (as ``_pending_sql`` reads them) on from ``tail``.

    The hash covers exactly the stored text of every field (``extra`` as stored), so ``verify``
    recomputes the same value from the table.
    """
    seq, prev = tail
    sealed: Sealed = []
    for row in rows:
        seq += 1
        values = dict(zip(HASHED_FIELDS[1:12], row[1:], strict=True))
        values["occurred_at"] = _as_utc(values["occurred_at"])
        values["seq"], values["prev_hash"] = seq, prev
        prev = event_hash(values)
        sealed.append((row[0], seq, values["prev_hash"], prev))
    return sealed


def _seal_batch(cursor, tail: tuple[int, str], batch: int) -> Sealed:
    """SQLite: seal up to ``batch`` pending rows in id order after ``tail`` (the database's write
    lock is held). PostgreSQL seals in the database instead (``mentorhaven_audit_seal``)."""
    cursor.execute(_pending_sql(batch))
    sealed = _chain(cursor.fetchall(), tail)
    for pk, seq, prev_hash, hash_ in sealed:
        cursor.execute(
            f"UPDATE {_table()} SET seq = %s, prev_hash = %s, hash = %s "  # noqa: S608 (no input)
            "WHERE id = %s AND seq IS NULL",
            [seq, prev_hash, hash_, pk],
        )
        if cursor.rowcount != 1:
            raise AuditError("audit sealer raced: an event was already sealed")
    return sealed


def _sign_crossed_checkpoints(before: int, sealed: Sealed) -> None:
    """Sign a checkpoint at every multiple of AUDIT_CHECKPOINT_EVERY this batch reached."""
    every = getattr(settings, "AUDIT_CHECKPOINT_EVERY", CHECKPOINT_EVERY)
    if not every:
        return
    for _pk, seq, _prev, hash_ in sealed[(every - before % every) - 1 :: every]:
        try:
            _sign_checkpoint(seq, hash_)
        except (AuditError, OSError, ValueError):
            # An unreadable key must not stop every write; `audit checkpoint` and `audit
            # verify` fail loudly on it instead, and the next multiple tries again.
            logger.exception("audit checkpoint at event %s could not be signed", seq)


def _seal_locked(batch: int) -> Sealed:
    """Seal every visible pending row; the caller holds the seal lock inside a transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sealed = _seal_in_database(cursor, batch)
        else:
            tail, sealed = _tail(cursor), []
            while done := _seal_batch(cursor, tail, batch):
                sealed += done
                if len(done) < batch:
                    break
                tail = (done[-1][1], done[-1][3])
    if sealed:
        _sign_crossed_checkpoints(sealed[0][1] - 1, sealed)
    return sealed


SEAL_FUNCTION = "mentorhaven_audit_seal"  # PostgreSQL; created by kernel migration 0004
# How long the sealer after a commit waits for the seal lock before leaving its event to the
# next sealer. Each turn holds the lock for well under a millisecond.
AFTER_COMMIT_WAIT_MS = 2000


def _seal_call(cursor, batch: int, wait_ms: int | None, async_commit: bool) -> Sealed:
    try:
        cursor.execute(
            f"SELECT * FROM {SEAL_FUNCTION}(%s, %s, %s)",  # noqa: S608 (a constant name)
            [batch, wait_ms, async_commit],
        )
    except DataError as exc:
        raise AuditError("audit sealer raced: an event was already sealed") from exc
    return [(int(pk), int(seq), prev, hash_) for pk, seq, prev, hash_ in cursor.fetchall()]


def _seal_in_database(cursor, batch: int) -> Sealed:
    """PostgreSQL, inside the caller's transaction: the database seals under the lock."""
    sealed: Sealed = []
    while True:
        done = _seal_call(cursor, batch, None, False)
        sealed += done
        if len(done) < batch:
            return sealed


def _seal_round(*, wait: bool, batch: int) -> int:
    """PostgreSQL, outside any transaction: one sealing turn, one statement, one round trip.

    The statement is its own transaction: ``mentorhaven_audit_seal`` waits for the lock (at most
    AFTER_COMMIT_WAIT_MS unless ``wait``), seals up to ``batch`` pending events, and the commit
    releases the lock without waiting for the WAL flush. Checkpoints the turn crossed are signed
    after the commit. Returns how many events were sealed.
    """
    with connection.cursor() as cursor:
        sealed = _seal_call(cursor, batch, None if wait else AFTER_COMMIT_WAIT_MS, True)
    if sealed:
        _sign_crossed_checkpoints(sealed[0][1] - 1, sealed)
    return len(sealed)


def seal(*, wait: bool = True, batch: int = SEAL_BATCH, rounds: int = SEAL_ROUNDS) -> int:
    """Give every committed pending event its seq and hashes; return how many were sealed.

    Sealers take turns on a PostgreSQL advisory lock (SQLite: the database's write lock). Under
    the lock, in its own transaction, a sealer reads the tail (after the lock was granted, so the
    previous sealer's work is visible), then the pending rows its snapshot sees, in id order, and
    numbers them on from the tail. A row is sealed exactly once: the UPDATE only touches rows
    still pending, and the sealer refuses to commit if any was not.

    After each recording transaction, ``seal(wait=False)`` queues for the lock (a turn is short)
    and so sees its own committed event, unless the queue is longer than AFTER_COMMIT_WAIT_MS:
    then the lock error reaches the caller and the event stays pending for the next sealer (the
    next append anywhere, the periodic task, ``verify``). A sealer goes round again while it
    finds full batches, at most ``rounds`` times: a request must not seal for others forever.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Inside a transaction (or on SQLite) the lock is held until the caller commits.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            return len(_seal_locked(batch))
    total = 0
    for _turn in range(rounds):
        sealed = _seal_round(wait=wait, batch=batch)
        total += sealed
        if sealed < batch:
            break
    return total


# --- the audit sealer process (PostgreSQL) ---------------------------------------------------

SEALER_CHANNEL = "mentorhaven_audit"  # notified by every recording commit (kernel migration 0006)
SEALER_ALIVE_KEY = 0x4D48_4153  # "MHAS": held (session-level) by the running sealer
# How long a process trusts what it last saw about the sealer: a sealer that stopped is noticed
# within this long, and writers then seal their own events again.
SEALER_CHECK_SECONDS = 1.0
# The sealer also looks for pending events this often without being woken.
SEALER_IDLE_SECONDS = 1.0
# Once woken, the sealer lets this long pass before its turn, so that one turn seals what many
# commits wrote (each turn costs about as much as sealing a hundred events).
SEALER_GATHER_SECONDS = 0.01

_sealer_seen: list[tuple[float, bool]] = []  # (when last checked, alive), in this process


def sealer_alive() -> bool:
    """Whether a sealer process is running (cached for SEALER_CHECK_SECONDS per process).

    The running sealer holds an exclusive session-level advisory lock; if a shared one can be
    taken (and is given back at once), nobody holds it.
    """
    now = time.monotonic()
    if _sealer_seen and now - _sealer_seen[0][0] < SEALER_CHECK_SECONDS:
        return _sealer_seen[0][1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN pg_try_advisory_lock_shared(%s) "
            "THEN NOT pg_advisory_unlock_shared(%s) ELSE true END",
            [SEALER_ALIVE_KEY, SEALER_ALIVE_KEY],
        )
        alive = bool(cursor.fetchone()[0])
    _sealer_seen[:] = [(now, alive)]
    return alive


def run_sealer(
    *, stop: threading.Event | None = None, ready: threading.Event | None = None
) -> None:
    """The audit sealer: seal whatever is pending each time a recording transaction commits.

    While it runs, recording requests skip their own sealing turn (one round trip each) and the
    sealer seals everything that committed since its last turn in one turn. It holds an advisory
    lock for as long as it runs, which is how writers see it (``sealer_alive``); a second sealer
    waits on that lock as a stand-by. Notifications come on a connection of its own; sealing
    uses Django's. It seals on start (what writers committed while no sealer ran) and at least
    every SEALER_IDLE_SECONDS. Runs until ``stop`` is set (or forever).
    """
    import psycopg

    stop = stop or threading.Event()
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as listener:
        standing_by = False
        while not stop.is_set():
            got = listener.execute("SELECT pg_try_advisory_lock(%s)", [SEALER_ALIVE_KEY])
            if (got.fetchone() or [False])[0]:
                break
            if not standing_by:
                logger.info("another audit sealer is running: standing by")
                standing_by = True
            stop.wait(SEALER_IDLE_SECONDS)
        else:
            return
        listener.execute(f"LISTEN {SEALER_CHANNEL}")
        logger.info("audit sealer running")
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                try:
                    seal(wait=True)
                except Exception:
                    logger.exception("audit sealer: sealing failed; trying again")
                    connection.close()
                    stop.wait(SEALER_IDLE_SECONDS)
                    continue
                # Sleep until a commit wakes us (psycopg hands over every notification that has
                # arrived, one or many), gather for a moment, then take everything pending.
                woken = False
                for _ in listener.notifies(timeout=SEALER_IDLE_SECONDS, stop_after=1):
                    woken = True
                if woken:
                    stop.wait(SEALER_GATHER_SECONDS)
        finally:
            connection.close()
            logger.info("audit sealer stopped")


def _seal_after_commit() -> None:
    """on_commit hook of every recording transaction (PostgreSQL).

    With a sealer process running, the commit has woken it and there is nothing to do here.
    Otherwise this request seals its own event (and whatever else is pending).
    """
    try:
        if sealer_alive():
            return
        seal(wait=False)
    except OperationalError:  # the lock queue was too long: a later sealer takes our event
        logger.warning("audit seal lock busy after commit; events stay pending for the next sealer")
    except Exception:  # the business transaction has committed; the event waits for a sealer
        logger.exception("audit events could not be sealed after commit; they stay pending")


def _schedule_seal() -> None:
    hooks = transaction.get_connection().run_on_commit
    if not any(hook is _seal_after_commit for _sids, hook, _robust in hooks):
        transaction.on_commit(_seal_after_commit)


INSERTED_FIELDS = ("occurred_at", *HASHED_FIELDS[2:12], "prev_hash", "hash")


def _insert(event: AuditEvent) -> None:
    """One plain INSERT of a pending event: the ORM's per-call SQL compilation would cost about
    as much as the insert itself on this hot path (every sensitive read appends an event)."""
    values = [getattr(event, name) for name in INSERTED_FIELDS]
    values[0] = connection.ops.adapt_datetimefield_value(event.occurred_at)
    values[10] = canonical_json(event.extra or {})
    sql = (
        f"INSERT INTO {_table()} ({', '.join(INSERTED_FIELDS)}) "  # noqa: S608 (no input)
        f"VALUES ({', '.join(['%s'] * len(values))})"
    )
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING id", values)
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, values)
            event.pk = cursor.lastrowid
    event._state.adding, event._state.db = False, connection.alias


def _target(target: Any) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        ident = getattr(target, "public_id", None) or target.pk
        return target._meta.label_lower, str(ident)
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    return "", str(target)


def record(
    *,
    action: str,
    actor=None,
    actor_role: str = "",
    target: Any = None,
    subject=None,
    purpose: str = "",
    category: str = "",
    organization=None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``actor=None`` means MentorHaven itself (``system``).

    The event is written in the caller's transaction. On PostgreSQL it is *pending* (``seq`` is
    None on the returned object) until ``seal`` numbers and chains it, right after the commit;
    with ``AUDIT_SEAL_INLINE`` (and on SQLite) it is sealed at once, appends taking turns.

    ``purpose`` is a short phrase written in the code ("invite a person into a program"), never
    user input; ``extra`` holds identifiers only (see ``validate_extra``): content is refused with
    ``AuditError``.
    """
    if not ACTION.fullmatch(action):
        raise AuditError(f"audit action {action!r} must be a dotted lower-case code")
    target_type, target_id = _target(target)
    fields = {
        "actor_role": _check_text("actor_role", actor_role, 32),
        "action": action,
        "target_type": _check_text("target_type", target_type, 64),
        "target_id": _check_text("target_id", target_id, 64),
        "purpose": _check_text("purpose", purpose, 200),
        "category": _check_category(category),
        "organization_id": getattr(organization, "pk", organization),
        "extra": validate_extra(extra),
        "actor": SYSTEM if actor is None else pseudonym(actor),
        "subject": pseudonym(subject) if subject is not None else "",
    }
    event = AuditEvent(occurred_at=timezone.now(), prev_hash="", hash="", **fields)
    # No savepoint: a failed append must fail the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql" and not getattr(settings, "AUDIT_SEAL_INLINE", False):
            # Pending: no global lock here, so recording transactions commit in parallel. The
            # event is sealed right after the commit (or by the next sealer, whichever is first).
            _insert(event)
            _schedule_seal()
            return event
        # Inline: SQLite writes are serialised by the database anyway (BEGIN IMMEDIATE); on
        # PostgreSQL the seal lock is then held until this transaction ends.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        _insert(event)
        for pk, seq, prev_hash, hash_ in _seal_locked(SEAL_BATCH):
            if pk == event.pk:
                event.seq, event.prev_hash, event.hash = seq, prev_hash, hash_
    return event


def record_access(
    *,
    viewer,
    subject,
    category: str,
    target: Any = None,
    purpose: str,
    actor_role: str = "",
    organization=None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Record that ``viewer`` read ``subject``'s sensitive data of ``category``, and why.

    Selectors call this for every read of sensitive content, so the person can see it on
    "Who accessed my data". A person reading their own data is not recorded: it tells them
    nothing and would drown the page.
    """
    if viewer is not None and subject is not None and _same_person(viewer, subject):
        return None
    return record(
        action="data.read",
        actor=viewer,
        actor_role=actor_role,
        target=target,
        subject=subject,
        purpose=purpose,
        category=category,
        organization=organization,
        extra=extra,
    )


def _same_person(a, b) -> bool:
    return getattr(a, "pk", a) == getattr(b, "pk", b)


# --- checkpoints -------------------------------------------------------------------------------


def _sign_checkpoint(seq: int, hash_: str) -> AuditCheckpoint:
    signed_at = timezone.now()
    kid, signature = sign(seq, hash_, signed_at)
    return AuditCheckpoint.objects.create(
        seq=seq, hash=hash_, signed_at=signed_at, key_id=kid, signature=signature
    )


def checkpoint() -> AuditCheckpoint | None:
    """Seal what is pending, then sign the tail of the log.

    Idempotent: nothing new since the last checkpoint, no new row.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        _seal_locked(SEAL_BATCH)
        seq, hash_ = _tail(cursor)
        if seq == 0:
            return None
        existing = AuditCheckpoint.objects.filter(seq=seq).first()
        return existing or _sign_checkpoint(seq, hash_)


# --- verification ------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool
    count: int
    checkpoints: int
    bad_seq: int | None = None
    reason: str = ""
    stale_pending: int = 0  # events still unsealed PENDING_GRACE_SECONDS after they were written


def _pin_text_settings() -> None:
    """Render timestamps the way ``line_time`` does, whatever the session's settings."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL TimeZone = 'UTC'")
            cursor.execute("SET LOCAL DateStyle = 'ISO'")


def _chunks(batch: int, upto: int | None = None) -> Iterator[list[tuple[int, str, str]]]:
    """(seq, hash, canonical line) in order, ``batch`` rows at a time (the row-by-row path).

    On PostgreSQL a server-side cursor streams the rows, and the next batch is fetched in a
    helper thread while this one is hashed: the database renders lines while Python hashes.
    """
    with connection.chunked_cursor() as cursor:
        cursor.execute(_line_sql(upto))
        with ThreadPoolExecutor(max_workers=1) as prefetch:
            pending = prefetch.submit(cursor.fetchmany, batch)
            while rows := pending.result():
                pending = prefetch.submit(cursor.fetchmany, batch)
                yield rows


def _packed_sql() -> str:
    """One row for the events with seq in [%s, %s]: their count, seqs, hashes and predecessors
    (comma-joined) and canonical lines (newline-joined). Far fewer Python objects than one row
    per event."""
    return (
        "SELECT count(*), string_agg(seq::text, ','), string_agg(hash, ','), "  # noqa: S608 (no input)
        f"string_agg(prev_hash, ','), string_agg(line, chr(10)) FROM ("
        f"SELECT seq, hash, prev_hash, {_line_expr()} AS line FROM {_table()} "
        "WHERE seq >= %s AND seq <= %s ORDER BY seq) AS chunk"
    )


# PostgreSQL renders the canonical lines on this many extra connections at once, while this
# process hashes: rendering costs the server more than hashing costs Python.
RENDERERS = 2


class _Renderers:
    """Worker threads rendering chunks of canonical lines, each on its own connection.

    Sealed events never change (the trigger refuses it) and every seq up to ``upto`` was
    committed before ``verify`` read ``upto``, so every connection sees the same rows. Inside an
    outer transaction (whose uncommitted events only this connection sees) one worker renders
    on this connection instead.
    """

    def __init__(self, extra: int):
        # Read here, in the caller's thread: ``connection`` is a different one in each thread.
        self.extra = extra
        self._own = connection.connection
        self._params = connection.get_connection_params()
        self.pool = ThreadPoolExecutor(max_workers=max(extra, 1))
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()

    @property
    def workers(self) -> int:
        return max(self.extra, 1)

    def _connection(self):
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

    def fetch(self, start: int, end: int):
        with self._connection().cursor() as cursor:
            cursor.execute(_packed_sql(), [start, end])
            return cursor.fetchone()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        for conn in self._opened:
            with suppress(Exception):
                conn.close()


def _chain_checks_out_fast(batch: int, upto: int, signed: dict[int, str]) -> bool:
    """PostgreSQL's fast path: True only if the row-by-row check would pass too.

    It checks the same things, a chunk at a time: the chunk [start, start + batch) holds exactly
    those seqs, every line's SHA-256 equals its stored hash, every predecessor equals the
    previous stored hash, every signed checkpoint matches, and no event has a seq below 1 (with
    seq unique, every row numbered up to ``upto`` was then seen). Chunks are rendered on extra
    connections ahead of the hashing. Any doubt returns False, and ``verify`` falls back to the
    row-by-row path, which names the first bad event.
    """
    sha256 = hashlib.sha256
    signed_seqs = sorted(signed)
    starts = range(1, upto + 1, batch)
    # verify's own atomic block is the only one unless it was called inside a transaction.
    renderers = _Renderers(RENDERERS if len(connection.atomic_blocks) <= 1 else 0)
    try:

        def render(first: int):
            return renderers.pool.submit(renderers.fetch, first, min(first + batch - 1, upto))

        ahead = deque(render(first) for first in starts[: 2 * renderers.workers])
        prev = GENESIS
        for i, start in enumerate(starts):
            n, seqs, hashes, prevs, lines = ahead.popleft().result()
            if i + 2 * renderers.workers < len(starts):
                ahead.append(render(starts[i + 2 * renderers.workers]))
            end = min(start + batch, upto + 1)
            if n != end - start or seqs != ",".join(map(str, range(start, end))):
                return False
            stored = hashes.split(",")
            texts = lines.split("\n")
            if len(stored) != n or len(texts) != n:
                return False
            if [sha256(t.encode()).hexdigest() for t in texts] != stored:
                return False
            if prevs.split(",") != [prev, *stored[:-1]]:
                return False
            for seq in signed_seqs[bisect_left(signed_seqs, start) : bisect_left(signed_seqs, end)]:
                if stored[seq - start] != signed[seq]:
                    return False
            prev = stored[-1]
    finally:
        renderers.close()
    with connection.cursor() as cursor:  # nothing numbered below the chain's start
        cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_table()} WHERE seq < 1)")  # noqa: S608
        return bool(cursor.fetchone()[0])


def verify(*, batch: int = 20000, seal_first: bool = True) -> VerifyResult:
    """Recompute the whole chain and check every checkpoint's signature against it.

    Names the first sequence number that does not check out: a missing or duplicated number, a
    row whose stored hash does not match its content, a row whose recorded predecessor is not the
    row before it, a signed checkpoint the chain no longer matches, or events missing from behind
    the last checkpoint (tail truncation). Events after the last checkpoint can only be checked
    for consistency; that is why checkpoints are frequent.

    Pending events are sealed first (``seal_first``); the sealed chain is then checked up to its
    tail at that moment. Events still pending after ``PENDING_GRACE_SECONDS`` are counted in
    ``stale_pending``: nothing chains them, so nothing would notice them vanish.
    """
    ring = key_ring()
    if seal_first:
        seal()
    checkpoints = list(AuditCheckpoint.objects.order_by("seq"))
    n = len(checkpoints)
    for cp in checkpoints:
        if not signature_valid(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature, ring):
            return VerifyResult(False, 0, n, cp.seq, "checkpoint signature is not valid")
    signed = {cp.seq: cp.hash for cp in checkpoints}
    with transaction.atomic():  # a server-side cursor lives inside a transaction
        _pin_text_settings()
        upto = AuditEvent.objects.aggregate(upto=models.Max("seq"))["upto"] or 0
        if (
            connection.vendor == "postgresql"
            and upto
            and _chain_checks_out_fast(batch, upto, signed)
        ):
            count, bad, reason = upto, None, ""
        else:
            count, bad, reason = _check_chain(_chunks(batch, upto), signed)
    stale = AuditEvent.objects.filter(
        seq__isnull=True,
        occurred_at__lt=timezone.now() - timedelta(seconds=PENDING_GRACE_SECONDS),
    ).count()
    if bad is not None:
        return VerifyResult(False, count, n, bad, reason, stale)
    if checkpoints and checkpoints[-1].seq > count:
        reason = f"is missing: the log ends before signed checkpoint {checkpoints[-1].seq}"
        return VerifyResult(False, count, n, count + 1, f"event {reason} (tail truncated)", stale)
    return VerifyResult(True, count, n, stale_pending=stale)


def _check_chain(
    chunks: Iterable[list[tuple[int, str, str]]], signed: dict[int, str]
) -> tuple[int, int | None, str]:
    """(events that check out, first bad sequence number or None, why). The hot loop of verify."""
    expected, prev, before_prev = 1, GENESIS, GENESIS
    for chunk in chunks:
        bad = _first_bad(chunk, expected, prev, before_prev, signed)
        if bad is not None:
            return bad
        expected += len(chunk)
        before_prev = chunk[-2][1] if len(chunk) > 1 else prev
        prev = chunk[-1][1]
    return expected - 1, None, ""


def _first_bad(
    rows: list[tuple[int, str, str]], expected: int, prev: str, before_prev: str, signed: dict
) -> tuple[int, int | None, str] | None:
    """The first bad event of a chunk (events before it that check out, its seq, why), or None."""
    sha256 = hashlib.sha256
    for seq, stored, line in rows:
        if seq != expected:
            why = "is missing" if seq > expected else "appears more than once"
            return expected - 1, expected, f"event {why}"
        if line[-64:] != prev:
            if seq >= 2 and line[-64:] == before_prev:  # the event in between is a forgery
                return seq - 2, seq - 1, "was inserted: the next event does not follow it"
            return seq - 1, seq, "does not follow the event before it"
        if sha256(line.encode()).hexdigest() != stored:
            return seq - 1, seq, "content does not match its hash (altered)"
        if seq in signed and signed[seq] != stored:
            earlier = max((s for s in signed if s < seq), default=0)
            return seq - 1, seq, f"differs from its signed checkpoint: rewritten after {earlier}"
        before_prev, prev = prev, stored
        expected += 1
    return None
