"""Recording: validate an event, pseudonymise it, and insert it *pending*.

``record(...)`` appends one event inside the caller's transaction (STYLE.md #2: one audit event
per service, same transaction). ``record_access(...)`` is the same for a *read* of people's
sensitive data, one event per person read, in one INSERT; selectors call it, and each person can
then see who looked and why.

The row is written pending (no sequence number, no hashes) and takes no lock, so recording
transactions commit in parallel. The audit sealer (``sealing.seal``) numbers and chains it after
the commit.

Identifiers only, never content. ``extra`` holds counts, booleans and short codes ("totp",
"not_this_person"); a reference to another object is passed as the object itself and stored as
its keyed pseudonym, like the target. Row ids, UUIDs, slugs, e-mail addresses and sentences are
refused with ``AuditError``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import Model
from django.utils import timezone

from mentorhaven.kernel import vault
from mentorhaven.kernel.audit import actions
from mentorhaven.kernel.audit.chain import TEXT_FIELDS, table
from mentorhaven.kernel.audit.errors import AuditError
from mentorhaven.kernel.audit.pseudonyms import (
    ERASED,
    PSEUDONYM_LABEL,
    SYSTEM,
    keyed_hash,
    keyed_target,
    owner_secret,
    target_parts,
)
from mentorhaven.kernel.models import AuditEvent, canonical_json
from mentorhaven.kernel.people import PersonRef

EXTRA_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
# A short code: starts with a letter, no "-" (slugs), no "@" (addresses), and too short for a
# UUID or a pseudonym (32 hex digits).
CODE = re.compile(r"([A-Za-z][A-Za-z0-9_.]{0,23})?")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_EXTRA_ITEMS = 50
# Rows per INSERT statement: a read naming a whole program (two thousand people) stays within
# every database's limit on parameters (PostgreSQL: 65,535; 11 per row).
ROWS_PER_INSERT = 1000

INSERTED_FIELDS = ("occurred_at", *TEXT_FIELDS, "organization_id", "extra", "prev_hash", "hash")


def _check_text(name: str, value: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit or CONTROL.search(value):
        raise AuditError(f"audit {name} must be at most {limit} characters, without control codes")
    return value


def _value(key: str, value: Any, secret: bytes | None) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, models.Model):  # a reference: pseudonymised like the target
        return keyed_target(secret, *target_parts(value))
    if isinstance(value, str) and CODE.fullmatch(value):
        return value
    if isinstance(value, uuid.UUID):
        raise AuditError(
            f"audit extra {key!r}: a UUID identifies a row; pass the object itself, which is "
            "stored as a keyed pseudonym"
        )
    raise AuditError(
        f"audit extra {key!r} must be a count, a boolean, a short code (a letter, then letters, "
        "digits, _ or ., at most 24) or an object reference, never content or an identifier"
    )


def validate_extra(extra: dict[str, Any] | None, secret: bytes | None = None) -> dict[str, Any]:
    """Counts, booleans, None, short codes, object references (pseudonymised with ``secret``),
    or lists of those. Anything else raises ``AuditError``: the audit log must never become a
    second copy of the content it describes, nor a way to join events to people."""
    if not extra:
        return {}
    if not isinstance(extra, dict) or len(extra) > MAX_EXTRA_ITEMS:
        raise AuditError("audit extra must be a small dict of counts, flags and codes")
    clean: dict[str, Any] = {}
    for key, value in extra.items():
        if not isinstance(key, str) or not EXTRA_KEY.fullmatch(key):
            raise AuditError(f"audit extra key {key!r} must be a lower-case name")
        if isinstance(value, list | tuple):
            if len(value) > MAX_EXTRA_ITEMS:
                raise AuditError(f"audit extra {key!r} holds too many items")
            clean[key] = [_value(key, item, secret) for item in value]
        else:
            clean[key] = _value(key, value, secret)
    return clean


def _category(action: actions.Action, category: str) -> str:
    category = str(category or "")
    if action.category and category and category != action.category:
        raise AuditError(
            f"audit action {action.name!r} is declared with category {action.category!r}, "
            f"not {category!r}"
        )
    category = category or action.category
    if category and category not in actions.CATEGORIES:
        raise AuditError(f"audit category {category!r} must be one of {sorted(actions.CATEGORIES)}")
    return category


def _secret(person: PersonRef, known: dict[int, bytes | None] | None) -> bytes | None:
    if known is not None:
        key = person if isinstance(person, int) else getattr(person, "pk", None)
        if key in known:
            return known[key]
    return vault.subject_secret(person)


def _people(
    actor: PersonRef | None, subject: PersonRef | None, known: dict[int, bytes | None] | None = None
) -> tuple[str, str, bytes | None]:
    """(actor pseudonym, subject pseudonym, the key of whom the event is about); ``known``:
    secrets already fetched (``vault.subject_secrets``) by user id."""
    actor_secret = None if actor is None else _secret(actor, known)
    if actor is None:
        actor_name = SYSTEM
    else:
        actor_name = ERASED if actor_secret is None else keyed_hash(actor_secret, PSEUDONYM_LABEL)
    if subject is None:
        return actor_name, "", owner_secret(None) if actor is None else actor_secret
    subject_secret = _secret(subject, known)
    subject_name = ERASED if subject_secret is None else keyed_hash(subject_secret, PSEUDONYM_LABEL)
    return actor_name, subject_name, subject_secret


def _build(
    *,
    action: str,
    actor: PersonRef | None,
    actor_role: str,
    target: Any,
    subject: PersonRef | None,
    purpose: str,
    category: str,
    organization: Model | int | None,
    extra: dict[str, Any] | None,
    known: dict[int, bytes | None] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    declared = actions.declared(action)
    target_type, target_id = target_parts(target)
    _check_text("target_type", target_type, 64)
    _check_text("target_id", target_id, 200)
    actor_name, subject_name, secret = _people(actor, subject, known)
    fields: dict[str, Any] = {
        "occurred_at": at or timezone.now(),
        "actor": actor_name,
        "actor_role": _check_text("actor_role", actor_role, 32),
        "action": action,
        "target_type": target_type,
        "target_id": keyed_target(secret, target_type, target_id) if target_id else "",
        "subject": subject_name,
        "purpose": _check_text("purpose", purpose, 200),
        "category": _category(declared, category),
        "organization_id": getattr(organization, "pk", organization),
        "extra": validate_extra(extra, secret),
    }
    return AuditEvent(prev_hash="", hash="", **fields)


def _insert(events: list[AuditEvent]) -> None:
    """One plain multi-row INSERT of pending events: the ORM's per-call SQL compilation would
    cost about as much as the insert itself on this hot path (every sensitive read appends)."""
    if not events:
        return
    for start in range(0, len(events), ROWS_PER_INSERT):
        _insert_rows(events[start : start + ROWS_PER_INSERT])


def _insert_rows(events: list[AuditEvent]) -> None:
    width = len(INSERTED_FIELDS)
    params: list[Any] = []
    for event in events:
        values = [getattr(event, name) for name in INSERTED_FIELDS]
        values[0] = connection.ops.adapt_datetimefield_value(event.occurred_at)
        values[width - 3] = canonical_json(event.extra or {})
        params += values
    row = f"({', '.join(['%s'] * width)})"
    sql = (
        f"INSERT INTO {table()} ({', '.join(INSERTED_FIELDS)}) "  # noqa: S608 (no input)
        f"VALUES {', '.join([row] * len(events))}"
    )
    with connection.cursor() as cursor:
        if connection.features.can_return_rows_from_bulk_insert:
            cursor.execute(f"{sql} RETURNING id", params)
            ids = [r[0] for r in cursor.fetchall()]
        else:  # pragma: no cover (every supported database returns rows)
            cursor.execute(sql, params)
            ids = [cursor.lastrowid - len(events) + 1 + i for i in range(len(events))]
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding, event._state.db = False, connection.alias


def record(
    *,
    action: str,
    actor: PersonRef | None = None,
    actor_role: str = "",
    target: Any = None,
    subject: PersonRef | None = None,
    purpose: str = "",
    category: str = "",
    organization: Model | int | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one pending event in the caller's transaction. ``actor=None`` means MentorHaven
    itself (``system``).

    ``action`` must be declared (``actions.declare``); ``category`` defaults to the action's.
    ``purpose`` is a short phrase written in the code ("invite a person into a program"), never
    user input; ``extra`` holds counts, flags, codes and object references only (see
    ``validate_extra``). The returned event has no ``seq`` until the sealer chains it.
    """
    event = _build(
        action=action,
        actor=actor,
        actor_role=actor_role,
        target=target,
        subject=subject,
        purpose=purpose,
        category=category,
        organization=organization,
        extra=extra,
    )
    _insert([event])
    return event


