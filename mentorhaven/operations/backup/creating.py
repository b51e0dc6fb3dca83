"""Making a backup: the database (SQLite's online backup, or ``pg_dump``) and every stored file,
hashed into the manifest as they are written, in one encrypted archive."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from pathlib import Path
from typing import IO, Any

from django.db import connection
from django.utils import timezone

from mentorhaven.operations.backup.common import (
    DATABASE_MEMBER,
    MANIFEST,
    Summary,
    database_vendor,
    file_store_root,
    pg_params,
    run,
)
from mentorhaven.operations.backup.stream import (
    COPY_BLOCK,
    FORMAT,
    BackupError,
    EncryptingWriter,
)


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # the online backup API: consistent while in use
        finally:
            copy.close()
    else:
        args, env = pg_params(owner=False)
        run(["pg_dump", "--format=custom", "--file", str(target), *args], env, "dump")


def _add(tar: tarfile.TarFile, name: str, path: Path, members: dict[str, dict[str, Any]]) -> None:
    digest = hashlib.sha256()

    class Hashing(io.RawIOBase):
        def __init__(self, raw: IO[bytes]) -> None:
            self.raw = raw

        def readable(self) -> bool:
            return True

        def readinto(self, target: Any) -> int:
            data = self.raw.read(len(target))
            digest.update(data)
            target[: len(data)] = data
            return len(data)

    info = tarfile.TarInfo(name)
    info.size = path.stat().st_size
    info.mode = 0o600
    with path.open("rb") as raw:
        tar.addfile(info, io.BufferedReader(Hashing(raw), COPY_BLOCK))
    members[name] = {"sha256": digest.hexdigest(), "size": info.size}


def create(target: Path) -> Summary:
    """Write an encrypted backup to ``target`` (refuses to overwrite; mode 0600)."""
    from mentorhaven.kernel import vault

    vendor = database_vendor()
    if target.exists():
        raise BackupError(f"{target} already exists; refusing to overwrite it")
    version = vault.key_provider().current_version()
    root = file_store_root()
    partial = target.with_name(target.name + ".partial")
    members: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="mentorhaven-backup-") as work:
            dump = Path(work) / "database"
            _dump_database(vendor, dump)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                writer = EncryptingWriter(out, version=version)
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    _add(tar, DATABASE_MEMBER[vendor], dump, members)
                    if root.is_dir():
                        for path in sorted(p for p in root.rglob("*") if p.is_file()):
                            _add(tar, f"files/{path.relative_to(root).as_posix()}", path, members)
                    manifest = json.dumps(
                        {
                            "format": FORMAT,
                            "created_at": timezone.now().isoformat(),
                            "database": vendor,
                            "members": members,
                        },
                        indent=1,
                        sort_keys=True,
                    ).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size = len(manifest)
                    tar.addfile(info, io.BytesIO(manifest))
                writer.close()
                out.flush()
                os.fsync(out.fileno())
        partial.rename(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    files = sum(1 for name in members if name.startswith("files/"))
    return Summary(vendor, files, sum(m["size"] for m in members.values()), members=members)
