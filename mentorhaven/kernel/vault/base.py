"""The ciphertext format and the vault's one error."""

from __future__ import annotations

import re

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
