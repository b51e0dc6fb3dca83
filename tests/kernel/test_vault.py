"""The vault core: envelope encryption, bindings, key providers, shredding and its cache."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.views.debug import ExceptionReporter

from mentorhaven.accounts.models import User
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Erased
from mentorhaven.kernel.models import SubjectKey
from tests.kernel.vault_helpers import keyring  # noqa: F401

pytestmark = pytest.mark.usefixtures("keyring")

SECRET_TEXT = b"my manager shouts at me; I am thinking of leaving"
BINDING = vault.Binding("mentoring_note", "body", "3f1c", "1")


@pytest.fixture
def alice(db):
    return User.objects.create_user(email="alice@vault.test", password="x" * 16)


@pytest.fixture
def bob(db):
    return User.objects.create_user(email="bob@vault.test", password="x" * 16)


def _binding(user, **changes):
    values = {"table": "mentoring_note", "column": "body", "row": "3f1c", "subject": str(user.pk)}
    values.update(changes)
    return vault.Binding(**values)


def test_round_trip_returns_the_plaintext(alice):
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    assert SECRET_TEXT not in sealed
    assert vault.decrypt(alice, sealed, _binding(alice)) == SECRET_TEXT


def test_same_plaintext_encrypts_differently_each_time(alice):
    assert vault.encrypt(alice, b"x", _binding(alice)) != vault.encrypt(
        alice, b"x", _binding(alice)
    )


@pytest.mark.parametrize(
    "change", [{"table": "other_table"}, {"column": "title"}, {"row": "9999"}, {"subject": "77"}]
)
def test_ciphertext_does_not_decrypt_in_another_place(alice, change):
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    with pytest.raises(vault.VaultError):
        vault.decrypt(alice, sealed, _binding(alice, **change))


def test_ciphertext_does_not_decrypt_under_another_subjects_key(alice, bob):
    vault.encrypt(bob, b"bob has a key too", _binding(bob))
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    with pytest.raises(vault.VaultError):
        vault.decrypt(bob, sealed, _binding(alice))


def test_altered_ciphertext_is_refused(alice):
    sealed = bytearray(vault.encrypt(alice, SECRET_TEXT, _binding(alice)))
    sealed[20] ^= 1
    with pytest.raises(vault.VaultError):
        vault.decrypt(alice, bytes(sealed), _binding(alice))


def test_data_keys_are_stored_wrapped_never_raw(alice):
    vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    row = SubjectKey.objects.get(subject_id=alice.pk)
    raw = vault.data_key(alice)
    assert raw not in bytes(row.wrapped_key)
    assert row.kek_version == "v1"


def test_shred_makes_every_ciphertext_of_the_subject_unreadable(alice, bob):
    mine = [vault.encrypt(alice, b"one", _binding(alice, row=str(i))) for i in range(3)]
    theirs = vault.encrypt(bob, b"two", _binding(bob))
    assert not vault.is_shredded(alice)
    vault.shred(alice)
    assert vault.is_shredded(alice) and not vault.is_shredded(bob)
    for i, sealed in enumerate(mine):
        with pytest.raises(Erased):
            vault.decrypt(alice, sealed, _binding(alice, row=str(i)))
    assert vault.decrypt(bob, theirs, _binding(bob)) == b"two"
    row = SubjectKey.objects.get(subject_id=alice.pk)
    assert bytes(row.wrapped_key) == b"" and bytes(row.wrapped_secret) == b""
    assert vault.subject_secret(alice) is None


def test_shredded_subject_gets_no_new_key(alice):
    vault.shred(alice)
    with pytest.raises(Erased):
        vault.encrypt(alice, b"new content", _binding(alice))
    assert SubjectKey.objects.get(subject_id=alice.pk).shredded_at is not None


def test_shred_in_another_process_stops_working_here_within_the_cache_bound(alice, settings):
    settings.VAULT_KEY_CACHE_SECONDS = 30
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert vault.decrypt(alice, sealed, _binding(alice)) == SECRET_TEXT
        # Another process shreds: the row changes, this process's cache is not told.
        SubjectKey.objects.filter(subject_id=alice.pk).update(
            wrapped_key=b"", wrapped_secret=b"", shredded_at=timezone.now()
        )
        traveller.shift(31)
        with pytest.raises(Erased):
            vault.decrypt(alice, sealed, _binding(alice))


def test_without_a_cache_a_shred_elsewhere_is_seen_at_once(alice, settings):
    settings.VAULT_KEY_CACHE_SECONDS = 0
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    SubjectKey.objects.filter(subject_id=alice.pk).update(
        wrapped_key=b"", wrapped_secret=b"", shredded_at=timezone.now()
    )
    with pytest.raises(Erased):
        vault.decrypt(alice, sealed, _binding(alice))


def test_subject_secret_is_stable_and_per_subject(alice, bob):
    assert vault.subject_secret(alice) == vault.subject_secret(alice)
    vault.forget_cached_keys()
    assert vault.subject_secret(alice) == vault.subject_secret(alice.pk)
    assert vault.subject_secret(alice) != vault.subject_secret(bob)


def test_a_wrapped_key_relabelled_with_another_version_does_not_unwrap(alice):
    provider = vault.key_provider()
    vault.encrypt(alice, b"x", _binding(alice))
    provider.add_version()
    SubjectKey.objects.filter(subject_id=alice.pk).update(kek_version="v2")
    vault.forget_cached_keys()
    with pytest.raises(vault.VaultError):
        vault.data_key(alice)


def test_a_key_version_added_by_another_process_is_picked_up(alice, tmp_path):
    path = tmp_path / "master.key"
    here = vault.FileKeyProvider(path=str(path))
    elsewhere = vault.FileKeyProvider(path=str(path))
    vault.set_key_provider(here)
    assert here.current_version() == "v1"
    version = elsewhere.add_version()
    wrapped = elsewhere.wrap(b"k" * 32, b"aad", version)
    assert here.unwrap(wrapped, b"aad", version) == b"k" * 32


def test_key_file_lines_carry_versions_and_the_last_is_current(tmp_path):
    path = tmp_path / "ring.key"
    path.write_text(f"{vault.new_key_line('v1')}\n# comment\n{vault.new_key_line('v7')}\n")
    provider = vault.FileKeyProvider(path=str(path))
    assert provider.versions() == ["v1", "v7"]
    assert provider.current_version() == "v7"


def test_development_key_file_is_created_with_mode_0600(tmp_path):
    path = tmp_path / "dev.key"
    vault.FileKeyProvider(path=str(path)).current_version()
    assert path.stat().st_mode & 0o777 == 0o600


@override_settings(PRODUCTION=True)
def test_production_refuses_a_missing_key_file_instead_of_creating_one(tmp_path):
    path = tmp_path / "missing.key"
    with pytest.raises(vault.VaultError):
        vault.FileKeyProvider(path=str(path)).current_version()
    assert not path.exists()


def test_malformed_key_file_errors_name_the_line_never_the_key(tmp_path):
    key = base64.urlsafe_b64encode(os.urandom(31)).decode()  # one byte short
    path = tmp_path / "bad.key"
    path.write_text(f"v1:{key}\n")
    with pytest.raises(vault.VaultError) as caught:
        vault.FileKeyProvider(path=str(path)).current_version()
    assert key not in str(caught.value)
    assert key[:12] not in repr(caught.value)


def test_custom_key_provider_is_loaded_from_settings(settings):
    settings.VAULT_KEY_PROVIDER = "tests.kernel.test_vault.InMemoryProvider"
    vault.set_key_provider(None)
    assert isinstance(vault.key_provider(), InMemoryProvider)


class InMemoryProvider(vault.LocalKeyProvider):
    """What a KMS integration looks like from the vault's side (used by the test above)."""

    def __init__(self):
        self.ring = {"k1": os.urandom(32)}

    def current_version(self):
        return "k1"

    def versions(self):
        return list(self.ring)

    def key(self, version):
        return self.ring[version]


