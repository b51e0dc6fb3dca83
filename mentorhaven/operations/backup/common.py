"""What making and restoring a backup share: the archive's member names, the summary both
report, the database vendor, the file store's place, and running PostgreSQL's client tools."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection

from mentorhaven.operations.backup.stream import BackupError

MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database/sqlite3.db", "postgresql": "database/postgresql.dump"}


@dataclass
class Summary:
    database: str
    files: int
    bytes: int
    erasures_reapplied: int = 0
    accounts_erased_again: int = 0
    members: dict[str, dict[str, Any]] = field(default_factory=dict)


def database_vendor() -> str:
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def file_store_root() -> Path:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            "the file store is not on the local file system: back it up with its own tools"
        )
    return Path(storage.location)


def pg_params(*, owner: bool) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore (the owner role's when configured)."""
    db = dict(connection.settings_dict)
    owner_url = getattr(settings, "DATABASE_OWNER_URL", None)
    if owner and owner_url:
        import dj_database_url

        db = {**db, **dj_database_url.parse(owner_url)}
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (needed to {what})") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [""]
        raise BackupError(f"{command[0]} failed to {what}: {detail[0]}")
