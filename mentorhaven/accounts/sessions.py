"""Database sessions that turn away malformed session cookies before they reach the database.

Django issues session keys of 32 lowercase letters and digits. A cookie holding anything else
(a NUL byte above all, which PostgreSQL refuses with an error, so the request would fail with a
500) is treated exactly like an unknown session: the visitor is simply not signed in.
"""

from __future__ import annotations

import string

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)
MAX_KEY_LENGTH = 40  # the column's length


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return (
            # django-stubs does not list this SessionBase hook; Django 6.1 has it.
            bool(super()._validate_session_key(key))  # type: ignore[misc]
            and len(key) <= MAX_KEY_LENGTH
            and set(key) <= KEY_CHARACTERS
        )