# --- nothing sensitive in errors, logs, error pages or caches ------------------------------------


def test_vault_errors_carry_no_plaintext_or_key_material(alice):
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    key = vault.data_key(alice)
    with pytest.raises(vault.VaultError) as caught:
        vault.decrypt(alice, sealed, _binding(alice, row="moved"))
    text = f"{caught.value!s} {caught.value!r} {caught.value.__cause__!r}"
    for secret in (SECRET_TEXT, key, key.hex().encode(), base64.b64encode(key)):
        assert secret.decode("latin-1") not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_debug_error_page_hides_the_plaintext_being_encrypted(alice, rf):
    vault.shred(alice)
    try:
        vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    except Erased:
        reporter = ExceptionReporter(rf.get("/"), *sys.exc_info())
        html = reporter.get_traceback_html()
        text = reporter.get_traceback_text()
    else:
        pytest.fail("encrypting for a shredded subject must raise Erased")
    assert "my manager shouts" not in html
    assert "my manager shouts" not in text


def test_debug_error_page_hides_unwrapped_keys(alice, rf):
    provider = vault.key_provider()
    vault.encrypt(alice, b"x", _binding(alice))
    vault.forget_cached_keys()
    SubjectKey.objects.filter(subject_id=alice.pk).update(wrapped_secret=b"\x00" * 60)
    try:
        vault.data_key(alice)
    except vault.VaultError:
        html = ExceptionReporter(rf.get("/"), *sys.exc_info()).get_traceback_html()
    else:
        pytest.fail("a damaged wrapped secret must not unwrap")
    # Fetched only now, so that this test's own frame held no key when the page was made.
    row = SubjectKey.objects.get(subject_id=alice.pk)
    key = vault.unwrap_data_key(alice.pk, row.wrapped_key, row.kek_version)
    master = provider.key("v1")
    for secret in (key, master):
        assert repr(secret)[2:30] not in html
        assert secret.hex() not in html


