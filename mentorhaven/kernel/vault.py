"""The vault: envelope encryption at rest, per-subject data keys, crypto-shredding.

Key hierarchy::

    master key (KEK, versioned, from a KeyProvider: key file, env var, or a KMS)
      ├── wraps one data key per data subject (SubjectKey row, AES-256-GCM, version in the row;
      │   AAD = purpose/subject/version, the purpose telling the data key from the pseudonym secret)
      │     └── encrypts that subject's content (AES-256-GCM,
      │         AAD = table/column/row/subject/the attributes that decide who may read it)
      └── derives (HKDF) purpose keys (the MFA migration reads secrets sealed the old way with one)

Destroying a subject's data key (``shred``) makes every ciphertext under it unreadable at once,
in the database and its replicas, and in backups once the KEK of the backup's day is retired
(docs/operations.md, "Keys").

Data-key cache: unwrapping a data key costs a database read (and, with a KMS, a network call),
so unwrapped keys are cached in this process for ``VAULT_KEY_CACHE_SECONDS`` (default 30).
``shred`` evicts the key here at once; other processes stop using it when their entry expires,
so a shredded key works nowhere for longer than that bound. Shredded subjects are cached too,
so a page full of erased content costs one query, not one per row. A key first read inside a
transaction is re-checked before anything is written under it until that transaction commits:
a key created by a transaction that rolled back is never used again.

Errors raised here carry identifiers at most: never plaintext, ciphertext or key material.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import threading
import time
from pathlib import Path
from typing import NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel.errors import Erased

NONCE_BYTES = 12
KEY_BYTES = 32
FORMAT_VERSION = b"\x01"
_FORMAT_BYTE = FORMAT_VERSION[0]
_HEADER = 1 + NONCE_BYTES
VERSION_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
DEFAULT_CACHE_SECONDS = 30.0
CACHE_MAX_ENTRIES = 10_000


class VaultError(Exception):
    """A ciphertext could not be decrypted (tampered, moved, or under an unknown key), or the
    key configuration is unusable. The message never holds plaintext or key material."""


# --- key providers -----------------------------------------------------------------------------


class KeyProvider:
    """Where the master key (KEK) lives. Versions are short names (``v1``, ``v2``...).

    To add a KMS (HashiCorp Vault transit, AWS KMS...), subclass this and implement
    ``current_version``, ``versions``, ``wrap``, ``unwrap`` and ``derived_key``; point
    ``MENTORHAVEN_KEY_PROVIDER`` at the class. The KEK then never enters this process: only
    data keys travel, wrapped. ``add_version``/``retire_versions`` stay unimplemented when the
    KMS manages versions itself (``keys rotate --no-new-key`` then re-wraps to its current one).
    """

    def current_version(self) -> str:
        raise NotImplementedError

    def versions(self) -> list[str]:
        raise NotImplementedError

    def wrap(self, plaintext: bytes, aad: bytes, version: str) -> bytes:
        raise NotImplementedError

    def unwrap(self, blob: bytes, aad: bytes, version: str) -> bytes:
        raise NotImplementedError

    def derived_key(self, purpose: str, version: str) -> bytes:
        """A stable 32-byte key for ``purpose`` under KEK ``version`` (e.g. MFA secrets)."""
        raise NotImplementedError

    def add_version(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} does not create key versions")

    def retire_versions(self, keep: set[str]) -> list[str]:
        raise NotImplementedError(f"{type(self).__name__} does not retire key versions")

    def describe(self) -> str:
        return type(self).__name__


class LocalKeyProvider(KeyProvider):
    """A provider that holds the raw KEK versions in memory and wraps with AES-256-GCM."""

    def key(self, version: str) -> bytes:
        raise NotImplementedError

    @sensitive_variables()
    def wrap(self, plaintext: bytes, aad: bytes, version: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + AESGCM(self.key(version)).encrypt(nonce, plaintext, aad)

    @sensitive_variables()
    def unwrap(self, blob: bytes, aad: bytes, version: str) -> bytes:
        kek = self.key(version)
        try:
            return AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except Exception:
            raise VaultError("a wrapped key could not be unwrapped") from None

    @sensitive_variables()
    def derived_key(self, purpose: str, version: str) -> bytes:
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=KEY_BYTES,
            salt=b"mentorhaven-vault-derive",
            info=f"{purpose}\x1f{version}".encode(),
        )
        return hkdf.derive(self.key(version))


def _parse_keyring(text: str) -> dict[str, bytes]:
    """A key file holds one ``version:base64key`` per line; the last line is current."""
    ring: dict[str, bytes] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        version, _, encoded = line.partition(":")
        if not encoded:
            version, encoded = "v1", line
        if not VERSION_PATTERN.match(version):
            raise VaultError(f"master key line {number}: the version name is not valid")
        try:
            key = base64.urlsafe_b64decode(encoded.encode())
        except ValueError:
            raise VaultError(f"master key line {number} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise VaultError(f"master key {version} must be {KEY_BYTES} bytes")
        ring[version] = key
    if not ring:
        raise VaultError("the master key file holds no key")
    return ring


def _next_version(existing: list[str]) -> str:
    numbers = [int(v[1:]) for v in existing if re.fullmatch(r"v\d+", v)]
    return f"v{max(numbers, default=0) + 1}"


def new_key_line(version: str) -> str:
    return f"{version}:{base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def write_key_file(path: Path, content: str, *, exclusive: bool = False) -> None:
    """Write a key file with mode 0600, atomically (a crash leaves the old file intact).

    ``exclusive`` refuses to replace an existing file (``FileExistsError``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        return
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class FileKeyProvider(LocalKeyProvider):
    """The keyring from ``MENTORHAVEN_MASTER_KEY_FILE`` (or inline ``MENTORHAVEN_MASTER_KEY``).

    Outside production a missing file is created with one fresh key. Other processes see a
    rotation without a restart: an unknown version re-reads the file, and the current version
    is re-read at most every ``RELOAD_SECONDS``.
    """

    RELOAD_SECONDS = 30.0

    def __init__(self, path: str | None = None, inline: str | None = None):
        self.path = Path(path) if path else None
        self.inline = inline
        self._ring: dict[str, bytes] | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def _load(self) -> dict[str, bytes]:
        ring = self._ring
        if ring is None:
            with self._lock:
                if self._ring is None:
                    self._ring = self._read()
                    self._loaded_at = time.monotonic()
                ring = self._ring
        return ring

    def _read(self) -> dict[str, bytes]:
        if self.inline:
            return _parse_keyring(self.inline)
        if self.path is None:
            raise VaultError("no master key is configured")
        if not self.path.exists():
            if settings.PRODUCTION:
                raise VaultError("the master key file does not exist")
            with contextlib.suppress(FileExistsError):  # another process created it first
                write_key_file(self.path, new_key_line("v1") + "\n", exclusive=True)
        return _parse_keyring(self.path.read_text())

    def reload(self) -> None:
        with self._lock:
            self._ring = None

    def current_version(self) -> str:
        if time.monotonic() - self._loaded_at > self.RELOAD_SECONDS:
            self.reload()
        return list(self._load())[-1]

    def versions(self) -> list[str]:
        return list(self._load())

    def key(self, version: str) -> bytes:
        ring = self._load()
        if version not in ring:
            self.reload()  # a rotation in another process may have added it
            ring = self._load()
        try:
            return ring[version]
        except KeyError:
            raise VaultError(f"unknown master key version {version!r}") from None

    def _writable_path(self) -> Path:
        if self.inline or self.path is None:
            raise NotImplementedError(
                "the master key comes from MENTORHAVEN_MASTER_KEY: add a new 'version:key' "
                "line to it yourself (make one with `mentorhaven keys generate FILE`)"
            )
        return self.path

    def add_version(self) -> str:
        path = self._writable_path()
        self.reload()
        version = _next_version(self.versions())
        text = path.read_text()
        if text and not text.endswith("\n"):
            text += "\n"
        write_key_file(path, text + new_key_line(version) + "\n")
        self.reload()
        return version

    def retire_versions(self, keep: set[str]) -> list[str]:
        path = self._writable_path()
        self.reload()
        retired = [v for v in self.versions() if v not in keep]
        kept = [
            line
            for line in path.read_text().splitlines()
            if not line.strip()
            or line.strip().startswith("#")
            or line.strip().partition(":")[0] in keep
        ]
        write_key_file(path, "\n".join(kept) + "\n")
        self.reload()
        return retired

    def describe(self) -> str:
        return "inline MENTORHAVEN_MASTER_KEY" if self.inline else f"key file {self.path}"


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


# --- associated data ---------------------------------------------------------------------------


class Binding(NamedTuple):
    """Where a ciphertext lives. Bound as AAD: a ciphertext moved elsewhere does not decrypt.

    ``access`` carries the attributes that decide who may read the row (a note's ``shared`` flag
    and relationship, a message's conversation...), rendered by ``fields.access_context``:
    changing one of them in the database makes the ciphertext fail to authenticate instead of
    exposing it to a new audience. Empty for values whose readers follow from the subject alone.

    (A named tuple: immutable, and cheap to build on every field read.)
    """

    table: str
    column: str
    row: str
    subject: str
    access: str = ""

    def aad(self) -> bytes:
        base = f"{self.table}\x1f{self.column}\x1f{self.row}\x1f{self.subject}"
        if self.access:
            # A separator no rendered context contains, so (row, access) cannot be re-split.
            base = f"{base}\x1e{self.access}"
        return base.encode()


# --- data keys ---------------------------------------------------------------------------------


class _Entry:
    """One subject's unwrapped keys in this process; ``cipher`` is None once shredded."""

    __slots__ = ("cipher", "expires", "key", "loaded", "secret", "tentative")

    def __init__(self, key: bytes | None, secret: bytes | None, loaded: float, expires: float):
        self.key = key
        self.secret = secret
        self.cipher = AESGCM(key) if key is not None else None
        self.loaded = loaded
        self.expires = expires
        # The wrapped key as read inside a transaction not yet committed (None once committed).
        self.tentative: bytes | None = None


_cache: dict[int, _Entry] = {}


def _cache_seconds() -> float:
    return float(getattr(settings, "VAULT_KEY_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def forget_cached_keys(subject=None) -> None:
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
WRAP_PURPOSES = (DATA_KEY, PSEUDONYM_SECRET)
# Before kernel migration 0007 both were wrapped under this one label; kept for that migration.
LEGACY_WRAP_PURPOSE = "subject-key"


def _wrap_aad(subject_id: int, version: str, purpose: str) -> bytes:
    # The version is bound too: a wrapped key relabelled with another version does not unwrap.
    if purpose not in WRAP_PURPOSES and purpose != LEGACY_WRAP_PURPOSE:
        raise VaultError("unknown key purpose")
    return f"{purpose}\x1f{subject_id}\x1f{version}".encode()


@sensitive_variables()
def wrap_data_key(
    subject_id: int, data_key: bytes, version: str, *, purpose: str = DATA_KEY
) -> bytes:
    """Wrap a subject's data key (or, with ``purpose=PSEUDONYM_SECRET``, their secret)."""
    return key_provider().wrap(data_key, _wrap_aad(subject_id, version, purpose), version)


@sensitive_variables()
def unwrap_data_key(
    subject_id: int, wrapped: bytes | memoryview, version: str, *, purpose: str = DATA_KEY
) -> bytes:
    return key_provider().unwrap(bytes(wrapped), _wrap_aad(subject_id, version, purpose), version)


def _subject_id(subject) -> int:
    subject_id = subject if isinstance(subject, int) else getattr(subject, "pk", None)
    if not isinstance(subject_id, int):
        raise VaultError("a data subject must be a saved user or a user id")
    return subject_id


def _create_subject_key(subject_id: int):
    from mentorhaven.kernel.models import SubjectKey

    version = key_provider().current_version()
    try:
        with transaction.atomic():
            return SubjectKey.objects.create(
                subject_id=subject_id,
                kek_version=version,
                wrapped_key=wrap_data_key(subject_id, secrets.token_bytes(KEY_BYTES), version),
                wrapped_secret=wrap_data_key(
                    subject_id, secrets.token_bytes(KEY_BYTES), version, purpose=PSEUDONYM_SECRET
                ),
            )
    except IntegrityError:  # another request created it first
        return SubjectKey.objects.get(subject_id=subject_id)


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
        if transaction.get_connection().in_atomic_block and entry.key is not None:
            # The row may have been created by this very transaction: if it rolls back, the
            # key never existed. ``encrypt`` re-checks such entries until the commit, so that
            # nothing is ever written under a key that was not saved.
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


def _entry(subject, *, create: bool) -> _Entry:
    subject_id = subject if type(subject) is int else _subject_id(subject)
    entry = _cache.get(subject_id)
    if entry is None or not entry.loaded <= time.time() < entry.expires:
        entry = _load(subject_id, create=create)
    return entry


def data_key(subject, *, create: bool = True) -> bytes:
    """The subject's data key (created on first use). Raises ``Erased`` once shredded."""
    key = _entry(subject, create=create).key
    if key is None:
        raise Erased()
    return key


def subject_secret(subject) -> bytes | None:
    """A per-subject secret (for keyed pseudonyms), or ``None`` once the subject is shredded."""
    entry = _entry(subject, create=True)
    if entry.tentative is not None:
        entry = _confirmed(subject if type(subject) is int else _subject_id(subject), entry)
    return entry.secret


def is_shredded(subject) -> bool:
    from mentorhaven.kernel.models import SubjectKey

    return SubjectKey.objects.filter(
        subject_id=_subject_id(subject), shredded_at__isnull=False
    ).exists()


# --- encryption --------------------------------------------------------------------------------


@sensitive_variables()
def encrypt(subject, plaintext: bytes, binding: Binding) -> bytes:
    """Encrypt under the subject's data key; raises ``Erased`` if the subject was shredded."""
    entry = _entry(subject, create=True)
    if entry.tentative is not None:
        entry = _confirmed(subject if type(subject) is int else _subject_id(subject), entry)
    cipher = entry.cipher
    if cipher is None:
        raise Erased()
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT_VERSION + nonce + cipher.encrypt(nonce, plaintext, binding.aad())


def decrypt(subject, ciphertext: bytes, binding: Binding) -> bytes:
    """Decrypt, or raise ``Erased`` (key shredded) or ``VaultError`` (tampered or moved)."""
    if len(ciphertext) < _HEADER + 16 or ciphertext[0] != _FORMAT_BYTE:
        raise VaultError("not a vault ciphertext")
    cipher = _entry(subject, create=False).cipher
    if cipher is None:
        raise Erased()
    try:
        return cipher.decrypt(ciphertext[1:_HEADER], ciphertext[_HEADER:], binding.aad())
    except Exception:
        raise VaultError("ciphertext does not match its place or has been altered") from None


@transaction.atomic
def shred(subject) -> None:
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


# --- rotation ----------------------------------------------------------------------------------


@sensitive_variables()
def rewrap(row, version: str) -> None:
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
