"""allauth's MFA secrets (TOTP keys, recovery-code seeds), encrypted at rest.

allauth passes every secret it stores through the MFA adapter's ``encrypt``/``decrypt``, which
are the identity by default. Here they are AES-256-GCM under a key derived (HKDF) from the
current master-key version, so a copy of the database alone cannot mint second-factor codes.

Stored form: ``mhv1:<kek version>:<base64 nonce|ciphertext>``. The version travels with the
value, so ``mentorhaven keys rotate`` can re-encrypt these too and ``--retire-old`` can tell
when an old version is no longer needed. A value without the prefix is a secret stored before
this adapter existed (a TOTP key is base32, a seed hex: neither can contain ``:``); it is read
as it is, and the next rotation encrypts it.

The adapter's interface passes no user or authenticator id, so the ciphertext is bound to its
purpose only, not to its row: moving it to another row needs SQL write access, which already
allows replacing the secret outright.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel import vault

PREFIX = "mhv1"
PURPOSE = "allauth-mfa-secrets"
AAD = b"mentorhaven-mfa-secret"
# Keys of Authenticator.data that hold values passed through encrypt().
ENCRYPTED_KEYS = ("secret", "seed")
ENCRYPTED_LISTS = ("migrated_codes",)

_ciphers: dict[tuple[object, str], AESGCM] = {}


def _cipher(version: str) -> AESGCM:
    provider = vault.key_provider()
    cache_key = (provider, version)
    cipher = _ciphers.get(cache_key)
    if cipher is None:
        cipher = AESGCM(provider.derived_key(PURPOSE, version))
        _ciphers[cache_key] = cipher
    return cipher


@sensitive_variables()
def encrypt_secret(text: str, version: str | None = None) -> str:
    version = version or vault.key_provider().current_version()
    nonce = secrets.token_bytes(vault.NONCE_BYTES)
    sealed = nonce + _cipher(version).encrypt(nonce, text.encode("utf-8"), AAD)
    return f"{PREFIX}:{version}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def secret_version(stored: str) -> str | None:
    """The KEK version a stored value is under; ``None`` for a legacy plaintext value."""
    if not stored.startswith(PREFIX + ":"):
        return None
    return stored.split(":", 2)[1]


@sensitive_variables()
def decrypt_secret(stored: str) -> str:
    version = secret_version(stored)
    if version is None:
        return stored
    try:
        sealed = base64.urlsafe_b64decode(stored.split(":", 2)[2])
        plain = _cipher(version).decrypt(
            sealed[: vault.NONCE_BYTES], sealed[vault.NONCE_BYTES :], AAD
        )
    except vault.VaultError:
        raise
    except Exception:
        raise vault.VaultError("an MFA secret could not be decrypted") from None
    return plain.decode("utf-8")


def stored_versions(data: dict[str, Any]) -> list[str | None]:
    """The versions of every encrypted value in an ``Authenticator.data`` (None = plaintext)."""
    found: list[str | None] = []
    for key in ENCRYPTED_KEYS:
        if isinstance(data.get(key), str):
            found.append(secret_version(data[key]))
    for key in ENCRYPTED_LISTS:
        if isinstance(data.get(key), list):
            found.extend(secret_version(v) for v in data[key] if isinstance(v, str))
    return found


def reencrypt_data(data: dict[str, Any], version: str) -> dict[str, Any] | None:
    """``data`` with every secret under ``version``, or ``None`` when nothing needs changing."""
    if all(v == version for v in stored_versions(data)):
        return None
    new = dict(data)
    for key in ENCRYPTED_KEYS:
        if isinstance(new.get(key), str) and secret_version(new[key]) != version:
            new[key] = encrypt_secret(decrypt_secret(new[key]), version)
    for key in ENCRYPTED_LISTS:
        if isinstance(new.get(key), list):
            new[key] = [
                encrypt_secret(decrypt_secret(v), version)
                if isinstance(v, str) and secret_version(v) != version
                else v
                for v in new[key]
            ]
    return new


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
