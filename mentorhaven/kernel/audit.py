"""The audit log: append-only, hash-chained, pseudonymous.

``record(...)`` appends one event inside the caller's transaction (STYLE.md #2: one audit event
per service, same transaction). Each event carries the SHA-256 of the previous event over a
canonical JSON encoding, so any altered, deleted, inserted or reordered row breaks the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.kernel.models import AuditEvent

GENESIS = "0" * 64
SYSTEM = "system"
ERASED = "erased"
# PostgreSQL advisory-lock key serialising appends (any constant unique to this use).
APPEND_LOCK_KEY = 0x4D48_4155  # "MHAU"

HASHED_FIELDS = (
    "seq", "occurred_at", "actor", "actor_role", "action", "target_type", "target_id",
    "subject", "purpose", "category", "organization_id", "extra", "prev_hash",
)


def pseudonym(user) -> str:
    """The keyed pseudonym of a person in the audit log; ``erased`` once they are shredded."""
    if user is None:
        return ""
    secret = vault.subject_secret(user)
    if secret is None:
        return ERASED
    return hmac.new(secret, b"mentorhaven-audit-pseudonym", hashlib.sha256).hexdigest()[:32]


def canonical(values: dict[str, Any]) -> bytes:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: values[k] for k in HASHED_FIELDS})).hexdigest()


def event_values(event: AuditEvent) -> dict[str, Any]:
    values = {f: getattr(event, f) for f in HASHED_FIELDS}
    values["occurred_at"] = event.occurred_at.isoformat()
    return values


def _lock_tail() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_KEY])
    # SQLite: the settings use BEGIN IMMEDIATE, so a write transaction already holds the lock.


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

    ``extra`` must hold identifiers only — never content.
    """
    with transaction.atomic():
        _lock_tail()
        last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
        seq = (last["seq"] + 1) if last else 1
        prev_hash = last["hash"] if last else GENESIS
        target_type, target_id = _target(target)
        event = AuditEvent(
            seq=seq,
            occurred_at=timezone.now(),
            actor=SYSTEM if actor is None else pseudonym(actor),
            actor_role=actor_role,
            action=action,
            target_type=target_type,
            target_id=target_id,
            subject=pseudonym(subject) if subject is not None else "",
            purpose=purpose,
            category=category,
            organization_id=getattr(organization, "pk", organization),
            extra=extra or {},
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event_values(event))
        event.save(force_insert=True)
        return event
