"""Per-subject data keys: wrapped under the KEK, cached in this process for a bounded
time, shredded."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.people import PersonRef
from mentorhaven.kernel.vault.base import (
    CACHE_MAX_ENTRIES,
    DEFAULT_CACHE_SECONDS,
    KEY_BYTES,
    VaultError,
)
from mentorhaven.kernel.vault.providers import FileKeyProvider, KeyProvider

if TYPE_CHECKING:
    from mentorhaven.kernel.models import SubjectKey

_provider: KeyProvider | None = None


_provider_lock = threading.Lock()


def key_provider() -> KeyProvider:
    global _provider
    provider = _provider
    if provider is None:
        with _provider_lock:
            if _provider is None:
                dotted = getattr(settings, "VAULT_KEY_PROVIDER", None)
                if dotted:
                    _provider = import_string(dotted)()
                else:
                    _provider = FileKeyProvider(
                        path=settings.MASTER_KEY_FILE, inline=settings.MASTER_KEY
                    )
            provider = _provider
    return provider


def set_key_provider(provider: KeyProvider | None) -> None:
    """Swap the provider (tests, a KMS integration); ``None`` goes back to the settings."""
    global _provider
    with _provider_lock:
        _provider = provider
    forget_cached_keys()


class _Entry:
    """One subject's unwrapped keys in this process; ``cipher`` is None once shredded."""

    __slots__ = ("cipher", "expires", "key", "loaded", "secret", "tentative")

    def __init__(
        self, key: bytes | None, secret: bytes | None, loaded: float, expires: float
    ) -> None:
        self.key = key
        self.secret = secret
        self.cipher = AESGCM(key) if key is not None else None
        self.loaded = loaded
        self.expires = expires
        # The wrapped key as read inside a transaction not yet committed (None once committed).
        self.tentative: bytes | None = None


_cache: dict[int, _Entry] = {}

# Subjects whose key row this process created inside a transaction that has not (yet) been seen
# to commit. Only such a row can still vanish in a rollback: a row another transaction made is
# visible here only once committed. So only keys read while their subject is listed here are
# ``tentative`` (checked against the stored row before each use until the commit); a bulk write
# inside one transaction does not re-read the key of every person it encrypts for. An id whose
# creating transaction rolled back stays listed, which only costs those checks.
_created_pending: set[int] = set()


def _note_created(subject_ids: list[int]) -> None:
    if transaction.get_connection().in_atomic_block:
        _created_pending.update(subject_ids)
        transaction.on_commit(partial(_created_pending.difference_update, subject_ids))


def forget_pending_creations() -> None:
    """Forget which key rows this process created in transactions not seen to commit. Only
    for a process whose every such transaction has ended (a test suite between tests, where
    each test's transaction is rolled back and its ids are used again)."""
    _created_pending.clear()


def _may_roll_back(subject_id: int) -> bool:
    return subject_id in _created_pending and transaction.get_connection().in_atomic_block