def test_vault_logs_nothing_sensitive(alice, caplog):
    caplog.set_level(logging.DEBUG)
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    vault.decrypt(alice, sealed, _binding(alice))
    with pytest.raises(vault.VaultError):
        vault.decrypt(alice, sealed, _binding(alice, row="moved"))
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "my manager shouts" not in logged
    assert vault.data_key(alice).hex() not in logged


def test_keys_never_go_to_the_shared_cache(alice):
    cache.clear()
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    vault.decrypt(alice, sealed, _binding(alice))
    assert cache._cache == {}  # the Django cache (locmem in tests) is untouched


# --- production start-up ---------------------------------------------------------------------


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORHAVEN_", "DATABASE_"))}
    env.update(
        MENTORHAVEN_ENV="production",
        MENTORHAVEN_SECRET_KEY="s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
        MENTORHAVEN_ALLOWED_HOSTS="mentoring.example.org",
        MENTORHAVEN_AUDIT_SIGNING_KEY_FILE=str(tmp_path / "audit.key"),
        MENTORHAVEN_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL="postgres://mh@127.0.0.1:5432/mh",
        EMAIL_URL="smtp://mail.example.org:25",
        DJANGO_SETTINGS_MODULE="mentorhaven.settings",
    )
    env.update(extra)
    return env


SETUP = (
    "import django; django.setup(); from mentorhaven.kernel import vault; "
    "print('current', vault.key_provider().current_version())"
)


def test_production_refuses_to_start_without_a_master_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SETUP],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "MENTORHAVEN_MASTER_KEY_FILE" in result.stderr


