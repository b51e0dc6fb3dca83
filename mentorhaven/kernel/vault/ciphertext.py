"""Encrypting and decrypting a value bound to where it lives."""

from __future__ import annotations

import secrets
from typing import NamedTuple

from django.views.decorators.debug import sensitive_variables

from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.people import PersonRef
from mentorhaven.kernel.vault.base import (
    _FORMAT_BYTE,
    _HEADER,
    FORMAT_VERSION,
    NONCE_BYTES,
    VaultError,
)
from mentorhaven.kernel.vault.keys import _confirmed, _entry, _subject_id


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


@sensitive_variables()
def encrypt(subject: PersonRef, plaintext: bytes, binding: Binding) -> bytes:
    """Encrypt under the subject's data key; raises ``Erased`` if the subject was shredded."""
    entry = _entry(subject, create=True)
    if entry.tentative is not None:
        entry = _confirmed(subject if type(subject) is int else _subject_id(subject), entry)
    cipher = entry.cipher
    if cipher is None:
        raise Erased()
    nonce = secrets.token_bytes(NONCE_BYTES)
    return FORMAT_VERSION + nonce + cipher.encrypt(nonce, plaintext, binding.aad())


def decrypt(subject: PersonRef, ciphertext: bytes, binding: Binding) -> bytes:
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
