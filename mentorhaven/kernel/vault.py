"""The vault: envelope encryption at rest, per-subject data keys, crypto-shredding.

Key hierarchy::

    master key (KEK, from MENTORHAVEN_MASTER_KEY[_FILE], behind a KeyProvider)
      └── wraps one data key per data subject (SubjectKey row, AES-256-GCM)
            └── encrypts that subject's content (AES-256-GCM, AAD = table/column/row/subject)

Destroying a subject's data key (``shred``) makes every ciphertext under it unreadable at once,
in the database, its replicas and its backups alike.
"""

from __future__ import annotations

import base64
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, transaction

from mentorhaven.kernel.errors import Erased

NONCE_BYTES = 12
KEY_BYTES = 32
FORMAT_VERSION = b"\x01"


class VaultError(Exception):
    """A ciphertext could not be decrypted: tampered, moved, or under an unknown key."""


# --- key provider ------------------------------------------------------------------------------


class KeyProvider:
    """Where the master key comes from. A KMS-backed provider implements the same two methods."""

    def current_version(self) -> str:
        raise NotImplementedError

    def key(self, version: str) -> bytes:
        raise NotImplementedError


def _parse_keyring(text: str) -> dict[str, bytes]:
    """A key file holds one ``version:base64key`` per line; the last line is current."""
    ring: dict[str, bytes] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        version, _, encoded = line.partition(":")
        if not encoded:
            version, encoded = "v1", line
        key = base64.urlsafe_b64decode(encoded.encode())
        if len(key) != KEY_BYTES:
            raise VaultError(f"master key {version} must be {KEY_BYTES} bytes")
        ring[version] = key
    if not ring:
        raise VaultError("the master key file holds no key")
    return ring


def new_key_line(version: str) -> str:
    return f"{version}:{base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def write_key_file(path: Path, content: str) -> None:
    """Write a key file with mode 0600, atomically (a crash leaves the old file intact)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class FileKeyProvider(KeyProvider):
    def __init__(self, path: str | None = None, inline: str | None = None):
        self.path = Path(path) if path else None
        self.inline = inline
        self._ring: dict[str, bytes] | None = None

    def _load(self) -> dict[str, bytes]:
        if self._ring is None:
            if self.inline:
                self._ring = _parse_keyring(self.inline)
            else:
                assert self.path is not None
                if not self.path.exists():
                    if settings.PRODUCTION:
                        raise VaultError(f"master key file {self.path} does not exist")
                    write_key_file(self.path, new_key_line("v1") + "\n")
                self._ring = _parse_keyring(self.path.read_text())
        return self._ring

    def reload(self) -> None:
        self._ring = None

    def current_version(self) -> str:
        return list(self._load())[-1]

    def key(self, version: str) -> bytes:
        try:
            return self._load()[version]
        except KeyError as exc:
            raise VaultError(f"unknown master key version {version!r}") from exc


_provider: KeyProvider | None = None
_provider_lock = threading.Lock()


def key_provider() -> KeyProvider:
    global _provider
    with _provider_lock:
        if _provider is None:
            _provider = FileKeyProvider(path=settings.MASTER_KEY_FILE, inline=settings.MASTER_KEY)
        return _provider


def set_key_provider(provider: KeyProvider | None) -> None:
    """Swap the provider (tests, a KMS integration); ``None`` goes back to the settings."""
    global _provider
    with _provider_lock:
        _provider = provider
    _data_key_cache.clear()


# --- associated data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """Where a ciphertext lives. Bound as AAD: a ciphertext moved elsewhere does not decrypt."""

    table: str
    column: str
    row: str
    subject: str

    def aad(self) -> bytes:
        return "\x1f".join((self.table, self.column, str(self.row), str(self.subject))).encode()


# --- data keys ---------------------------------------------------------------------------------

_data_key_cache: dict[int, bytes] = {}


def _wrap_aad(subject_id: int, version: str) -> bytes:
    return f"subject-key\x1f{subject_id}\x1f{version}".encode()


def wrap_data_key(subject_id: int, data_key: bytes, version: str) -> bytes:
    kek = key_provider().key(version)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, _wrap_aad(subject_id, version))


def unwrap_data_key(subject_id: int, wrapped: bytes, version: str) -> bytes:
    kek = key_provider().key(version)
    try:
        return AESGCM(kek).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(subject_id, version)
        )
    except Exception as exc:
        raise VaultError("a data key could not be unwrapped") from exc


def _subject_id(subject) -> int:
    return subject if isinstance(subject, int) else subject.pk


def data_key(subject, *, create: bool = True) -> bytes:
    """The subject's data key (created on first use). Raises ``Erased`` once shredded."""
    from mentorhaven.kernel.models import SubjectKey

    subject_id = _subject_id(subject)
    cached = _data_key_cache.get(subject_id)
    if cached is not None:
        return cached
    row = SubjectKey.objects.filter(subject_id=subject_id).first()
    if row is None:
        if not create:
            raise Erased()
        row = _create_subject_key(subject_id)
    if row.shredded_at is not None or not row.wrapped_key:
        raise Erased()
    key = unwrap_data_key(subject_id, bytes(row.wrapped_key), row.kek_version)
    _data_key_cache[subject_id] = key
    return key


def _create_subject_key(subject_id: int):
    from mentorhaven.kernel.models import SubjectKey

    version = key_provider().current_version()
    try:
        with transaction.atomic():
            return SubjectKey.objects.create(
                subject_id=subject_id,
                kek_version=version,
                wrapped_key=wrap_data_key(subject_id, secrets.token_bytes(KEY_BYTES), version),
                wrapped_secret=wrap_data_key(subject_id, secrets.token_bytes(KEY_BYTES), version),
            )
    except IntegrityError:  # another request created it first
        return SubjectKey.objects.get(subject_id=subject_id)


def subject_secret(subject) -> bytes | None:
    """A per-subject secret (for keyed pseudonyms), or ``None`` once the subject is shredded."""
    from mentorhaven.kernel.models import SubjectKey

    subject_id = _subject_id(subject)
    row = SubjectKey.objects.filter(subject_id=subject_id).first()
    if row is None:
        row = _create_subject_key(subject_id)
    if row.shredded_at is not None or not row.wrapped_secret:
        return None
    return unwrap_data_key(subject_id, bytes(row.wrapped_secret), row.kek_version)


# --- encryption --------------------------------------------------------------------------------


def encrypt(subject, plaintext: bytes, binding: Binding) -> bytes:
    key = data_key(subject)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, binding.aad())


def decrypt(subject, ciphertext: bytes, binding: Binding) -> bytes:
    """Decrypt, or raise ``Erased`` (key shredded) or ``VaultError`` (tampered or moved)."""
    if not ciphertext or ciphertext[:1] != FORMAT_VERSION:
        raise VaultError("not a vault ciphertext")
    key = data_key(subject, create=False)
    nonce = ciphertext[1 : 1 + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext[1 + NONCE_BYTES :], binding.aad())
    except Exception as exc:
        raise VaultError("ciphertext does not match its place or has been altered") from exc


@transaction.atomic
def shred(subject) -> None:
    """Destroy the subject's data key and secret: all their content becomes unreadable."""
    from django.utils import timezone

    from mentorhaven.kernel.models import SubjectKey

    subject_id = _subject_id(subject)
    SubjectKey.objects.update_or_create(
        subject_id=subject_id,
        defaults={"wrapped_key": b"", "wrapped_secret": b"", "shredded_at": timezone.now()},
    )
    _data_key_cache.pop(subject_id, None)