def test_production_starts_with_a_master_key_file(tmp_path):
    key_file = tmp_path / "master.key"
    key_file.write_text(vault.new_key_line("v3") + "\n")
    result = subprocess.run(
        [sys.executable, "-c", SETUP],
        env=_production_env(tmp_path, MENTORHAVEN_MASTER_KEY_FILE=str(key_file)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "current v3" in result.stdout


def test_a_key_created_in_a_rolled_back_transaction_is_never_used_again(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        vault.encrypt(alice, b"first try", _binding(alice))  # creates alice's key
        raise RuntimeError("the service failed after encrypting")
    assert not SubjectKey.objects.filter(subject_id=alice.pk).exists()
    # The retry, in the same process and within the cache period, must not reuse the lost key.
    sealed = vault.encrypt(alice, b"second try", _binding(alice))
    assert SubjectKey.objects.filter(subject_id=alice.pk).exists()
    vault.forget_cached_keys()
    assert vault.decrypt(alice, sealed, _binding(alice)) == b"second try"


def test_a_pseudonym_secret_from_a_rolled_back_transaction_is_not_reused(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = vault.subject_secret(alice)
        raise RuntimeError("rolled back")
    kept = vault.subject_secret(alice)
    vault.forget_cached_keys()
    assert vault.subject_secret(alice) == kept != lost


def test_a_key_evicted_and_read_again_in_the_transaction_that_made_it_is_still_checked(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        vault.encrypt(alice, b"first try", _binding(alice))  # creates alice's key
        vault.forget_cached_keys()  # evicted: the next use reads the row this transaction made
        vault.encrypt(alice, b"still the first try", _binding(alice))
        raise RuntimeError("the service failed after encrypting")
    sealed = vault.encrypt(alice, b"second try", _binding(alice))
    vault.forget_cached_keys()
    assert vault.decrypt(alice, sealed, _binding(alice)) == b"second try"


def test_a_key_made_in_a_savepoint_that_rolled_back_is_replaced_before_the_commit(alice):
    with transaction.atomic():
        vault.data_key(bob := User.objects.create_user(email="bob2@example.org"))
        with pytest.raises(RuntimeError), transaction.atomic():
            vault.subject_secrets([alice])  # made in the savepoint, in one batch
            raise RuntimeError("the inner step failed")
        sealed = vault.encrypt(alice, b"kept", _binding(alice))
    vault.forget_cached_keys()
    assert vault.decrypt(alice, sealed, _binding(alice)) == b"kept"
    assert vault.data_key(bob)


@pytest.mark.django_db(transaction=True)
def test_keys_saved_before_a_transaction_are_not_read_again_for_each_encryption():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [User.objects.create_user(email=f"p{n}@example.org") for n in range(20)]
    vault.subject_secrets(people)  # their keys, made and committed
    vault.forget_cached_keys()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        vault.subject_secrets(people)  # a bulk write loads every key in one query first
        for person in people:
            for _ in range(3):
                vault.encrypt(person, b"a pair's reasons", _binding(person))
    reads = [q for q in queries.captured_queries if "kernel_subjectkey" in q["sql"]]
    assert len(reads) == 1, [q["sql"][:80] for q in reads]


# --- a data key and a pseudonym secret are wrapped for different purposes ------------------------


def _swap_wrapped_columns(subject_id: int) -> None:
    row = SubjectKey.objects.get(subject_id=subject_id)
    SubjectKey.objects.filter(pk=row.pk).update(
        wrapped_key=bytes(row.wrapped_secret), wrapped_secret=bytes(row.wrapped_key)
    )
    vault.forget_cached_keys()


def test_a_pseudonym_secret_cannot_stand_in_for_a_data_key(alice):
    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    _swap_wrapped_columns(alice.pk)
    with pytest.raises(vault.VaultError):
        vault.decrypt(alice, sealed, _binding(alice))
    with pytest.raises(vault.VaultError):
        vault.subject_secret(alice)


def test_each_wrapping_purpose_opens_only_its_own_blob(alice):
    vault.data_key(alice)
    row = SubjectKey.objects.get(subject_id=alice.pk)
    key = vault.unwrap_data_key(alice.pk, row.wrapped_key, row.kek_version)
    assert len(key) == vault.KEY_BYTES
    with pytest.raises(vault.VaultError):
        vault.unwrap_data_key(
            alice.pk, row.wrapped_key, row.kek_version, purpose=vault.PSEUDONYM_SECRET
        )
    with pytest.raises(vault.VaultError):
        vault.unwrap_data_key(alice.pk, row.wrapped_secret, row.kek_version)
    with pytest.raises(vault.VaultError):
        vault.wrap_data_key(alice.pk, key, row.kek_version, purpose="anything")


def _migration():
    import importlib

    return importlib.import_module(
        "mentorhaven.kernel.migrations.0007_vault_wrap_purposes_and_integrity_notices"
    )


def test_the_migration_rewraps_rows_wrapped_before_the_purposes_existed(alice, bob):
    from django.apps import apps

    sealed = vault.encrypt(alice, SECRET_TEXT, _binding(alice))
    secret = vault.subject_secret(alice)
    key = vault.data_key(alice)
    vault.shred(bob)  # a shredded row has nothing to re-wrap
    legacy = vault.LEGACY_WRAP_PURPOSE
    SubjectKey.objects.filter(subject_id=alice.pk).update(
        wrapped_key=vault.wrap_data_key(alice.pk, key, "v1", purpose=legacy),
        wrapped_secret=vault.wrap_data_key(alice.pk, secret, "v1", purpose=legacy),
    )
    vault.forget_cached_keys()
    with pytest.raises(vault.VaultError):
        vault.data_key(alice)  # the legacy wrapping no longer opens

    _migration().wrap_under_distinct_purposes(apps, None)
    assert vault.decrypt(alice, sealed, _binding(alice)) == SECRET_TEXT
    assert vault.subject_secret(alice) == secret
    _swap_wrapped_columns(alice.pk)
    with pytest.raises(vault.VaultError):
        vault.data_key(alice)
    _swap_wrapped_columns(alice.pk)

    _migration().wrap_under_the_legacy_purpose(apps, None)  # the way back works too
    row = SubjectKey.objects.get(subject_id=alice.pk)
    assert vault.unwrap_data_key(alice.pk, row.wrapped_key, "v1", purpose=legacy) == key
    assert SubjectKey.objects.get(subject_id=bob.pk).shredded_at is not None


def test_secrets_of_more_people_than_the_cache_holds_take_one_query(monkeypatch, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mentorhaven.kernel.vault import keys

    people = [User.objects.create_user(email=f"many{n}@example.org") for n in range(12)]
    first = vault.subject_secrets(people)  # their keys made
    vault.forget_cached_keys()
    monkeypatch.setattr(keys, "CACHE_MAX_ENTRIES", 5)
    with CaptureQueriesContext(connection) as queries:
        again = vault.subject_secrets(people)
    reads = [q for q in queries.captured_queries if "kernel_subjectkey" in q["sql"]]
    assert len(reads) == 1, len(reads)
    assert again == first
    # Half of them still cached, half not: still one read, for the missing half.
    vault.forget_cached_keys()
    vault.subject_secrets(people[:6])
    with CaptureQueriesContext(connection) as queries:
        assert vault.subject_secrets(people) == first
    assert len([q for q in queries.captured_queries if "kernel_subjectkey" in q["sql"]]) == 1
