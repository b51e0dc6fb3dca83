"""Background work of the privacy kernel."""

from __future__ import annotations

from django.tasks import task

from mentorhaven.kernel import audit


@task()
def audit_checkpoint() -> int | None:
    """Seal, then sign and anchor the head of the audit log now.

    The audit sealer already signs every ``AUDIT_CHECKPOINT_EVERY`` events and whenever an event
    has waited ``AUDIT_CHECKPOINT_SECONDS`` unsigned; enqueue this for an extra checkpoint at a
    moment of your choosing (before a backup, after an incident). Idempotent: with nothing new
    since the last checkpoint it signs nothing. Returns the sequence number covered.
    """
    cp = audit.checkpoint()
    return cp.seq if cp else None
