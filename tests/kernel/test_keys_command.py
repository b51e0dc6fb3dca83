"""``mentorhaven keys``: generate, rotate (and resume), retire old versions, status."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mentorhaven.accounts.models import User
from mentorhaven.kernel import vault
from mentorhaven.kernel.models import AuditEvent, SubjectKey
from tests.kernel.vault_helpers import EncryptionProbe, keyring, probe_table  # noqa: F401

pytestmark = pytest.mark.usefixtures("keyring", "probe_table")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(db):
    users = [User.objects.create_user(email=f"p{i}@keys.test", password="x" * 16) for i in range(5)]
    rows = [EncryptionProbe.objects.create(author=u, body=f"secret of {u.pk}") for u in users]
    return users, rows


def _raw_bodies() -> dict[int, bytes]:
    return {p.pk: p.__dict__["body"].data for p in EncryptionProbe.objects.all()}


def _all_readable(rows) -> bool:
    vault.forget_cached_keys()
    return all(
        EncryptionProbe.objects.get(pk=r.pk).body == f"secret of {r.author_id}" for r in rows
    )


def _versions() -> set[str]:
    return set(SubjectKey.objects.values_list("kek_version", flat=True))


# --- generate --------------------------------------------------------------------------------


def test_generate_writes_a_fresh_key_file_with_mode_0600(tmp_path):
    path = tmp_path / "etc" / "master.key"
    output = _run("generate", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    provider = vault.FileKeyProvider(path=str(path))
    assert provider.versions() == ["v1"]
    key = provider.key("v1")
    assert base64.urlsafe_b64encode(key).decode() not in output  # never printed


def test_generate_refuses_to_overwrite_an_existing_file(tmp_path):
    path = tmp_path / "master.key"
    path.write_text("v1:keep-me\n")
    with pytest.raises(CommandError):
        _run("generate", str(path))
    assert path.read_text() == "v1:keep-me\n"


def test_generate_works_from_the_console_before_production_is_configured(tmp_path):
    """Production refuses to start without a key, so making one must not need the settings."""
    path = tmp_path / "operator.key"
    cli = [sys.executable, "-m", "mentorhaven.cli", "keys", "generate", str(path)]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MENTORHAVEN_")},
        "MENTORHAVEN_ENV": "production",
    }
    root = Path(__file__).resolve().parents[2]
    first = subprocess.run(cli, env=env, cwd=root, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr[-1000:]
    assert vault.FileKeyProvider(path=str(path)).versions() == ["v1"]
    assert path.stat().st_mode & 0o777 == 0o600
    second = subprocess.run(cli, env=env, cwd=root, capture_output=True, text=True, check=False)
    assert second.returncode != 0
    assert "refusing to overwrite" in second.stderr


# --- rotate ----------------------------------------------------------------------------------


def test_rotate_rewraps_every_data_key_and_leaves_data_untouched(people):
    provider = vault.key_provider()
    users, rows = people
    before_bodies = _raw_bodies()
    before_wrapped = dict(SubjectKey.objects.values_list("subject_id", "wrapped_key"))
    _run("rotate", "--batch-size", "2")
    assert provider.versions() == ["v1", "v2"]
    assert _versions() == {"v2"}
    after = dict(SubjectKey.objects.values_list("subject_id", "wrapped_key"))
    assert all(bytes(after[s]) != bytes(before_wrapped[s]) for s in after)
    assert _raw_bodies() == before_bodies  # content never re-encrypted
    assert _all_readable(rows)
    event = AuditEvent.objects.filter(action="vault.kek_rotated").get()
    assert event.extra["version"] == "v2" and event.extra["data_keys"] == len(users)


def test_rotation_interrupted_half_way_then_resumed_loses_nothing(people):
    provider = vault.key_provider()
    _, rows = people
    # The fourth key row (in the order rotation walks them) is damaged: re-wrapping it fails,
    # which stops the run there, as a crash would.
    fourth = SubjectKey.objects.order_by("pk")[3]
    intact = bytes(fourth.wrapped_key)
    SubjectKey.objects.filter(pk=fourth.pk).update(wrapped_key=bytes(len(intact)))
    with pytest.raises(vault.VaultError):
        _run("rotate", "--batch-size", "1")
    SubjectKey.objects.filter(pk=fourth.pk).update(wrapped_key=intact)  # repaired

    counts = {v: SubjectKey.objects.filter(kek_version=v).count() for v in ("v1", "v2")}
    assert counts == {"v1": 2, "v2": 3}
    assert _all_readable(rows)  # half-done: both versions still in the provider

    output = _run("rotate", "--batch-size", "1")
    assert "Resuming" in output
    assert provider.versions() == ["v1", "v2"]  # no third version on the re-run
    assert _versions() == {"v2"}
    assert _all_readable(rows)


def test_retire_old_refuses_while_a_row_still_uses_an_old_version(people):
    provider = vault.key_provider()
    _, rows = people
    _run("rotate")
    # A process that has not yet seen v2 creates a key under v1.
    straggler = User.objects.create_user(email="late@keys.test", password="x" * 16)
    SubjectKey.objects.create(
        subject_id=straggler.pk,
        kek_version="v1",
        wrapped_key=vault.wrap_data_key(straggler.pk, os.urandom(32), "v1"),
        wrapped_secret=vault.wrap_data_key(
            straggler.pk, os.urandom(32), "v1", purpose=vault.PSEUDONYM_SECRET
        ),
    )
    provider.reload()
    with pytest.raises(CommandError):
        _retire_without_finishing()
    assert provider.versions() == ["v1", "v2"]
    output = _run("rotate", "--retire-old")  # finishes the straggler, then retires
    assert "Retired versions: v1" in output
    assert provider.versions() == ["v2"]
    assert _versions() == {"v2"}
    assert _all_readable(rows)
    assert vault.subject_secret(straggler) is not None


def _retire_without_finishing():
    from mentorhaven.kernel.management.commands.keys import Command

    command = Command(stdout=io.StringIO())
    command._retire(vault.key_provider(), vault.key_provider().current_version())


def test_shredded_subjects_stay_shredded_through_rotation(people):
    users, rows = people
    vault.shred(users[0])
    _run("rotate")
    row = SubjectKey.objects.get(subject_id=users[0].pk)
    assert row.kek_version == "v2" and bytes(row.wrapped_key) == b""
    vault.forget_cached_keys()
    assert EncryptionProbe.objects.get(pk=rows[0].pk).body == "[erased]"
    assert _all_readable(rows[1:])


def test_rotate_with_an_inline_key_explains_what_to_do(db):
    vault.set_key_provider(vault.FileKeyProvider(inline=vault.new_key_line("v1")))
    with pytest.raises(CommandError, match="MENTORHAVEN_MASTER_KEY"):
        _run("rotate")


def test_rotate_no_new_key_rewraps_to_a_version_added_elsewhere(people):
    provider = vault.key_provider()
    _, rows = people
    provider.add_version()  # e.g. a KMS that rotated on its own schedule
    _run("rotate", "--no-new-key")
    assert provider.versions() == ["v1", "v2"]
    assert _versions() == {"v2"}
    assert _all_readable(rows)


# --- status ----------------------------------------------------------------------------------


def test_status_shows_versions_and_counts_but_no_key_material(people):
    provider = vault.key_provider()
    users, _ = people
    vault.shred(users[0])
    output = _run("status")
    assert "Current version: v1" in output
    assert "v1: 4" in output
    assert "Shredded subjects: 1" in output
    for version in provider.versions():
        key = provider.key(version)
        assert base64.urlsafe_b64encode(key).decode()[:16] not in output
        assert key.hex()[:16] not in output


# --- re-applying erasures after a restore ----------------------------------------------------


def test_erasures_saved_before_a_restore_are_applied_after_it(people, tmp_path):
    users, rows = people
    backup = {
        row.subject_id: (bytes(row.wrapped_key), bytes(row.wrapped_secret))
        for row in SubjectKey.objects.all()
    }
    vault.shred(users[1])
    vault.shred(users[3])
    saved = tmp_path / "erased.txt"
    saved.write_text(_run("shredded"))
    assert saved.read_text().split() == [str(users[1].pk), str(users[3].pk)]

    # Restore a backup taken before the erasures: the two keys come back, and work again.
    for user in (users[1], users[3]):
        wrapped_key, wrapped_secret = backup[user.pk]
        SubjectKey.objects.filter(subject_id=user.pk).update(
            shredded_at=None, wrapped_key=wrapped_key, wrapped_secret=wrapped_secret
        )
    assert _all_readable(rows)

    output = _run("shredded", "--apply", str(saved))
    assert "2 subjects shredded again" in output
    vault.forget_cached_keys()
    assert EncryptionProbe.objects.get(pk=rows[1].pk).body == "[erased]"
    assert EncryptionProbe.objects.get(pk=rows[3].pk).body == "[erased]"
    assert _all_readable([rows[0], rows[2], rows[4]])
    assert "0 subjects shredded again" in _run("shredded", "--apply", str(saved))


# --- keys that belong to an object -----------------------------------------------------------


def test_rotate_rewraps_survey_keys_so_retiring_the_old_version_keeps_them_readable(personas):
    """A survey's key (vault purpose ``survey-key``) is wrapped under the KEK like a data key: a
    rotation that skipped it would leave it on the old version, and retiring that version would
    make the survey's sealed answers unreadable."""
    from mentorhaven.community import services
    from mentorhaven.community.models import Survey

    survey = services.survey_create(
        actor=personas.coordinator,
        program=personas.program,
        title="Mid-cycle check",
        mode="anonymous",
        questions=[{"kind": "text", "prompt": "Anything else?"}],
    )
    survey.refresh_from_db()
    assert survey.kek_version == "v1"
    key = vault.unwrap_data_key(
        str(survey.public_id), survey.wrapped_key, "v1", purpose=vault.SURVEY_KEY
    )
    _run("rotate")
    output = _run("rotate", "--retire-old")
    assert "Retired versions: v1" in output
    assert vault.key_provider().versions() == ["v2"]
    survey.refresh_from_db()
    assert survey.kek_version == "v2"
    assert (
        vault.unwrap_data_key(
            str(survey.public_id), survey.wrapped_key, "v2", purpose=vault.SURVEY_KEY
        )
        == key
    )
    events = AuditEvent.objects.filter(action="vault.kek_rotated")
    assert sum(e.extra["object_keys"] for e in events) == Survey.objects.count() == 1
    assert "Surveys keys by version:" in _run("status")


