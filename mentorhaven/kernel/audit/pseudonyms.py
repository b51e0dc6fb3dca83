"""Keyed pseudonyms: how people and the things they touched appear in the audit log.

Nobody is named in an event. Actors and subjects appear as an HMAC of a fixed label under the
person's own pseudonym secret (held wrapped in the vault). Targets (the note, message or file
an event is about) and references in ``extra`` appear as an HMAC of their type and public id
under the secret of the person the event is about: its subject if it has one, else its actor;
only an event with neither uses a system key derived from the master key. So with a copy of the
database and no keys, no event can be joined to a user, a relationship or an e-mail address,
and once a person is erased (``vault.shred``) even the key holders cannot link their events
back to them or to what they touched, while the chain still verifies.

Re-identification goes through this module, with the keys: ``events_about`` and ``events_by``
find a person's events; ``resolve_actors`` names the actors of a page of events among candidate
users; ``target_pseudonym`` finds the events about one object.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterable
from typing import Any

from django.db import models

from mentorhaven.kernel import vault
from mentorhaven.kernel.audit.chain import SEP
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.kernel.people import PersonRef

SYSTEM = "system"  # the actor of what MentorHaven does by itself
ERASED = "erased"  # the pseudonym of anyone whose secret was shredded
PSEUDONYM_LABEL = b"mentorhaven-audit-pseudonym"
TARGET_LABEL = "mentorhaven-audit-target"
SYSTEM_KEY_PURPOSE = "audit-target-pseudonym"
LENGTH = 32  # hex digits kept: 128 bits

_system_keys: dict[str, bytes] = {}
_system_lock = threading.Lock()


def keyed_hash(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:LENGTH]


def pseudonym(user: PersonRef | None) -> str:
    """The keyed pseudonym of a person (a user or a user id); ``erased`` once shredded."""
    if user is None:
        return ""
    secret = vault.subject_secret(user)
    if secret is None:
        return ERASED
    return keyed_hash(secret, PSEUDONYM_LABEL)


def _secrets_of(user_ids: Iterable[int]) -> dict[int, bytes]:
    """The pseudonym secrets of those who have one, without creating any (a read path)."""
    from mentorhaven.kernel.models import SubjectKey

    rows = SubjectKey.objects.filter(
        subject_id__in=list(user_ids), shredded_at__isnull=True
    ).values_list("subject_id", "wrapped_secret", "kek_version")
    return {
        subject_id: vault.unwrap_data_key(
            subject_id, bytes(wrapped), version, purpose=vault.PSEUDONYM_SECRET
        )
        for subject_id, wrapped, version in rows
        if wrapped
    }


def pseudonyms_of(user_ids: Iterable[int]) -> dict[str, int]:
    """Pseudonym → user id for the given people, skipping the shredded and the never-recorded.

    Someone who never appeared in the log has no key row yet, hence no pseudonym to find.
    """
    return {
        keyed_hash(secret, PSEUDONYM_LABEL): subject_id
        for subject_id, secret in _secrets_of(user_ids).items()
    }


def resolve_actors(pseudonyms: Iterable[str], candidates: Iterable[int]) -> dict[str, int]:
    """Which of ``candidates`` (user ids) acted under which of ``pseudonyms``.

    The log holds no way back from a pseudonym to a person: the caller names who could have
    acted (e.g. the members of the viewer's organizations), and only those are recognised.
    """
    wanted = set(pseudonyms) - {"", SYSTEM, ERASED}
    if not wanted:
        return {}
    return {p: uid for p, uid in pseudonyms_of(candidates).items() if p in wanted}


def _existing(user: PersonRef) -> str:
    user_id = user if isinstance(user, int) else user.pk
    found = pseudonyms_of([user_id])
    return next(iter(found), "")


def events_about(user: PersonRef) -> models.QuerySet[AuditEvent]:
    """Every event whose data subject is ``user``, newest first (pending ones first of all).

    Nothing for someone erased or never recorded; computing this creates no key.
    """
    me = _existing(user)
    if not me:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(subject=me).order_by(
        models.F("seq").desc(nulls_first=True), "-id"
    )


def events_by(user: PersonRef) -> models.QuerySet[AuditEvent]:
    """Every event ``user`` did (for incident analysis), newest first."""
    me = _existing(user)
    if not me:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(actor=me).order_by(
        models.F("seq").desc(nulls_first=True), "-id"
    )


# --- targets and references --------------------------------------------------------------------


def target_parts(target: Any) -> tuple[str, str]:
    """(type, identifier) of what an event is about: a model instance (its public id if it has
    one), a ``(type, id)`` pair, or a bare identifier."""
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        ident = getattr(target, "public_id", None) or target.pk
        return target._meta.label_lower, str(ident)
    if isinstance(target, tuple):
        return str(target[0]), str(target[1])
    return "", str(target)


def _system_secret() -> bytes:
    provider = vault.key_provider()
    version = provider.current_version()
    with _system_lock:
        key = _system_keys.get(version)
        if key is None:
            key = _system_keys[version] = provider.derived_key(SYSTEM_KEY_PURPOSE, version)
        return key


def owner_secret(owner: PersonRef | str | None) -> bytes | None:
    """The key of whom an event is about (a user, a user id, or None for the system key);
    None once that person is erased."""
    if owner is None or owner == "":
        return _system_secret()
    if isinstance(owner, str):
        raise vault.VaultError("an owner is a user, a user id, or None for the system")
    return vault.subject_secret(owner)


def keyed_target(secret: bytes | None, kind: str, ident: str) -> str:
    if secret is None:
        return ERASED
    return keyed_hash(secret, SEP.join((TARGET_LABEL, kind, ident)).encode())


def target_pseudonym(owner: PersonRef | None, target: Any) -> str:
    """The pseudonym of ``target`` in events about ``owner`` (their subject, else their actor;
    None: events about nobody). Use it to find the events about one object::

        events_about(cara).filter(target_id=target_pseudonym(cara, note))
    """
    kind, ident = target_parts(target)
    if not ident:
        return ""
    return keyed_target(owner_secret(owner), kind, ident)
