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
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, connections
from django.utils import timezone

MAGIC = b"MENTORHAVEN-BACKUP\x00\x01"
FORMAT = 1
CHUNK = 1 << 20
KEY_PURPOSE = "backup archive"
TAG = 16
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database/sqlite3.db", "postgresql": "database/postgresql.dump"}
COPY_BLOCK = 1 << 16


class BackupError(Exception):
    """A backup cannot be made or restored; the message is for the operator."""


@dataclass
class Summary:
    database: str
    files: int
    bytes: int
    erasures_reapplied: int = 0
    accounts_erased_again: int = 0
    members: dict[str, dict[str, Any]] = field(default_factory=dict)


# --- the encrypted stream --------------------------------------------------------------------


def _key(version: str) -> bytes:
    from mentorhaven.kernel import vault

    try:
        return vault.key_provider().derived_key(KEY_PURPOSE, version)
    except Exception:
        raise BackupError(
            f"the backup is encrypted under master key version {version!r}, which this "
            "installation's key file does not hold (retired, or another installation's key)"
        ) from None


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what it is given into chunks of ``CHUNK`` bytes."""

    def __init__(self, out: IO[bytes], *, version: str) -> None:
        self.out = out
        self.prefix = secrets.token_bytes(7)
        header = json.dumps(
            {"format": FORMAT, "key_version": version, "nonce_prefix": self.prefix.hex()},
            sort_keys=True,
        ).encode()
        preamble = MAGIC + struct.pack(">I", len(header)) + header
        out.write(preamble)
        self.aad = hashlib.sha256(preamble).digest()
        self.aead = AESGCM(_key(version))
        self.buffer = bytearray()
        self.number = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep at least one byte back for the last chunk
            self._seal(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.number, last), plain, self.aad)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.number += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


def _read_exact(source: IO[bytes], n: int) -> bytes:
    data = source.read(n)
    if len(data) != n:
        raise BackupError("the backup is damaged: it ends early (cut short or truncated)")
    return data


def _open_chunk(
    aead: AESGCM, prefix: bytes, number: int, sealed: bytes, aad: bytes
) -> tuple[bool, bytes] | None:
    """(is it the last chunk, its plaintext), or None when it fails authentication."""
    for last in (False, True):
        try:
            return last, aead.decrypt(_nonce(prefix, number, last), sealed, aad)
        except InvalidTag:
            pass
    return None


def _decrypted_chunks(source: IO[bytes]) -> Iterator[bytes]:
    """Yield each chunk's plaintext once it has authenticated; ``BackupError`` otherwise."""
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise BackupError("this is not a MentorHaven backup (or its first bytes are damaged)")
    length_bytes = _read_exact(source, 4)
    (length,) = struct.unpack(">I", length_bytes)
    if length > 4096:
        raise BackupError("the backup is damaged: its header is not readable")
    header_bytes = _read_exact(source, length)
    try:
        header = json.loads(header_bytes)
        prefix = bytes.fromhex(header["nonce_prefix"])
        version = str(header["key_version"])
        usable = header["format"] == FORMAT and len(prefix) == 7
    except Exception:
        usable = False
    if not usable:
        raise BackupError("the backup is damaged: its header is not readable")
    aad = hashlib.sha256(magic + length_bytes + header_bytes).digest()
    aead = AESGCM(_key(version))
    number = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise BackupError("the backup is damaged: it ends early (cut short or truncated)")
        (size,) = struct.unpack(">I", size_bytes)
        if size < TAG or size > CHUNK + TAG:
            raise BackupError(f"the backup is damaged or altered (chunk {number})")
        sealed = _read_exact(source, size)
        opened = _open_chunk(aead, prefix, number, sealed, aad)
        if opened is None:
            raise BackupError(
                f"the backup is damaged or altered: chunk {number} fails its authentication "
                "check (or the master key is not the one it was made with)"
            )
        last, plain = opened
        yield plain
        number += 1
        if last:
            if source.read(1):
                raise BackupError("the backup is altered: there are bytes after its last chunk")
            return


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the authenticated plaintext; ``finish`` checks the end."""

    def __init__(self, source: IO[bytes]) -> None:
        self.chunks = _decrypted_chunks(source)
        self.pending = b""
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.done:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                self.done = True
        n = min(len(target), len(self.pending))
        target[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def finish(self) -> None:
        """Read to the last chunk, so that truncation or trailing bytes are noticed."""
        while self.readinto(bytearray(COPY_BLOCK)):
            pass


# --- what goes in ----------------------------------------------------------------------------


def _vendor() -> str:
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


def _pg_params(*, owner: bool) -> tuple[list[str], dict[str, str]]:
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


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (needed to {what})") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [""]
        raise BackupError(f"{command[0]} failed to {what}: {detail[0]}")


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # the online backup API: consistent while in use
        finally:
            copy.close()
    else:
        args, env = _pg_params(owner=False)
        _run(["pg_dump", "--format=custom", "--file", str(target), *args], env, "dump")


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

    vendor = _vendor()
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


# --- what comes out --------------------------------------------------------------------------


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
    if vendor != _vendor():
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
        args, env = _pg_params(owner=True)
        _run(
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

    vendor = _vendor()
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
