"""Database sessions that turn away malformed session cookies before they reach the database.

Django issues session keys of 32 lowercase letters and digits. A cookie holding anything else
(a NUL byte above all, which PostgreSQL refuses with an error, so the request would fail with a
500) is treated exactly like an unknown session: the visitor is simply not signed in.

Every signed-in request reads its session row and then its user, so both come in one fixed
statement (prepared on PostgreSQL, see hot_reads.py; accounts.selectors.session_and_user): the
session row on the same terms as Django's store (the key matches and it has not expired), and
the user allauth recorded signing in with that session. That user is only offered to the
authentication backend for this request's sign-in check, which still takes the user id from
the signed session data (backends.py). Writing, ending and clearing sessions are Django's.
"""

from __future__ import annotations

import contextlib
import string
from contextvars import ContextVar

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from mentorhaven.accounts.selectors import session_and_user

KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)
MAX_KEY_LENGTH = 40  # the column's length


class SessionStore(DatabaseSessionStore):
    _user_read_with_session = None

    def _validate_session_key(self, key):
        return (
            # django-stubs does not list this SessionBase hook; Django 6.1 has it.
            bool(super()._validate_session_key(key))  # type: ignore[misc]
            and len(key) <= MAX_KEY_LENGTH
            and set(key) <= KEY_CHARACTERS
        )

    def _get_session_from_db(self):
        """The live session row, or None (then the key is forgotten, as Django's store does)."""
        key = self.session_key  # None unless the cookie held a well-formed key
        found = None if key is None else session_and_user(key, timezone.now())
        if key is None or found is None:
            self._session_key = None
            return None
        data, self._user_read_with_session = found
        return self.model(session_key=key, session_data=data)

    def take_user_read_with_session(self, user_id):
        """The user read together with this session if it is ``user_id``, else None; once."""
        user, self._user_read_with_session = self._user_read_with_session, None
        if user is None or user.pk != type(user)._meta.pk.to_python(user_id):
            return None
        return user


_signing_in_with: ContextVar[SessionStore | None] = ContextVar(
    "mentorhaven_signing_in_with", default=None
)


@contextlib.contextmanager
def signing_in_with(session):
    """While django.contrib.auth finds the user of ``session``: lets the backend use the user
    read together with that session (AuthenticationMiddleware). Only for that one call."""
    token = _signing_in_with.set(session if isinstance(session, SessionStore) else None)
    try:
        yield
    finally:
        _signing_in_with.reset(token)


def user_read_with_session(user_id):
    """For the backend: the user read with the session being signed in with, if it is
    ``user_id``; otherwise None (then the backend reads the user itself)."""
    session = _signing_in_with.get()
    return session.take_user_read_with_session(user_id) if session is not None else None
