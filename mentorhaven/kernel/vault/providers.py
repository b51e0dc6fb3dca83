"""Where master keys (KEKs) come from: a key file, an inline key, or a provider
named in the settings."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel.vault.base import KEY_BYTES, NONCE_BYTES, VERSION_PATTERN, VaultError


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

    def __init__(self, path: str | None = None, inline: str | None = None) -> None:
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
