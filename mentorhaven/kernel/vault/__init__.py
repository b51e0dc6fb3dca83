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

from mentorhaven.kernel.vault.base import (
    CACHE_MAX_ENTRIES,
    DEFAULT_CACHE_SECONDS,
    FORMAT_VERSION,
    KEY_BYTES,
    NONCE_BYTES,
    VERSION_PATTERN,
    VaultError,
)
from mentorhaven.kernel.vault.ciphertext import Binding, decrypt, encrypt
from mentorhaven.kernel.vault.keys import (
    CASE_KEY,
    DATA_KEY,
    LEGACY_WRAP_PURPOSE,
    PSEUDONYM_SECRET,
    SSO_CLIENT_SECRET,
    SURVEY_KEY,
    WRAP_PURPOSES,
    data_key,
    forget_cached_keys,
    forget_pending_creations,
    is_shredded,
    key_provider,
    rewrap,
    rewrap_object_key,
    set_key_provider,
    shred,
    shred_subject,
    subject_secret,
    subject_secrets,
    unwrap_data_key,
    wrap_data_key,
)
from mentorhaven.kernel.vault.providers import (
    FileKeyProvider,
    KeyProvider,
    LocalKeyProvider,
    new_key_line,
    write_key_file,
)

__all__ = [
    "CACHE_MAX_ENTRIES",
    "CASE_KEY",
    "DATA_KEY",
    "DEFAULT_CACHE_SECONDS",
    "FORMAT_VERSION",
    "KEY_BYTES",
    "LEGACY_WRAP_PURPOSE",
    "NONCE_BYTES",
    "PSEUDONYM_SECRET",
    "SSO_CLIENT_SECRET",
    "SURVEY_KEY",
    "VERSION_PATTERN",
    "WRAP_PURPOSES",
    "Binding",
    "FileKeyProvider",
    "KeyProvider",
    "LocalKeyProvider",
    "VaultError",
    "data_key",
    "decrypt",
    "encrypt",
    "forget_cached_keys",
    "forget_pending_creations",
    "is_shredded",
    "key_provider",
    "new_key_line",
    "rewrap",
    "rewrap_object_key",
    "set_key_provider",
    "shred",
    "shred_subject",
    "subject_secret",
    "subject_secrets",
    "unwrap_data_key",
    "wrap_data_key",
    "write_key_file",
]
