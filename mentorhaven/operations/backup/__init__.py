"""Encrypted backups of the database and the file store, in one archive.

The archive (``mentorhaven backup create PATH``) is a tar stream — ``database/…``, ``files/…``
and, last, ``manifest.json`` with the SHA-256 and size of every member — encrypted in chunks of
1 MiB with AES-256-GCM (``cryptography``'s AEAD), so neither writing nor reading holds more than
a chunk in memory whatever the size of the file store. Layout on disk::

    MAGIC | header length (4 bytes) | header (JSON) | chunk* ;  chunk = length (4) | ciphertext

Every chunk's nonce is the archive's random 7-byte prefix, the chunk's number (4 bytes) and a
last-chunk flag (1 byte), and its associated data is the SHA-256 of the magic and header: a
chunk changed, moved, dropped, or an archive cut short or lengthened, fails authentication.

The key is derived from the master key (``KeyProvider.derived_key("backup archive", version)``)
under the version current when the backup was made, recorded in the header. So a backup is
useless without the master key, exactly as the database in it would be; and once that master
key version is retired (``keys rotate --retire-old``), old backups can no longer be opened at
all, which is how erasure finally reaches them (docs/operations.md, "Old backups").

``restore`` decrypts and unpacks into a staging directory, checks every chunk, every checksum
and the member list against the manifest, and only then replaces the database and the file
store. Before replacing it reads who has been erased in the live database; afterwards it runs
the erasure job again for those whose accounts the backup brings back, and shreds every one of
them again (``keys shredded --apply``): nobody erased since the backup comes back.

One module per job: the encrypted stream (``stream``), making a backup (``creating``), checking
and restoring one (``restoring``), and what the two share (``common``).
"""

from mentorhaven.operations.backup.common import Summary, file_store_root
from mentorhaven.operations.backup.creating import create
from mentorhaven.operations.backup.restoring import restore, verify
from mentorhaven.operations.backup.stream import BackupError

__all__ = ["BackupError", "Summary", "create", "file_store_root", "restore", "verify"]
