"""``mentorhaven backup create PATH`` and ``mentorhaven backup restore PATH``.

``create`` writes the database (SQLite: the online backup API; PostgreSQL: ``pg_dump``) and the
file store into one archive encrypted under a key derived from the master key, with a manifest
of SHA-256 checksums (``operations/backup/``). It never overwrites a file.

``restore`` checks the whole archive first — every encrypted chunk, every checksum, the list of
members — and changes nothing unless all of it is intact (exit status 1 with the reason
otherwise). Then it replaces the database and the file store, and shreds again everyone the live
database had erased (the erasure job for accounts the backup brings back, then ``keys shredded
--apply``), so nobody erased since the backup comes back.
Stop the web processes, workers, scheduler and sealer before restoring (docs/operations.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mentorhaven.operations import backup


class Command(BaseCommand):
    help = "Create or restore an encrypted backup of the database and the file store."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="write an encrypted backup to PATH")
        create.add_argument("path")
        restore = sub.add_parser("restore", help="check PATH completely, then restore it")
        restore.add_argument("path")

    def handle(self, *args: Any, action: str, path: str, **options: Any) -> None:
        from mentorhaven.kernel import audit

        try:
            if action == "create":
                summary = backup.create(Path(path))
            else:
                summary = backup.restore(Path(path))
        except backup.BackupError as exc:
            verb = "Backup failed" if action == "create" else "Restore refused; nothing changed"
            raise CommandError(f"{verb}: {exc}") from None
        with transaction.atomic():
            audit.record(
                action=f"backup.{'created' if action == 'create' else 'restored'}",
                purpose="operator backup" if action == "create" else "operator restore",
                extra={
                    "database": summary.database,
                    "files": summary.files,
                    "erasures_reapplied": summary.erasures_reapplied,
                    "accounts_erased_again": summary.accounts_erased_again,
                },
            )
        if action == "create":
            self.stdout.write(
                f"Wrote {path}: the {summary.database} database and {summary.files} files "
                f"({summary.bytes} bytes before encryption), checksums in its manifest."
            )
        else:
            self.stdout.write(
                f"Restored the {summary.database} database and {summary.files} files from {path}; "
                f"{summary.erasures_reapplied} erased people shredded again "
                f"({summary.accounts_erased_again} accounts erased again). "
                "Next: mentorhaven audit verify (see docs/operations.md, 'Backups')."
            )
