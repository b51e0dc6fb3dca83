"""Authentication backends: Django's and allauth's, with the per-request user read made cheap.

Every signed-in request loads its user by the id kept in the session, then checks their second
factor (MfaRequiredMiddleware). The backends below take both from the statement that read the
session (sessions.py) when it found that very user, or else read them with one prepared
statement (accounts.selectors.signed_in_user): no ORM query built afresh on every request.
Everything else (passwords, permissions, allauth's sign-in rules, the inactive-user check) is
inherited unchanged, and django.contrib.auth.get_user still checks the session's password
hash against the user read here, on every request.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from mentorhaven.accounts.selectors import signed_in_user
from mentorhaven.accounts.sessions import user_read_with_session


class _PreparedUserRead:
    def get_user(self, user_id):
        user = user_read_with_session(user_id) or signed_in_user(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_PreparedUserRead, DjangoModelBackend):
    """Django's model backend (force_login in tests, management commands)."""


class AuthenticationBackend(_PreparedUserRead, AllauthBackend):
    """allauth's backend: sign-in by e-mail and password, passkeys."""
