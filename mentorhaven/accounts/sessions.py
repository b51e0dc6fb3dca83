"""Django's database sessions, with only a keyed hash of each session key in the table.

The session key is a bearer credential: whoever holds it is signed in. The cookie carries it;
the session table holds ``stored_key(key)``, an HMAC-SHA256 of it under a key derived from
``SECRET_KEY``, cut to the column's 40 hex characters (160 bits). Someone with a copy of the
database cannot turn a row back into a working cookie, and someone who can write to the database
cannot add a row for a key of their own choosing either (that needs the secret key). allauth's
list of signed-in devices keeps the same hash (accounts/usersessions.py).

Everything else is Django's store: loading, saving, expiry, ``cycle_key`` at sign-in,
``flush`` at sign-out and ``clearsessions``. A cookie that cannot be a session key (the wrong
characters, a NUL byte above all) is no session at all, turned away before any query.

Changing ``SECRET_KEY`` signs everybody out, as it already did for the signed session data.
"""

from __future__ import annotations

import string

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone
from django.utils.crypto import salted_hmac

KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)  # what Django issues
MAX_KEY_LENGTH = 40
STORED_KEY_LENGTH = 40  # the session_key columns of django_session and usersessions
_HASH_SALT = "mentorhaven.accounts.sessions.stored_key"


def stored_key(session_key: str) -> str:
    """What the database holds for the session whose cookie carries ``session_key``."""
    digest = salted_hmac(_HASH_SALT, session_key, algorithm="sha256").hexdigest()
    return digest[:STORED_KEY_LENGTH]


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return (
            # django-stubs does not list this SessionBase hook; Django 6.1 has it.
            bool(super()._validate_session_key(key))  # type: ignore[misc]
            and len(key) <= MAX_KEY_LENGTH
            and set(key) <= KEY_CHARACTERS
        )

    def _live_session(self):
        return self.model.objects.filter(
            session_key=stored_key(self.session_key or ""), expire_date__gt=timezone.now()
        )

    def _get_session_from_db(self):
        session = self._live_session().first()
        if session is None:
            self._session_key = None  # forgotten, as Django's store does
        return session

    async def _aget_session_from_db(self):
        session = await self._live_session().afirst()
        if session is None:
            self._session_key = None
        return session

    def exists(self, session_key):
        return super().exists(stored_key(session_key))

    async def aexists(self, session_key):
        return await super().aexists(stored_key(session_key))

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.session_key = stored_key(session.session_key)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.session_key = stored_key(session.session_key)
        return session

    def delete(self, session_key=None):
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            super().delete(stored_key(key))

    async def adelete(self, session_key=None):
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            await super().adelete(stored_key(key))
