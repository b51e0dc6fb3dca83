"""Second-factor secrets are vault ciphertext under their owner's data key, bound to the owner."""

from __future__ import annotations

import base64
import importlib
import io
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from mentorhaven.accounts import mfa_adapter
from mentorhaven.accounts.mfa_adapter import secrets_of
from mentorhaven.accounts.models import User
from mentorhaven.demo import current_totp_code
from mentorhaven.kernel import vault
from mentorhaven.kernel.errors import Erased
from tests.conftest import PASSWORD, totp_code
from tests.kernel.vault_helpers import keyring  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keyring")]

MIGRATION = "mentorhaven.accounts.migrations.0004_mfa_secrets_in_vault"


def _totp(user: User) -> Authenticator:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


def _sealed(stored: str) -> bytes:
    assert stored.startswith("mhv2:")
    return base64.urlsafe_b64decode(stored.removeprefix("mhv2:"))


def _sign_in(user: User, code: str) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate")
    browser.post("/accounts/2fa/authenticate/", {"code": code})
    return browser


def _signed_in(browser: Client) -> bool:
    return browser.get("/dashboard/").status_code == 200


def test_allauth_uses_the_vault_adapter():
    assert isinstance(get_adapter(), mfa_adapter.MFAAdapter)


def test_secrets_are_vault_ciphertext_under_the_owners_data_key(personas):
    user = personas.ana
    secret = personas.totp_secrets[user.email]
    stored = _totp(user).data["secret"]
    assert secret not in stored
    sealed = _sealed(stored)
    assert sealed[:1] == vault.FORMAT_VERSION
    binding = vault.Binding("mfa_authenticator", "data", str(user.pk), str(user.pk))
    assert vault.decrypt(user.pk, sealed, binding).decode() == secret
    seed = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert _sealed(seed.data["seed"])[:1] == vault.FORMAT_VERSION


def test_totp_sign_in_works(personas):
    user = personas.ana
    assert _signed_in(_sign_in(user, totp_code(personas.totp_secrets[user.email])))


def test_a_recovery_code_signs_in(personas):
    user = personas.ben
    with secrets_of(user):
        codes = RecoveryCodes(
            Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
        ).get_unused_codes()
    assert _signed_in(_sign_in(user, codes[0]))


def test_a_secret_copied_into_another_persons_row_does_not_decrypt(personas):
    """Someone who can write to the database puts their own (known) TOTP secret into the
    mentor's row, hoping to pass the mentor's second factor with their own codes."""
    ana, ben = personas.ana, personas.ben
    victim = _totp(ben)
    victim.data = {"secret": _totp(ana).data["secret"]}
    victim.save()
    with pytest.raises(vault.VaultError):
        mfa_adapter.decrypt_secret(victim.data["secret"], ben.pk)
    browser = _sign_in(ben, totp_code(personas.totp_secrets[ana.email]))
    assert not _signed_in(browser)
    page = browser.get("/accounts/2fa/authenticate/")
    assert page.status_code == 200  # still asked for a code: a wrong code, not an error


def test_after_erasure_the_factor_no_longer_verifies(personas):
    user = personas.ana
    code = totp_code(personas.totp_secrets[user.email])
    vault.shred(user)
    with secrets_of(user), pytest.raises(Erased):
        _totp(user).wrap().validate_code(code)
    assert not _signed_in(_sign_in(user, code))


def test_a_secret_is_never_used_without_knowing_whose_it_is(db):
    with pytest.raises(vault.VaultError):
        get_adapter().encrypt("JBSWY3DPEHPK3PXP")


def test_demo_codes_still_work(personas):
    secret = personas.totp_secrets[personas.ana.email]
    expected = totp_code(secret)  # first: it waits out a window's last seconds
    assert current_totp_code(personas.ana.email) == expected


def test_key_rotation_leaves_second_factors_working(personas):
    """Rotation re-wraps data keys only: the sealed secrets are not touched and still work."""
    user = personas.ana
    before = _totp(user).data["secret"]
    call_command("keys", "rotate", stdout=io.StringIO())
    call_command("keys", "rotate", "--retire-old", stdout=io.StringIO())
    vault.forget_cached_keys()
    assert _totp(user).data["secret"] == before
    # The next window: the code of the sign-in below must not have been used yet.
    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=True):
        assert _signed_in(_sign_in(user, totp_code(personas.totp_secrets[user.email])))


def test_the_migration_moves_old_secrets_into_the_vault(db):
    migration = importlib.import_module(MIGRATION)
    old = User.objects.create_user(email="old@mfa.test", password=PASSWORD)
    plain = User.objects.create_user(email="plain@mfa.test", password=PASSWORD)
    erased = User.objects.create_user(email="gone@mfa.test", password=PASSWORD)
    secret = "JBSWY3DPEHPK3PXP"
    Authenticator.objects.create(
        user=old, type="totp", data={"secret": migration._old_encrypt(secret)}
    )
    Authenticator.objects.create(
        user=old, type="recovery_codes", data={"seed": migration._old_encrypt("ab" * 40)}
    )
    Authenticator.objects.create(user=plain, type="totp", data={"secret": secret})
    Authenticator.objects.create(user=erased, type="totp", data={"secret": secret})
    vault.shred(erased)

    migration.to_vault(apps, None)
    migration.to_vault(apps, None)  # a re-run changes nothing

    for user in (old, plain):
        stored = _totp(user).data["secret"]
        assert mfa_adapter.decrypt_secret(stored, user.pk) == secret
    seed = Authenticator.objects.get(user=old, type="recovery_codes").data["seed"]
    assert mfa_adapter.decrypt_secret(seed, old.pk) == "ab" * 40
    assert not Authenticator.objects.filter(user=erased).exists()

    migration.to_master_key(apps, None)
    assert migration._old_decrypt(_totp(old).data["secret"]) == secret
