"""Second-factor secrets move into the vault, under their owner's data key.

Before: TOTP keys and recovery-code seeds in allauth's ``Authenticator.data`` were either
plaintext (made before any adapter) or ``mhv1:<kek version>:<base64>``, AES-256-GCM under a key
derived from the master key for all users alike. After: ``mhv2:<base64>``, sealed by
``vault.encrypt`` under the owner's data key (accounts/mfa_adapter.py). The old scheme's reading
and writing are frozen here, so that this migration keeps working once the code has moved on.
Each row is converted in its own small transaction; a re-run skips rows already converted.
The factors of people already erased (no data key left) are deleted.
"""

import base64
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import migrations, transaction

OLD_PREFIX = "mhv1"
OLD_PURPOSE = "allauth-mfa-secrets"
OLD_AAD = b"mentorhaven-mfa-secret"
NONCE_BYTES = 12
# Keys of Authenticator.data holding secrets that allauth passes through the adapter.
SECRET_KEYS = ("secret", "seed")
SECRET_LISTS = ("migrated_codes",)


def _old_decrypt(stored: str) -> str:
    from mentorhaven.kernel import vault

    if not stored.startswith(OLD_PREFIX + ":"):
        return stored  # plaintext, from before any adapter
    _prefix, version, body = stored.split(":", 2)
    sealed = base64.urlsafe_b64decode(body)
    cipher = AESGCM(vault.key_provider().derived_key(OLD_PURPOSE, version))
    return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], OLD_AAD).decode("utf-8")


def _old_encrypt(text: str) -> str:
    from mentorhaven.kernel import vault

    version = vault.key_provider().current_version()
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = AESGCM(vault.key_provider().derived_key(OLD_PURPOSE, version))
    sealed = nonce + cipher.encrypt(nonce, text.encode("utf-8"), OLD_AAD)
    return f"{OLD_PREFIX}:{version}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def _convert(data: dict, change) -> dict:
    new = dict(data)
    for key in SECRET_KEYS:
        if isinstance(new.get(key), str):
            new[key] = change(new[key])
    for key in SECRET_LISTS:
        if isinstance(new.get(key), list):
            new[key] = [change(v) if isinstance(v, str) else v for v in new[key]]
    return new


def _rewrite(apps, change) -> None:
    from mentorhaven.kernel.errors import Erased

    Authenticator = apps.get_model("mfa", "Authenticator")
    ids = Authenticator.objects.exclude(type="webauthn").values_list("pk", flat=True)
    for pk in list(ids.order_by("pk")):
        with transaction.atomic():
            row = Authenticator.objects.select_for_update().get(pk=pk)
            try:
                data = _convert(row.data or {}, lambda value: change(value, row.user_id))
            except Erased:
                # The owner was erased: their data key is gone, and so goes the factor.
                row.delete()
                continue
            if data != row.data:
                row.data = data
                row.save(update_fields=["data"])


def to_vault(apps, schema_editor):
    from mentorhaven.accounts.mfa_adapter import PREFIX, encrypt_secret

    def change(value: str, owner_id: int) -> str:
        if value.startswith(PREFIX):
            return value
        return encrypt_secret(_old_decrypt(value), owner_id)

    _rewrite(apps, change)


def to_master_key(apps, schema_editor):
    from mentorhaven.accounts.mfa_adapter import PREFIX, decrypt_secret

    def change(value: str, owner_id: int) -> str:
        if not value.startswith(PREFIX):
            return value
        return _old_encrypt(decrypt_secret(value, owner_id))

    _rewrite(apps, change)


class Migration(migrations.Migration):
    atomic = False  # one transaction per row (see above)

    dependencies = [
        ("accounts", "0003_sessions_stored_hashed"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("kernel", "0007_vault_wrap_purposes_and_integrity_notices"),
    ]

    operations = [migrations.RunPython(to_vault, to_master_key)]
