"""The audit log: append-only, hash-chained, pseudonymous, with signed and anchored checkpoints.

What the rest of MentorHaven uses:

* ``record(...)`` / ``record_access(...)``: append events in the caller's transaction
  (``recording``); the action must be declared with ``declare(...)`` (``actions``).
* ``seal()``: number and chain pending events; the audit sealer runs it (``sealing``,
  ``sealer``). ``checkpoint()``: seal, then sign and anchor the head (``sealing``,
  ``checkpoints``, ``anchors``). ``verify()``: check it all (``verification``).
* ``pseudonym``, ``pseudonyms_of``, ``resolve_actors``, ``events_about``, ``events_by``,
  ``target_pseudonym``: find people's events again, with the keys (``pseudonyms``).
* ``activity``: who appears how often in some actions lately, for monitoring rules.
* ``impact``: whose data a compromised account or a time window touched (``impact``).
* ``access_groups_about``, ``event_counts_by_organization``, ``last_checkpoint``: what pages
  read of the log (``selectors``); apps never query the audit tables themselves.

The design, its threat model and its limits are in docs/privacy.md ("Audit").
"""

from mentorhaven.kernel.audit.actions import Action, all_actions, declare, declared, sentence
from mentorhaven.kernel.audit.errors import AuditError
from mentorhaven.kernel.audit.impact import Impact, Touched, impact
from mentorhaven.kernel.audit.keys import generate_key_file
from mentorhaven.kernel.audit.monitoring import activity
from mentorhaven.kernel.audit.pseudonyms import (
    ERASED,
    SYSTEM,
    events_about,
    events_by,
    pseudonym,
    pseudonyms_of,
    resolve_actors,
    target_pseudonym,
)
from mentorhaven.kernel.audit.recording import record, record_access
from mentorhaven.kernel.audit.sealer import run_sealer
from mentorhaven.kernel.audit.sealing import checkpoint, seal
from mentorhaven.kernel.audit.selectors import (
    access_groups_about,
    event_counts_by_organization,
    last_checkpoint,
    recent_events_about,
)
from mentorhaven.kernel.audit.verification import PENDING_GRACE_SECONDS, VerifyResult, verify

__all__ = [
    "ERASED",
    "PENDING_GRACE_SECONDS",
    "SYSTEM",
    "Action",
    "AuditError",
    "Impact",
    "Touched",
    "VerifyResult",
    "access_groups_about",
    "activity",
    "all_actions",
    "checkpoint",
    "declare",
    "declared",
    "event_counts_by_organization",
    "events_about",
    "events_by",
    "generate_key_file",
    "impact",
    "last_checkpoint",
    "pseudonym",
    "pseudonyms_of",
    "recent_events_about",
    "record",
    "record_access",
    "resolve_actors",
    "run_sealer",
    "seal",
    "sentence",
    "target_pseudonym",
    "verify",
]
