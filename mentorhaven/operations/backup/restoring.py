"""Checking and restoring a backup: unpack into a staging directory, check every chunk, checksum
and member against the manifest, then replace the database and the file store, and erase again
everyone erased since the backup was made."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection, connections

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
    CHUNK,
    COPY_BLOCK,
    FORMAT,
    BackupError,
    DecryptingReader,
)


def _safe_member(member: tarfile.TarInfo) -> str:
    name = member.name
    parts = Path(name).parts
    if (
        not member.isfile()
        or name.startswith("/")
        or ".." in parts
        or not (name == MANIFEST or name.startswith(("database/", "files/")))
    ):
        raise BackupError(f"the backup holds an unexpected entry ({name!r}); refusing it")
    return name


def _unpack(source: Path, staging: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Decrypt and unpack into ``staging``; return (manifest, what was actually found)."""
    found: dict[str, dict[str, Any]] = {}
    manifest: dict[str, Any] | None = None
    try:
        raw = source.open("rb")
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror}") from None
    with raw:
        reader = DecryptingReader(raw)
        try:
            with tarfile.open(fileobj=io.BufferedReader(reader, CHUNK), mode="r|") as tar:
                for member in tar:
                    name = _safe_member(member)
                    if name in found or manifest is not None:
                        raise BackupError(f"the backup is altered: {name!r} appears out of place")
                    extracted = tar.extractfile(member)
                    if extracted is None:
                        raise BackupError(f"the backup holds an unreadable entry ({name!r})")
                    if name == MANIFEST:
                        manifest = json.loads(extracted.read(1 << 24))
                        continue
                    destination = staging / name
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    with destination.open("wb") as out:
                        while block := extracted.read(COPY_BLOCK):
                            digest.update(block)
                            out.write(block)
                    found[name] = {"sha256": digest.hexdigest(), "size": member.size}
            reader.finish()
        except tarfile.TarError:
            raise BackupError("the backup is damaged: its contents are not readable") from None
        except json.JSONDecodeError:
            raise BackupError("the backup is damaged: its manifest is not readable") from None
    if manifest is None:
        raise BackupError("the backup is damaged: it has no manifest")
    return manifest, found


def verify(source: Path, staging: Path) -> dict[str, Any]:
    """Unpack into ``staging`` and check everything; the manifest, or ``BackupError``."""
    manifest, found = _unpack(source, staging)
    expected = manifest.get("members", {})
    if manifest.get("format") != FORMAT:
        raise BackupError("the backup was made by an unknown version of this format")
    if set(expected) != set(found):
        raise BackupError("the backup is altered: its files do not match its manifest")
    for name, facts in expected.items():
        if facts != found[name]:
            raise BackupError(f"the backup is altered: {name!r} does not match its checksum")
    vendor = manifest.get("database")
    if vendor != database_vendor():
        raise BackupError(f"the backup is of a {vendor} database; this installation uses another")
    if vendor == "sqlite":
        check = sqlite3.connect(staging / DATABASE_MEMBER["sqlite"])
        try:
            if check.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError("the backup's database fails SQLite's integrity check")
        finally:
            check.close()
    return manifest


def _shredded_now() -> list[str]:
    """Who is erased in the live database (none if it has no tables yet)."""
    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("keys", "shredded", stdout=out)
    except Exception:  # an empty or broken live database: nothing to carry over
        return []
    return out.getvalue().split()


def _load_database(vendor: str, dump: Path) -> None:
    connections.close_all()
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        args, env = pg_params(owner=True)
        run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(dump),
            ],
            env,
            "restore the database",
        )
    connections.close_all()


def _erase_again(ids: list[str]) -> int:
    """Run the erasure job again for everyone in ``ids`` whose account the restored database
    still holds un-erased: an erasure removes and anonymizes rows outside the vault too (the
    e-mail address, memberships, files), which shredding the key alone would leave restored.
    Runs before the keys are shredded again, in the same order as the original erasure did."""
    from django.contrib.auth import get_user_model

    from mentorhaven.accounts.models import ERASED_EMAIL_DOMAIN
    from mentorhaven.privacy.erasure import services

    wanted = [int(value) for value in ids if value.isdigit()]
    people = get_user_model().objects.filter(pk__in=wanted)
    count = 0
    for user in people.exclude(email__endswith="@" + ERASED_EMAIL_DOMAIN).order_by("pk"):
        services.erasure_run(request=services.erasure_now(user=user))
        count += 1
    return count


def _swap_files(staged: Path, root: Path) -> None:
    old = root.with_name(f"{root.name}.before-restore-{secrets.token_hex(4)}")
    if root.exists():
        root.rename(old)
    staged.mkdir(parents=True, exist_ok=True)
    staged.rename(root)
    if old.exists():
        shutil.rmtree(old)


def restore(source: Path) -> Summary:
    """Verify ``source`` completely, then replace the database and the file store with it and
    shred again everyone the live database had erased. Changes nothing if any check fails."""
    from django.core.management import call_command

    from mentorhaven.kernel import vault

    vendor = database_vendor()
    root = file_store_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside the file store, so that putting the files in place is a rename.
    staging = Path(tempfile.mkdtemp(prefix=".mentorhaven-restore-", dir=root.parent))
    try:
        manifest = verify(source, staging)
        erased = _shredded_now()
        _load_database(vendor, staging / DATABASE_MEMBER[vendor])
        _swap_files(staging / "files", root)
        vault.forget_cached_keys()
        accounts = _erase_again(erased) if erased else 0
        if erased:
            listing = staging / "erased.txt"
            listing.write_text("\n".join(erased) + "\n")
            call_command("keys", "shredded", apply=str(listing), stdout=io.StringIO())
            vault.forget_cached_keys()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    members = manifest["members"]
    files = sum(1 for name in members if name.startswith("files/"))
    return Summary(
        vendor,
        files,
        sum(m["size"] for m in members.values()),
        erasures_reapplied=len(erased),
        accounts_erased_again=accounts,
        members=members,
    )
