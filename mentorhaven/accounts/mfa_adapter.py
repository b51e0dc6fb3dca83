"""allauth's second-factor secrets (TOTP keys, recovery-code seeds), sealed by the vault under the
data key of the person they belong to, like every other secret of theirs.

allauth passes each secret it stores through the MFA adapter's ``encrypt``/``decrypt``, which are
the identity by default. Here they are ``vault.encrypt``/``vault.decrypt`` under the owner's data
key, bound (AAD) to allauth's authenticator table and to the owner. So a copy of the database
cannot mint codes; a secret copied into another person's row does not decrypt there; and once
the owner is erased (``vault.shred``) their factors no longer verify anywhere.

Stored form: ``mhv2:`` and the URL-safe base64 of the vault ciphertext. (``mhv1`` values, under a
key derived from the master key, and plaintext values from before any adapter are converted by
migration ``accounts.0003``.)

Whose secret: allauth's adapter calls carry the secret alone, so the owner comes from the
request allauth is serving: the signed-in person (enrolment, re-authentication, the recovery
codes pages), or, at sign-in, the person whose code is being checked, which the authenticate form
names (``MfaAuthenticateForm``). Code outside a request (the demo, tests, the migration) names
the owner with ``secrets_of(user)``. Without an owner nothing is encrypted or decrypted.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.views.decorators.debug import sensitive_variables

from mentorhaven.accounts.models import User
from mentorhaven.kernel import vault

PREFIX = "mhv2:"
TABLE = "mfa_authenticator"
COLUMN = "data"

_owner: ContextVar[int | None] = ContextVar("mentorhaven_mfa_secret_owner", default=None)


@contextlib.contextmanager
def secrets_of(user: User | int) -> Iterator[None]:
    """Within this block, second-factor secrets are ``user``'s (encrypted and decrypted under
    their data key)."""
    token = _owner.set(user if isinstance(user, int) else user.pk)
    try:
        yield
    finally:
        _owner.reset(token)


def _owner_id() -> int:
    owner = _owner.get()
    if owner is not None:
        return owner
    user = getattr(context.request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    raise vault.VaultError("a second-factor secret was used without knowing whose it is")


def _binding(owner_id: int) -> vault.Binding:
    # One TOTP key and one recovery-code seed per person: the owner identifies the row.
    return vault.Binding(TABLE, COLUMN, str(owner_id), str(owner_id))


@sensitive_variables()
def encrypt_secret(text: str, owner_id: int) -> str:
    sealed = vault.encrypt(owner_id, text.encode("utf-8"), _binding(owner_id))
    return PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


@sensitive_variables()
def decrypt_secret(stored: str, owner_id: int) -> str:
    """The secret, or ``VaultError`` (not ours, moved, altered) or ``Erased`` (owner shredded)."""
    if not isinstance(stored, str) or not stored.startswith(PREFIX):
        raise vault.VaultError("not a sealed second-factor secret")
    try:
        sealed = base64.urlsafe_b64decode(stored[len(PREFIX) :])
    except (binascii.Error, ValueError):
        raise vault.VaultError("not a sealed second-factor secret") from None
    return vault.decrypt(owner_id, sealed, _binding(owner_id)).decode("utf-8")


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text, _owner_id())

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text, _owner_id())
