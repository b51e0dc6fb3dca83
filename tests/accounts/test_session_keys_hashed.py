"""Session keys are bearer credentials: the database keeps only a keyed hash of each one.

Proven against the real stack: sign in through allauth's forms, then read every table of the
database looking for the cookie's key. The store itself still does everything Django's does.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentorhaven.accounts.selectors import session_ref
from mentorhaven.accounts.sessions import SessionStore, stored_key
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME
MIGRATION = "mentorhaven.accounts.migrations.0003_sessions_stored_hashed"


def _tables_containing(needle: str) -> set[str]:
    """Every table with a row in which some column's text contains ``needle``."""
    found = set()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (introspected names)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("latin-1")
                    if needle in str(value):
                        found.add(table)
    return found


def _cookie(c: Client) -> str:
    return c.cookies[COOKIE].value


def test_no_row_anywhere_holds_a_signed_in_cookies_key(personas, login):
    mentee = Client()
    with CaptureQueriesContext(connection) as queries:
        response = mentee.post(
            "/accounts/login/", {"login": personas.cara.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        mentor = login(personas.ana, Client())  # password, then the second factor
        for c in (mentee, mentor):
            assert c.get("/dashboard/").status_code == 200
            assert c.get("/accounts/sessions/").status_code == 200
    for c in (mentee, mentor):
        key = _cookie(c)
        assert len(key) == 32
        assert _tables_containing(key) == set()
        # Not even for a moment: no statement sent while signing in carried the key.
        assert not [q["sql"] for q in queries.captured_queries if key in q["sql"]]
        # The scan does see the session tables: they hold the hash.
        assert {"django_session", "usersessions_usersession"} <= _tables_containing(stored_key(key))


def test_the_stored_hash_used_as_a_cookie_signs_nobody_in(client, personas):
    """An insider who read the session table has only hashes: none of them opens a session."""
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    stolen = Session.objects.get().session_key
    thief = Client()
    thief.cookies[COOKIE] = stolen
    assert thief.get("/dashboard/").status_code == 302


def test_the_hash_is_keyed_with_the_secret_key(settings):
    key = "abcdefghijklmnopqrstuvwxyz012345"
    before = stored_key(key)
    settings.SECRET_KEY = "another secret key that is long enough to be a real one ....."
    assert stored_key(key) != before
    assert len(before) == 40 and set(before) <= set("0123456789abcdef")


def test_the_store_saves_loads_checks_and_deletes_by_hash(db):
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    key = store.session_key
    assert Session.objects.filter(session_key=stored_key(key)).exists()
    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(key)["colour"] == "teal"
    assert store.exists(key)
    assert not store.exists(stored_key(key))  # a hash is not a key
    store["colour"] = "amber"
    store.save()
    assert SessionStore(key)["colour"] == "amber"
    store.delete()
    assert not Session.objects.exists()
    assert SessionStore(key).load() == {}


def test_cycling_the_key_keeps_the_data_and_forgets_the_old_key(db):
    store = SessionStore()
    store["step"] = 2
    store.save()
    old = store.session_key
    store.cycle_key()
    assert store.session_key != old
    assert not store.exists(old)
    assert SessionStore(store.session_key)["step"] == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        stored_key(store.session_key)
    ]


def test_signing_in_gives_a_new_key_and_signing_out_deletes_it(client, personas):
    visitor = SessionStore()
    visitor["seen"] = True
    visitor.save()
    before = visitor.session_key
    client.cookies[COOKIE] = before
    response = client.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    assert response.status_code == 302
    after = _cookie(client)
    assert after != before
    assert not SessionStore().exists(before)
    assert client.get("/dashboard/").status_code == 200

    assert client.post("/accounts/logout/").status_code == 302
    assert not SessionStore().exists(after)
    replay = Client()
    replay.cookies[COOKIE] = after
    assert replay.get("/dashboard/").status_code == 302


def test_expired_sessions_are_cleared_and_sign_nobody_in(client, personas):
    client.force_login(personas.cara)
    key = _cookie(client)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/dashboard/").status_code == 302
    SessionStore.clear_expired()
    assert not Session.objects.filter(session_key=stored_key(key)).exists()


def test_ending_a_session_on_the_sessions_page_stops_its_cookie_at_once(personas):
    laptop, phone = Client(), Client()
    for c in (laptop, phone):
        c.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
        assert c.get("/dashboard/").status_code == 200
    phone_key = _cookie(phone)
    ref = session_ref(stored_key(phone_key))
    assert ref.encode() in laptop.get("/accounts/sessions/").content
    assert laptop.post("/accounts/sessions/end/", {"session": ref}).status_code == 302
    copy = Client()
    copy.cookies[COOKIE] = phone_key
    assert copy.get("/dashboard/").status_code == 302
    assert phone.get("/dashboard/").status_code == 302
    assert not UserSession.objects.filter(session_key=stored_key(phone_key)).exists()
    assert laptop.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("cookie", ["abc\x00defghijklmnopqrstuvwxyz01234", "ABC" * 10, "x" * 41])
def test_a_malformed_cookie_is_no_session_and_never_reaches_the_database(client, db, cookie):
    assert SessionStore(cookie).session_key is None
    client.cookies[COOKIE] = cookie
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert client.get("/dashboard/").status_code == 302


def test_sessions_from_before_the_change_are_signed_out_cleanly(client, personas):
    """Migration accounts.0002 deletes rows holding a key in clear (and allauth's records of
    them); a browser still carrying such a key is simply signed out."""
    migration = importlib.import_module(
        "mentorhaven.accounts.migrations.0003_sessions_stored_hashed"
    )
    client.force_login(personas.cara)
    kept = _cookie(client)
    old_key = "oldkeyoldkeyoldkeyoldkeyoldkey12"
    data = Session.objects.get().session_data
    Session.objects.create(
        session_key=old_key, session_data=data, expire_date=timezone.now() + timedelta(hours=1)
    )
    UserSession.objects.create(user=personas.cara, session_key=old_key, ip="127.0.0.1")
    migration.delete_clear_keys(apps, None)
    assert _tables_containing(old_key) == set()
    old = Client()
    old.cookies[COOKIE] = old_key
    assert old.get("/dashboard/").status_code == 302
    assert SessionStore().exists(kept)  # a hashed row is left alone
