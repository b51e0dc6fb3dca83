"""Per-request account checks.

* The signed-in user is found by django.contrib.auth as usual; the backend may take them from
  the statement that read the session (sessions.py) instead of reading them again.
* Until a mentor or any admin role has enrolled a second factor, they reach only enrolment
  (decided afresh on every request, from the roles and second factors read with the user).
* "Where you are signed in" activity (allauth usersessions) is written at most once a minute
  per session, and at once when the session's address or browser changes.
"""

from __future__ import annotations

import hashlib

from allauth.account.adapter import get_adapter
from allauth.usersessions.internal import usersessionkit
from django.contrib import auth
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from mentorhaven.accounts.selectors import request_mfa_gate
from mentorhaven.accounts.sessions import signing_in_with

# Sessions signed in before MentorHaven's own backends existed name the library ones; they load
# the same people the same way, so such a session is moved over instead of being signed out.
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "mentorhaven.accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "mentorhaven.accounts.backends.AuthenticationBackend"
    ),
}


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        renamed = RENAMED_BACKENDS.get(request.session.get(auth.BACKEND_SESSION_KEY, ""))
        if renamed:
            request.session[auth.BACKEND_SESSION_KEY] = renamed
        with signing_in_with(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, except that finding the user may use the user read together with the session
    (sessions.py). django.contrib.auth.get_user does all the checking, as before."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))


# Paths a signed-in person without MFA may still reach: enrolment itself, signing out,
# re-authentication (allauth asks for it before enrolment) and static assets.
MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
    "/healthz",
)


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and request_mfa_gate(user).blocks
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "message": "Set up two-factor authentication before using MentorHaven.",
                        "code": "mfa_required",
                        "extra": {},
                    },
                    status=403,
                )
            return redirect("mfa_index")
        return self.get_response(request)


# A session's "last seen" time is kept to this precision; a change of address or browser is
# still recorded (and allauth's session_client_changed signal sent) on the request it happens.
ACTIVITY_WRITE_SECONDS = 60


def _activity_cache_key(session_key: str) -> str:
    # The session key is a credential: the cache is only ever given a digest of it.
    digest = hashlib.sha256(f"mentorhaven-activity:{session_key}".encode()).hexdigest()
    return f"mh:session-activity:{digest}"


def _client_fingerprint(request) -> str:
    client = f"{get_adapter().get_client_ip(request)}\n{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.sha256(client.encode()).hexdigest()


class SessionActivityMiddleware:
    """allauth's UserSessionsMiddleware, without a database write on every request.

    allauth records the session (IP, browser, last seen) with a read and an UPDATE in a
    transaction on every request. Here that happens only when the cache holds no note that the
    same session was recorded from the same client in the last ``ACTIVITY_WRITE_SECONDS``.
    Losing a note (another process, a cache flush) only costs one extra write; the session row
    itself is created at sign-in by allauth, as before, and ending a session never depends on
    the note.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            user is not None
            and user.is_authenticated
            and session is not None
            and session.session_key
        ):
            key = _activity_cache_key(session.session_key)
            fingerprint = _client_fingerprint(request)
            if cache.get(key) != fingerprint:
                usersessionkit.track_activity(request, user=user, session=session)
                cache.set(key, fingerprint, ACTIVITY_WRITE_SECONDS)
        return self.get_response(request)