def _cache_seconds() -> float:
    return float(getattr(settings, "VAULT_KEY_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def forget_cached_keys(subject: PersonRef | None = None) -> None:
    """Drop unwrapped keys from this process (one subject, or all of them)."""
    if subject is None:
        _cache.clear()
    else:
        _cache.pop(_subject_id(subject), None)


# What a wrapped key is for, bound into its associated data: a data key and a pseudonym secret
# are wrapped under different purposes, so one cannot be passed off as the other (swapping the
# two columns of a SubjectKey row makes both fail to unwrap).
DATA_KEY = "data-key"


PSEUDONYM_SECRET = "pseudonym-secret"  # noqa: S105 (a purpose label, not a secret)


# The key of a safeguarding case (privacy/erasure/safeguarding.py): evidence kept for the
# program's safeguarding staff, wrapped under the KEK like a data key but bound to a case id,
# so it survives the shredding of the people the case is about.
CASE_KEY = "case-key"

# The key of a survey (community/surveys.py): anonymous answers belong to nobody, so their free
# text and the ballots waiting to be released are sealed under a key bound to the survey's id.
SURVEY_KEY = "survey-key"


# An organization's OpenID Connect client secret (accounts.IdentityProvider), wrapped as is.
SSO_CLIENT_SECRET = "sso-client-secret"  # noqa: S105 - a wrapping label, not a secret
WRAP_PURPOSES = (DATA_KEY, PSEUDONYM_SECRET, CASE_KEY, SURVEY_KEY, SSO_CLIENT_SECRET)


# Before kernel migration 0007 both were wrapped under this one label; kept for that migration.
LEGACY_WRAP_PURPOSE = "subject-key"


def _wrap_aad(subject_id: int | str, version: str, purpose: str) -> bytes:
    # The version is bound too: a wrapped key relabelled with another version does not unwrap.
    if purpose not in WRAP_PURPOSES and purpose != LEGACY_WRAP_PURPOSE:
        raise VaultError("unknown key purpose")
    return f"{purpose}\x1f{subject_id}\x1f{version}".encode()


@sensitive_variables()
def wrap_data_key(
    subject_id: int | str, data_key: bytes, version: str, *, purpose: str = DATA_KEY
) -> bytes:
    """Wrap a subject's data key (or, with ``purpose=PSEUDONYM_SECRET``, their secret)."""
    return key_provider().wrap(data_key, _wrap_aad(subject_id, version, purpose), version)


@sensitive_variables()
def unwrap_data_key(
    subject_id: int | str, wrapped: bytes | memoryview, version: str, *, purpose: str = DATA_KEY
) -> bytes:
    return key_provider().unwrap(bytes(wrapped), _wrap_aad(subject_id, version, purpose), version)


def _subject_id(subject: PersonRef) -> int:
    subject_id = subject if isinstance(subject, int) else getattr(subject, "pk", None)
    if not isinstance(subject_id, int):
        raise VaultError("a data subject must be a saved user or a user id")
    return subject_id


def _create_subject_key(subject_id: int) -> SubjectKey:
    from mentorhaven.kernel.models import SubjectKey

    version = key_provider().current_version()
    try:
        with transaction.atomic():
            row = SubjectKey.objects.create(
                subject_id=subject_id,
                kek_version=version,
                wrapped_key=wrap_data_key(subject_id, secrets.token_bytes(KEY_BYTES), version),
                wrapped_secret=wrap_data_key(
                    subject_id, secrets.token_bytes(KEY_BYTES), version, purpose=PSEUDONYM_SECRET
                ),
            )
    except IntegrityError:  # another request created it first (and committed it)
        return SubjectKey.objects.get(subject_id=subject_id)
    _note_created([subject_id])
    return row


@sensitive_variables()
def _load(subject_id: int, *, create: bool) -> _Entry:
    from mentorhaven.kernel.models import SubjectKey

    row = SubjectKey.objects.filter(subject_id=subject_id).first()
    if row is None:
        if not create:
            return _Entry(None, None, 0.0, 0.0)  # nothing was ever encrypted: do not cache
        row = _create_subject_key(subject_id)
    # Wall-clock time (not monotonic) so that tests can travel; a clock stepping backwards
    # invalidates the entry rather than stretching its life.
    loaded = time.time()
    expires = loaded + _cache_seconds()
    if row.shredded_at is not None or not row.wrapped_key:
        entry = _Entry(None, None, loaded, expires)
    else:
        key = unwrap_data_key(subject_id, row.wrapped_key, row.kek_version)
        secret = unwrap_data_key(
            subject_id, row.wrapped_secret, row.kek_version, purpose=PSEUDONYM_SECRET
        )
        entry = _Entry(key, secret, loaded, expires)
    if _cache_seconds() > 0:
        if entry.key is not None and _may_roll_back(subject_id):
            # The row was created by this very transaction: if it rolls back, the key never
            # existed. ``encrypt`` re-checks such entries until the commit, so that nothing is
            # ever written under a key that was not saved.
            entry.tentative = bytes(row.wrapped_key)
            transaction.on_commit(lambda: setattr(entry, "tentative", None))
        if len(_cache) >= CACHE_MAX_ENTRIES:
            _cache.pop(next(iter(_cache)), None)
        _cache[subject_id] = entry
    return entry


def _confirmed(subject_id: int, entry: _Entry) -> _Entry:
    from mentorhaven.kernel.models import SubjectKey

    stored = SubjectKey.objects.filter(subject_id=subject_id).values_list("wrapped_key").first()
    if stored is not None and bytes(stored[0]) == entry.tentative:
        return entry
    _cache.pop(subject_id, None)  # rolled back (or re-wrapped): load what is really stored
    return _load(subject_id, create=True)


def _entry(subject: PersonRef, *, create: bool) -> _Entry:
    subject_id = subject if type(subject) is int else _subject_id(subject)
    entry = _cache.get(subject_id)
    if entry is None or not entry.loaded <= time.time() < entry.expires:
        entry = _load(subject_id, create=create)
    return entry


def data_key(subject: PersonRef, *, create: bool = True) -> bytes:
    """The subject's data key (created on first use). Raises ``Erased`` once shredded."""
    key = _entry(subject, create=create).key
    if key is None:
        raise Erased()
    return key


def subject_secret(subject: PersonRef) -> bytes | None:
    """A per-subject secret (for keyed pseudonyms), or ``None`` once the subject is shredded."""
    entry = _entry(subject, create=True)
    if entry.tentative is not None:
        entry = _confirmed(subject if type(subject) is int else _subject_id(subject), entry)
    return entry.secret


@sensitive_variables()
def _load_many(
    subject_ids: list[int], rows: dict[int, SubjectKey] | None = None
) -> dict[int, _Entry]:
    """Load (creating any missing) the keys of ``subject_ids`` into the cache, and return them
    (more people than the cache holds push the first ones out of it again): one query, plus
    two when someone has no key row yet; none but those two when ``rows`` (the stored rows by
    subject id, read by the caller) are given. Same rules as ``_load``, for a list."""
    from mentorhaven.kernel.models import SubjectKey

    if rows is None:
        rows = {r.subject_id: r for r in SubjectKey.objects.filter(subject_id__in=subject_ids)}
    missing = [subject_id for subject_id in subject_ids if subject_id not in rows]
    if missing:
        version = key_provider().current_version()
        new = [
            SubjectKey(
                subject_id=subject_id,
                kek_version=version,
                wrapped_key=wrap_data_key(subject_id, secrets.token_bytes(KEY_BYTES), version),
                wrapped_secret=wrap_data_key(
                    subject_id, secrets.token_bytes(KEY_BYTES), version, purpose=PSEUDONYM_SECRET
                ),
            )
            for subject_id in missing
        ]
        # Another request may create some first: theirs are kept (the conflict is ignored, so
        # no savepoint is needed) and read back below with the rest.
        SubjectKey.objects.bulk_create(new, ignore_conflicts=True)
        _note_created(missing)  # some may be another request's: checking those too is harmless
        rows = rows | {r.subject_id: r for r in SubjectKey.objects.filter(subject_id__in=missing)}
    loaded = time.time()
    expires = loaded + _cache_seconds()
    made: dict[int, _Entry] = {}
    for subject_id in subject_ids:
        row = rows[subject_id]
        if row.shredded_at is not None or not row.wrapped_key:
            entry = _Entry(None, None, loaded, expires)
        else:
            entry = _Entry(
                unwrap_data_key(subject_id, row.wrapped_key, row.kek_version),
                unwrap_data_key(
                    subject_id, row.wrapped_secret, row.kek_version, purpose=PSEUDONYM_SECRET
                ),
                loaded,
                expires,
            )
            if _may_roll_back(subject_id):
                entry.tentative = bytes(row.wrapped_key)
                transaction.on_commit(partial(setattr, entry, "tentative", None))
        if len(_cache) >= CACHE_MAX_ENTRIES:
            _cache.pop(next(iter(_cache)), None)
        _cache[subject_id] = made[subject_id] = entry
    return made


def subject_secrets(subjects: Iterable[PersonRef]) -> dict[int, bytes | None]:
    """``subject_secret`` for many people at once (users or user ids): user id → secret, or
    None for the shredded.

    One read serves both the keys not cached (or expired) and those cached from a transaction
    not yet committed (re-checked, in case it rolled back or they were re-wrapped), so the number
    of queries grows neither with the number of people (an audit event naming everyone on a
    page) nor with how many of their keys happen to have left the cache: one query, or none
    when every key is cached and committed (two more when someone has no key yet)."""
    from mentorhaven.kernel.models import SubjectKey

    ids = list(dict.fromkeys(_subject_id(s) for s in subjects))
    now = time.time()
    have = {i: e for i in ids if (e := _cache.get(i)) is not None and e.loaded <= now < e.expires}
    stale = [i for i in ids if i not in have]
    fresh = set(stale)
    unsure = {
        i: e.tentative
        for i in ids
        if i not in fresh and (e := _cache.get(i)) is not None and e.tentative
    }
    if stale or unsure:
        rows = {
            r.subject_id: r for r in SubjectKey.objects.filter(subject_id__in=[*stale, *unsure])
        }
        changed = [
            i
            for i, key in unsure.items()
            if i not in rows or bytes(rows[i].wrapped_key or b"") != key
        ]
        for subject_id in changed:  # rolled back or re-wrapped: load what is really stored
            _cache.pop(subject_id, None)
        made = _load_many([*stale, *changed], rows) if stale or changed else {}
    else:
        made = {}
    result: dict[int, bytes | None] = {}
    for subject_id in ids:
        # What was in hand, not what the cache still holds: past the cache's size, loading a
        # long list pushes its first people out again (one query each after that: a minute
        # for 60,000 people).
        entry = made.get(subject_id) or have.get(subject_id)
        if entry is None:  # the cache is off (VAULT_KEY_CACHE_SECONDS = 0) or overflowed
            entry = _entry(subject_id, create=True)
        result[subject_id] = entry.secret
    return result


def is_shredded(subject: PersonRef) -> bool:
    from mentorhaven.kernel.models import SubjectKey

    return SubjectKey.objects.filter(
        subject_id=_subject_id(subject), shredded_at__isnull=False
    ).exists()


@transaction.atomic
def shred(subject: PersonRef) -> None:
    """Destroy the subject's data key and secret: all their content becomes unreadable.

    Irreversible. A subject without a key row gets a shredded one, so no key is ever made for
    them later. This process forgets the key at once (and again on commit, in case another
    thread reloaded it meanwhile); other processes within ``VAULT_KEY_CACHE_SECONDS``.
    """
    from django.utils import timezone

    from mentorhaven.kernel.models import SubjectKey

    subject_id = _subject_id(subject)
    SubjectKey.objects.update_or_create(
        subject_id=subject_id,
        defaults={"wrapped_key": b"", "wrapped_secret": b"", "shredded_at": timezone.now()},
    )
    _cache.pop(subject_id, None)
    transaction.on_commit(lambda: _cache.pop(subject_id, None))


def shred_subject(subject: PersonRef) -> None:
    """Erase a person cryptographically: their data key and their audit pseudonym secret go
    together (``shred``). Named for the erasure job, which reads as a list of what it destroys."""
    shred(subject)


@sensitive_variables()
def rewrap(row: SubjectKey, version: str) -> None:
    """Re-wrap one SubjectKey row under KEK ``version`` in place (the caller saves it).

    The data key itself is unchanged, so no content is re-encrypted. Shredded rows only get the
    new version label: there is nothing left to wrap.
    """
    if row.kek_version == version:
        return
    if row.wrapped_key:
        key = unwrap_data_key(row.subject_id, row.wrapped_key, row.kek_version)
        secret = unwrap_data_key(
            row.subject_id, row.wrapped_secret, row.kek_version, purpose=PSEUDONYM_SECRET
        )
        row.wrapped_key = wrap_data_key(row.subject_id, key, version)
        row.wrapped_secret = wrap_data_key(
            row.subject_id, secret, version, purpose=PSEUDONYM_SECRET
        )
    row.kek_version = version


@sensitive_variables()
def rewrap_object_key(row: Any, version: str, *, purpose: str) -> None:
    """Re-wrap the key of an object that owns one (a survey, a safeguarding case: ``wrapped_key``
    and ``kek_version`` columns, bound to the object's ``public_id``) under KEK ``version``, in
    place (the caller saves it). The key itself is unchanged, so nothing is re-encrypted."""
    if row.kek_version == version:
        return
    owner = str(row.public_id)
    key = unwrap_data_key(owner, row.wrapped_key, row.kek_version, purpose=purpose)
    row.wrapped_key = wrap_data_key(owner, key, version, purpose=purpose)
    row.kek_version = version