def _same_person(a: PersonRef, b: PersonRef) -> bool:
    return getattr(a, "pk", a) == getattr(b, "pk", b)


def record_access(
    *,
    viewer: PersonRef | None,
    category: str,
    purpose: str,
    subject: PersonRef | None = None,
    subjects: Iterable[PersonRef] = (),
    target: Any = None,
    action: str = "data.read",
    actor_role: str = "",
    organization: Model | int | None = None,
    extra: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """Record that ``viewer`` read the sensitive data (of ``category``) of ``subject`` or of
    each of ``subjects``, and why: one event per person, all in one INSERT.

    Selectors call this once per view or batch (a page of messages, a list of files, a match
    run), naming everyone whose data it shows, so each person can see it on "Who accessed my
    data". The pseudonym keys of everyone named are fetched together
    (``vault.subject_secrets``): a read costs the same few queries for one person as for two
    thousand. A person reading their own data is not recorded: it tells them nothing and would
    drown the page.
    """
    people = [subject] if subject is not None else []
    people += list(subjects)
    seen: set[Any] = set()
    chosen = []
    for person in people:
        key = getattr(person, "pk", person)
        if key in seen or (viewer is not None and _same_person(viewer, person)):
            continue
        seen.add(key)
        chosen.append(person)
    if not chosen:
        return []
    known = vault.subject_secrets([*chosen, *([viewer] if viewer is not None else [])])
    at = timezone.now()  # one read, one moment: the events of a batch share their time
    events = [
        _build(
            action=action,
            actor=viewer,
            actor_role=actor_role,
            target=target,
            subject=person,
            purpose=purpose,
            category=category,
            organization=organization,
            extra=extra,
            known=known,
            at=at,
        )
        for person in chosen
    ]
    _insert(events)
    return events
