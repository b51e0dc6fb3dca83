"""allauth's "where you are signed in" records, keyed by the stored hash of each session key.

allauth.usersessions keeps one ``UserSession`` row per signed-in session (browser, address, last
seen) and names the session by ``session_key``. Left alone it would write the cookie's key there
in clear; here every record holds ``stored_key(key)`` instead (the value the session table holds,
accounts/sessions.py), so no table keeps a usable session key.

allauth's own functions still do the work; they are only handed the stored key:

* ``UserSessionsMiddleware`` (settings.MIDDLEWARE): allauth's activity tracking, given the
  session as its stored key, at most once a minute per session and client.
* ``session_signed_in`` (called from the account adapter's ``post_login``): the record made at
  sign-in, which allauth's ``user_logged_in`` receiver would have made with the clear key. That
  receiver and the one for password changes are disconnected in ``AccountsConfig.ready``; after a
  password change the next request records the session's new key.
* ``UserSessionsAdapter.end_sessions`` (``USERSESSIONS_ADAPTER``): ends sessions by their
  stored key. allauth's ``UserSession.end``/``exists``/``purge`` would rebuild a session store
  from the record's key, which a hash cannot do (and must not: a hash is not a credential), so
  they are never called; ``live_sessions`` replaces ``purge_and_list``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from allauth.usersessions.internal import usersessionkit
from allauth.usersessions.middleware import (
    UserSessionsMiddleware as AllauthUserSessionsMiddleware,
)
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.accounts.realtime import sockets_recheck_on_commit
from mentorhaven.accounts.sessions import stored_key


@dataclass(frozen=True)
class StoredSession:
    """A session as allauth's usersessions code sees it: only ``session_key``, the stored hash."""

    session_key: str


def stored_session(session: SessionBase | None) -> StoredSession | None:
    """``session`` named by its stored key; None for a session not saved (no key) yet."""
    key = getattr(session, "session_key", None)
    return StoredSession(stored_key(key)) if key else None


# A session's "last seen" is kept to this precision; a new address or browser is recorded (and
# allauth's session_client_changed signal sent) on the request it appears.
ACTIVITY_WRITE_SECONDS = 60


def _client(request: HttpRequest) -> str:
    client = f"{get_account_adapter().get_client_ip(request)}\n"
    return client + request.META.get("HTTP_USER_AGENT", "")


class UserSessionsMiddleware(AllauthUserSessionsMiddleware):
    """allauth's activity tracking (USERSESSIONS_TRACK_ACTIVITY) under the stored key, at most
    once a minute per session and client.

    allauth's own middleware reads, re-reads the user and updates the record in a transaction
    on every request; the commit alone waits for the disk. That doubled the cost of every
    signed-in page (a redirect: 13.8 ms against 5.9 ms per request, 4.8 ms against 2.5 ms of
    CPU) and kept pages over the goal of benchmarks/bench_pages.py. A note in the cache says
    that this session was recorded from this client less than ACTIVITY_WRITE_SECONDS ago;
    losing it (another process, a flush) costs one extra write. The cache is only ever given
    the stored hash, never the key. Ending a session never depends on the note.
    """

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        session = stored_session(getattr(request, "session", None))
        if session is not None and user is not None and user.is_authenticated:
            note = f"mh:session-seen:{session.session_key}"  # the stored hash, not the key
            client = hashlib.sha256(_client(request).encode()).hexdigest()
            if cache.get(note) != client:
                usersessionkit.track_activity(request, user=user, session=session)  # type: ignore[arg-type]
                cache.set(note, client, ACTIVITY_WRITE_SECONDS)
        return self.get_response(request)


def session_signed_in(request: HttpRequest, user: User) -> None:
    """What allauth does at sign-in (forget stale records, record this session), by stored key."""
    live_sessions(user)
    UserSession.objects.create_from_request(
        request,
        user=user,
        session=stored_session(request.session),  # type: ignore[arg-type]
    )


def live_sessions(user: User) -> list[UserSession]:
    """``user``'s records of sessions that still exist and have not expired; the others are
    deleted (allauth's ``purge_and_list``, by stored key). A session whose password hash went
    stale is signed out by django.contrib.auth on its next request, and a password change ends
    the other sessions at once (services.password_change)."""
    records = list(UserSession.objects.filter(user_id=user.pk))
    live_keys = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in records], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    stale = [r.pk for r in records if r.session_key not in live_keys]
    if stale:
        UserSession.objects.filter(pk__in=stale).delete()
    return [r for r in records if r.session_key in live_keys]


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    @transaction.atomic
    def end_sessions(self, sessions) -> None:
        """End ``sessions`` (UserSession records): their session rows go, so their cookies
        stop working on the very next request, and so do the records; once committed, the
        people's open sockets check their sessions again and the ended ones close."""
        keys = [s.session_key for s in sessions]
        Session.objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(session_key__in=keys).delete()
        for person in User.objects.filter(pk__in={s.user_id for s in sessions}):
            sockets_recheck_on_commit(person)
