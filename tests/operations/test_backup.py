"""``mentorhaven backup create|restore``: one encrypted archive, checked whole before anything
changes, and erasures made since the backup survive the restore."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mentorhaven.accounts.models import User
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.models import AuditEvent, SubjectKey
from mentorhaven.operations import backup
from mentorhaven.operations.backup import creating, restoring
from tests.kernel.vault_helpers import keyring  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("keyring")]


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "store" / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    root.mkdir(parents=True)
    return root


def _binding(user: User) -> vault.Binding:
    return vault.Binding("backup_test", "body", str(user.pk), str(user.pk))


def _sealed_file(media: Path, user: User) -> Path:
    """A file in the store, encrypted under ``user``'s key (as uploads are)."""
    path = media / "vault" / f"{user.pk}.bin"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(vault.encrypt(user, f"words of {user.pk}".encode(), _binding(user)))
    return path


def _readable(media: Path, user: User) -> str:
    vault.forget_cached_keys()
    data = (media / "vault" / f"{user.pk}.bin").read_bytes()
    return vault.decrypt(user, data, _binding(user)).decode()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("backup", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(media):
    users = [
        User.objects.create_user(email=f"p{i}@backup.test", password="x" * 16, display_name=f"P{i}")
        for i in range(3)
    ]
    for user in users:
        _sealed_file(media, user)
    big = media / "big" / "video.bin"
    big.parent.mkdir()
    big.write_bytes(bytes(range(256)) * (12 * 1024))  # 3 MiB: several encrypted chunks
    return users


def _state(media: Path) -> tuple[set[str], dict[str, bytes]]:
    emails = set(User.objects.values_list("email", flat=True))
    files = {
        p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()
    }
    return emails, files


def test_round_trip_restores_database_and_files(people, media, tmp_path):
    archive = tmp_path / "nightly.mhbackup"
    output = _run("create", str(archive))
    assert "4 files" in output
    assert archive.stat().st_mode & 0o777 == 0o600
    raw = archive.read_bytes()
    assert b"words of" not in raw and b"@backup.test" not in raw and b"SQLite" not in raw
    before = _state(media)

    # Life goes on after the backup: a new person, a changed file, a deleted one.
    User.objects.create_user(email="later@backup.test", password="x" * 16)
    (media / "vault" / "new.bin").write_bytes(b"later")
    (media / "big" / "video.bin").unlink()

    output = _run("restore", str(archive))
    assert "4 files" in output and "0 erased people shredded again" in output
    assert _state(media) == before
    assert [_readable(media, u) for u in people] == [f"words of {u.pk}" for u in people]
    assert AuditEvent.objects.filter(action="backup.restored").count() == 1


def test_create_refuses_to_overwrite(people, tmp_path):
    archive = tmp_path / "b.mhbackup"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        _run("create", str(archive))
    assert archive.read_bytes() == b"keep me"


@pytest.mark.parametrize("where", ["header", "middle", "end", "truncated", "appended"])
def test_a_damaged_backup_is_refused_and_nothing_changes(people, media, tmp_path, where):
    archive = tmp_path / "b.mhbackup"
    _run("create", str(archive))
    data = bytearray(archive.read_bytes())
    if where == "header":
        data[30] ^= 0x01
    elif where == "middle":
        data[len(data) // 2] ^= 0x01
    elif where == "end":
        data[-3] ^= 0x80
    elif where == "truncated":
        del data[-100:]
    else:
        data += b"\x00" * 20
    archive.write_bytes(bytes(data))
    User.objects.create_user(email="later@backup.test", password="x" * 16)
    (media / "vault" / "new.bin").write_bytes(b"later")
    before = _state(media)
    events = AuditEvent.objects.count()

    with pytest.raises(CommandError, match="Restore refused; nothing changed: the backup"):
        _run("restore", str(archive))
    assert _state(media) == before
    assert AuditEvent.objects.count() == events
    assert not list(media.parent.glob(".mentorhaven-restore-*"))  # staging cleaned up


def test_a_backup_made_under_another_master_key_is_refused(people, media, tmp_path):
    archive = tmp_path / "b.mhbackup"
    _run("create", str(archive))
    other = vault.FileKeyProvider(path=str(tmp_path / "other.key"))
    other.versions()
    vault.set_key_provider(other)
    before = _state(media)
    with pytest.raises(CommandError, match="fails its authentication check"):
        _run("restore", str(archive))
    assert _state(media) == before


def test_an_entry_not_in_the_manifest_is_refused(people, media, tmp_path, monkeypatch):
    """Even a correctly encrypted archive must match its manifest, member for member."""
    original = creating._add

    def add_twice(tar, name, path, members):
        original(tar, name, path, members)
        if name.endswith("video.bin"):
            original(tar, "files/smuggled.bin", path, {})

    monkeypatch.setattr(creating, "_add", add_twice)
    archive = tmp_path / "b.mhbackup"
    _run("create", str(archive))
    monkeypatch.undo()
    before = _state(media)
    with pytest.raises(CommandError, match="do not match its manifest"):
        _run("restore", str(archive))
    assert _state(media) == before


def test_a_person_erased_after_the_backup_stays_erased_after_restoring_it(people, media, tmp_path):
    erased, kept = people[1], [people[0], people[2]]
    archive = tmp_path / "before-erasure.mhbackup"
    _run("create", str(archive))

    vault.shred(erased)
    with pytest.raises(Erased):
        _readable(media, erased)

    output = _run("restore", str(archive))
    assert "1 erased people shredded again (1 accounts erased again)" in output
    assert SubjectKey.objects.get(subject_id=erased.pk).shredded_at is not None
    with pytest.raises(Erased):
        _readable(media, erased)
    assert [_readable(media, u) for u in kept] == [f"words of {u.pk}" for u in kept]


def test_a_real_erasure_after_the_backup_is_carried_out_again_after_restoring_it(
    people, media, tmp_path
):
    """The erasure job, not only the key: the restored account is anonymized again."""
    from mentorhaven.privacy.erasure import services

    erased, kept = people[1], people[0]
    email = erased.email
    archive = tmp_path / "before-erasure.mhbackup"
    _run("create", str(archive))
    services.erasure_run(request=services.erasure_now(user=erased))
    assert User.objects.get(pk=erased.pk).is_erased

    output = _run("restore", str(archive))
    assert "1 erased people shredded again (1 accounts erased again)" in output
    restored = User.objects.get(pk=erased.pk)
    assert restored.is_erased and restored.email != email and restored.display_name == ""
    assert not User.objects.filter(email=email).exists()
    with pytest.raises(Erased):
        _readable(media, erased)
    assert User.objects.get(pk=kept.pk).email == kept.email
    assert _readable(media, kept) == f"words of {kept.pk}"


def test_the_restore_path_without_the_reshredding_would_bring_the_person_back(
    people, media, tmp_path, monkeypatch
):
    """What the step above prevents: the old backup alone holds a working key."""
    archive = tmp_path / "before-erasure.mhbackup"
    _run("create", str(archive))
    vault.shred(people[1])
    monkeypatch.setattr(restoring, "_shredded_now", lambda: [])
    _run("restore", str(archive))
    assert _readable(media, people[1]) == f"words of {people[1].pk}"


@pytest.mark.postgres
def test_postgresql_backups_hold_a_pg_dump_of_the_app_database(people, media, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")
    archive = tmp_path / "pg.mhbackup"
    _run("create", str(archive))
    staging = tmp_path / "staging"
    staging.mkdir()
    manifest = backup.verify(archive, staging)
    assert manifest["database"] == "postgresql"
    assert (staging / "database" / "postgresql.dump").read_bytes()[:5] == b"PGDMP"
    User.objects.filter(email=people[0].email).update(display_name="Changed")
    _run("restore", str(archive))
    assert User.objects.get(email=people[0].email).display_name == "P0"