def test_retire_old_refuses_while_a_survey_key_is_on_an_old_version(personas):
    from mentorhaven.community import services

    _run("rotate")
    survey = services.survey_create(
        actor=personas.coordinator,
        program=personas.program,
        title="Late",
        mode="confidential",
        questions=[{"kind": "scale", "prompt": "How useful?"}],
    )
    survey.refresh_from_db()
    # Created by a process that had not yet seen v2.
    from mentorhaven.community.models import Survey

    key = vault.unwrap_data_key(
        str(survey.public_id), survey.wrapped_key, survey.kek_version, purpose=vault.SURVEY_KEY
    )
    Survey.objects.filter(pk=survey.pk).update(
        kek_version="v1",
        wrapped_key=vault.wrap_data_key(str(survey.public_id), key, "v1", purpose=vault.SURVEY_KEY),
    )
    with pytest.raises(CommandError):
        _retire_without_finishing()
    assert vault.key_provider().versions() == ["v1", "v2"]


def test_rotate_rewraps_a_sign_in_providers_client_secret(personas):
    """An organization's OpenID Connect client secret is wrapped under the KEK (purpose
    ``sso-client-secret``): after a rotation and the old version's retirement it still unwraps."""
    from mentorhaven.accounts.services import identity_provider_configure
    from mentorhaven.accounts.sso import secret_unwrap

    idp = identity_provider_configure(
        actor=personas.org_admin,
        organization=personas.org,
        name="Demo Login",
        issuer="https://login.demo.test",
        client_id="mh",
        client_secret="the provider's secret",
        domains=["demo.test"],
        second_factor="ours",
    )
    assert idp.kek_version == "v1"
    _run("rotate")
    assert "Retired versions: v1" in _run("rotate", "--retire-old")
    idp.refresh_from_db()
    assert idp.kek_version == "v2"
    assert secret_unwrap(idp) == "the provider's secret"
