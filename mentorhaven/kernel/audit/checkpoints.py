"""Checkpoints: Ed25519 signatures over the chain's head, kept in the database and anchored
outside it.

Anyone who can write SQL as the tables' owner could rewrite events and recompute every later
hash; nobody without the signing key (``AUDIT_SIGNING_KEY_FILE``, outside the database) can sign
a matching checkpoint. Every checkpoint is also appended to the anchor store (``anchors``), so
deleting the newest events together with the newest checkpoints is caught too.

The sealer takes checkpoints by itself: at every multiple of ``AUDIT_CHECKPOINT_EVERY`` events
(``sealing._sign_crossed``) and, when events are few, once the oldest unsigned event is
``AUDIT_CHECKPOINT_SECONDS`` old (``checkpoint_if_due``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from mentorhaven.kernel.audit import anchors, keys
from mentorhaven.kernel.audit.chain import tail
from mentorhaven.kernel.models import AuditCheckpoint, AuditEvent

CHECKPOINT_SECONDS = 300


def sign(seq: int, hash_: str) -> AuditCheckpoint:
    """Sign the head (seq, hash) and keep the checkpoint in the database and the anchor store.

    Idempotent: a seq already signed (by this or another sealer) is returned as it is.
    """
    existing = AuditCheckpoint.objects.filter(seq=seq).first()
    if existing is not None:
        return existing
    signed_at = timezone.now()
    kid, signature = keys.sign(seq, hash_, signed_at)
    try:
        with transaction.atomic():
            cp = AuditCheckpoint.objects.create(
                seq=seq, hash=hash_, signed_at=signed_at, key_id=kid, signature=signature
            )
    except IntegrityError:  # another sealer signed this seq a moment ago (and anchored it)
        return AuditCheckpoint.objects.get(seq=seq)
    anchors.append(cp)
    return cp


def head() -> tuple[int, str]:
    with connection.cursor() as cursor:
        return tail(cursor)


def checkpoint_if_due(now: datetime | None = None) -> AuditCheckpoint | None:
    """Sign the head when the oldest event after the last checkpoint is older than
    ``AUDIT_CHECKPOINT_SECONDS``: no event stays unsigned (and unanchored) for longer."""
    seconds = getattr(settings, "AUDIT_CHECKPOINT_SECONDS", CHECKPOINT_SECONDS)
    if not seconds:
        return None
    last = AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    first = AuditEvent.objects.filter(seq=last + 1).values_list("occurred_at", flat=True).first()
    if first is None or first > (now or timezone.now()) - timedelta(seconds=seconds):
        return None
    seq, hash_ = head()
    return sign(seq, hash_)
