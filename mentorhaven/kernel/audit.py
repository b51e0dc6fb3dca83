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
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
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
# PostgreSQL advisory-lock key serialising appends (any constant unique to this use).
APPEND_LOCK_KEY = 0x4D48_4155  # "MHAU"
# A checkpoint is signed inside the append that reaches a multiple of AUDIT_CHECKPOINT_EVERY, so
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
        secret = vault.unwrap_data_key(subject_id, bytes(wrapped), version)
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


def _line_sql() -> str:
    """SQL that renders each row's canonical line exactly as ``event_line`` does in Python."""
    table = AuditEvent._meta.db_table
    texts = list(HASHED_FIELDS[2:10])
    if connection.vendor == "postgresql":
        # timestamptz as text: cheap to render; verify pins TimeZone and DateStyle first.
        cols = ["seq::text", "occurred_at::text", *texts, "coalesce(organization_id::text, '')"]
        line = f"concat_ws(chr(31), {', '.join([*cols, 'extra', 'prev_hash'])})"
    else:
        # SQLite keeps Django's text "YYYY-MM-DD HH:MM:SS[.ffffff]": trim the fraction's zeros.
        when = (
            "CASE WHEN instr(occurred_at, '.') = 0 THEN occurred_at "
            "ELSE rtrim(rtrim(occurred_at, '0'), '.') END || '+00'"
        )
        cols = ["CAST(seq AS TEXT)", when, *texts, "ifnull(organization_id, '')", "extra"]
        line = " || char(31) || ".join([*cols, "prev_hash"])
    return f"SELECT seq, hash, {line} FROM {table} ORDER BY seq"  # noqa: S608 (no input)


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


# --- appending -------------------------------------------------------------------------------


def _lock_tail() -> tuple[int, str]:
    """Take the append lock and read the tail (last seq and hash) under it.

    PostgreSQL: a transaction-scoped advisory lock, then the tail read in a *second statement* of
    the same round trip, so that its snapshot is taken after the lock is granted and includes the
    event the previous holder committed. SQLite: the settings use BEGIN IMMEDIATE, so a write
    transaction already holds the database's single write lock.
    """
    table = AuditEvent._meta.db_table
    tail = f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"  # noqa: S608 (no input)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock(%s); {tail}", [APPEND_LOCK_KEY])
            cursor.nextset()
        else:
            cursor.execute(tail)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


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
    # No savepoint: a failed append must fail the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False):
        last_seq, last_hash = _lock_tail()
        seq = last_seq + 1
        event = AuditEvent(seq=seq, occurred_at=timezone.now(), prev_hash=last_hash, **fields)
        event.hash = event_hash(event_values(event))
        event.save(force_insert=True)
        every = getattr(settings, "AUDIT_CHECKPOINT_EVERY", CHECKPOINT_EVERY)
        if every and seq % every == 0:
            try:
                _sign_checkpoint(seq, event.hash)
            except (AuditError, OSError, ValueError):
                # An unreadable key must not stop every write; `audit checkpoint` and `audit
                # verify` fail loudly on it instead, and the next multiple tries again.
                logger.exception("audit checkpoint at event %s could not be signed", seq)
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


@transaction.atomic
def checkpoint() -> AuditCheckpoint | None:
    """Sign the current tail of the log. Idempotent: nothing new since the last one, no new row."""
    seq, hash_ = _lock_tail()
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


def _chunks(batch: int) -> Iterator[list[tuple[int, str, str]]]:
    """(seq, hash, canonical line) in order, ``batch`` rows at a time.

    On PostgreSQL a server-side cursor streams the rows, and the next batch is fetched in a
    helper thread while this one is hashed: the database renders lines while Python hashes.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as settings_cursor:
            settings_cursor.execute("SET LOCAL TimeZone = 'UTC'")
            settings_cursor.execute("SET LOCAL DateStyle = 'ISO'")
    with connection.chunked_cursor() as cursor:
        cursor.execute(_line_sql())
        with ThreadPoolExecutor(max_workers=1) as prefetch:
            pending = prefetch.submit(cursor.fetchmany, batch)
            while rows := pending.result():
                pending = prefetch.submit(cursor.fetchmany, batch)
                yield rows


def verify(*, batch: int = 20000) -> VerifyResult:
    """Recompute the whole chain and check every checkpoint's signature against it.

    Names the first sequence number that does not check out: a missing or duplicated number, a
    row whose stored hash does not match its content, a row whose recorded predecessor is not the
    row before it, a signed checkpoint the chain no longer matches, or events missing from behind
    the last checkpoint (tail truncation). Events after the last checkpoint can only be checked
    for consistency; that is why checkpoints are frequent.
    """
    ring = key_ring()
    checkpoints = list(AuditCheckpoint.objects.order_by("seq"))
    n = len(checkpoints)
    for cp in checkpoints:
        if not signature_valid(cp.seq, cp.hash, cp.signed_at, cp.key_id, cp.signature, ring):
            return VerifyResult(False, 0, n, cp.seq, "checkpoint signature is not valid")
    with transaction.atomic():  # a server-side cursor lives inside a transaction
        count, bad, reason = _check_chain(_chunks(batch), {cp.seq: cp.hash for cp in checkpoints})
    if bad is not None:
        return VerifyResult(False, count, n, bad, reason)
    if checkpoints and checkpoints[-1].seq > count:
        reason = f"is missing: the log ends before signed checkpoint {checkpoints[-1].seq}"
        return VerifyResult(False, count, n, count + 1, f"event {reason} (tail truncated)")
    return VerifyResult(True, count, n)


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
