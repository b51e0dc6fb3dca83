"""Writes about accounts."""

from __future__ import annotations

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction

from mentorhaven.accounts.models import User


@transaction.atomic
def mfa_enroll_totp(*, user: User, secret: str | None = None) -> str:
    """Enrol an authenticator app for ``user`` (used by the demo and by tests); returns the secret.

    People enrol themselves through the allauth pages; this exists so that the demo personas work
    for a newcomer without a phone (``mentorhaven demo totp EMAIL`` prints the current code).
    """
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret
