"""allauth MFA secrets are encrypted under a key derived from the master key."""

from __future__ import annotations

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt, encrypt

from mentorhaven.accounts import mfa_adapter
from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.demo import current_totp_code
from mentorhaven.kernel import vault
from tests.conftest import totp_code
from tests.kernel.vault_helpers import keyring  # noqa: F401

pytestmark = pytest.mark.usefixtures("keyring")


@pytest.fixture
def user(db):
    return User.objects.create_user(email="mfa@vault.test", password="x" * 16)


def test_allauth_uses_the_encrypting_adapter():
    assert isinstance(get_adapter(), mfa_adapter.MFAAdapter)


def test_totp_secret_and_recovery_seed_are_stored_encrypted(user):
    secret = mfa_enroll_totp(user=user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert totp.data["secret"].startswith("mhv1:v1:")
    assert secret not in totp.data["secret"]
    assert codes.data["seed"].startswith("mhv1:v1:")
    assert decrypt(totp.data["secret"]) == secret


def test_secrets_do_not_decrypt_under_another_master_key(user, tmp_path):
    stored = encrypt("JBSWY3DPEHPK3PXP")
    vault.set_key_provider(vault.FileKeyProvider(path=str(tmp_path / "other.key")))
    with pytest.raises(vault.VaultError) as caught:
        decrypt(stored)
    assert "JBSWY3DPEHPK3PXP" not in str(caught.value)


def test_altered_secret_is_refused(user):
    stored = encrypt("JBSWY3DPEHPK3PXP")
    body = stored.rsplit(":", 1)[1]
    flipped = body[:-4] + ("A" if body[-4] != "A" else "B") + body[-3:]
    with pytest.raises(vault.VaultError):
        decrypt(stored.rsplit(":", 1)[0] + ":" + flipped)


def test_secret_stored_before_the_adapter_still_works(user):
    """Demo data made with allauth's plaintext default keeps signing in."""
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"
    expected = totp_code("JBSWY3DPEHPK3PXP")  # first: it waits out a window's last seconds
    assert current_totp_code(user.email) == expected


def test_demo_totp_codes_work_with_encrypted_secrets(user):
    secret = mfa_enroll_totp(user=user)
    expected = totp_code(secret)  # first: it waits out a window's last seconds
    assert current_totp_code(user.email) == expected


def test_mentor_signs_in_with_an_encrypted_totp_secret(personas, login, client):
    stored = Authenticator.objects.get(user=personas.ana, type=Authenticator.Type.TOTP)
    assert stored.data["secret"].startswith("mhv1:")
    login(personas.ana)
    assert client.get("/dashboard/").status_code == 200
