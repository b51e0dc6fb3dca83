""" "Where you are signed in" is allauth's own activity tracking: each signed-in request records
its session's address, browser and time, under the stored hash of the session key."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from allauth.usersessions.signals import session_client_changed
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentorhaven.accounts.sessions import stored_key
from mentorhaven.accounts.usersessions import ACTIVITY_WRITE_SECONDS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


def signed_in(user, user_agent=FIREFOX) -> Client:
    c = Client(HTTP_USER_AGENT=user_agent)
    response = c.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return c


def row(c: Client) -> UserSession:
    return UserSession.objects.get(session_key=stored_key(c.session.session_key))


def test_signing_in_records_the_session_at_once(personas):
    c = signed_in(personas.cara)
    record = row(c)
    assert record.user == personas.cara
    assert record.user_agent == FIREFOX


def _record_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "usersessions_usersession" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_last_seen_is_written_at_most_once_a_minute_per_session(personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        c = signed_in(personas.cara)
        clock.shift(timedelta(seconds=10))
        assert c.get("/dashboard/").status_code == 200
        assert row(c).last_seen_at == start + timedelta(seconds=10)

        clock.shift(timedelta(seconds=ACTIVITY_WRITE_SECONDS - 20))
        with CaptureQueriesContext(connection) as queries:
            assert c.get("/dashboard/").status_code == 200
        assert _record_writes(queries.captured_queries) == []
        assert row(c).last_seen_at == start + timedelta(seconds=10)

        clock.shift(timedelta(seconds=30))
        assert c.get("/dashboard/").status_code == 200
        assert row(c).last_seen_at == start + timedelta(seconds=ACTIVITY_WRITE_SECONDS + 20)


def test_a_new_browser_or_address_is_recorded_at_once(personas):
    changes = []

    def on_change(sender, from_session, to_session, **kwargs):
        changes.append((from_session.ip, to_session.ip, to_session.user_agent))

    session_client_changed.connect(on_change)
    try:
        c = signed_in(personas.cara)
        assert c.get("/dashboard/").status_code == 200
        assert c.get("/dashboard/", REMOTE_ADDR="10.0.0.9").status_code == 200
        assert row(c).ip == "10.0.0.9"
        assert (
            c.get("/dashboard/", REMOTE_ADDR="10.0.0.9", HTTP_USER_AGENT=SAFARI).status_code == 200
        )
        assert row(c).user_agent == SAFARI
    finally:
        session_client_changed.disconnect(on_change)
    assert changes == [("127.0.0.1", "10.0.0.9", FIREFOX), ("10.0.0.9", "10.0.0.9", SAFARI)]


def test_each_session_is_tracked_on_its_own(personas):
    laptop = signed_in(personas.cara)
    phone = signed_in(personas.cara, SAFARI)
    assert laptop.get("/dashboard/").status_code == 200
    assert phone.get("/dashboard/").status_code == 200
    assert row(laptop).pk != row(phone).pk
    assert UserSession.objects.filter(user=personas.cara).count() == 2


def test_a_session_signed_in_without_the_form_is_recorded_on_its_next_request(client, personas):
    client.force_login(personas.cara)  # no allauth sign-in flow: nothing recorded yet
    assert not UserSession.objects.filter(user=personas.cara).exists()
    assert client.get("/dashboard/").status_code == 200
    assert row(client).user == personas.cara


def test_the_cache_never_holds_a_session_key(personas):
    c = signed_in(personas.cara)
    assert c.get("/dashboard/").status_code == 200
    key = c.session.session_key
    # LocMemCache keeps its entries in ``_cache``: look at every key and value stored.
    stored = [*cache._cache.keys(), *(str(v) for v in cache._cache.values())]
    assert any("session-seen" in k for k in stored)
    assert not any(key in entry for entry in stored)


def test_an_ended_session_stays_ended_while_its_activity_note_is_cached(personas):
    laptop = signed_in(personas.cara)
    phone = signed_in(personas.cara, SAFARI)
    assert phone.get("/dashboard/").status_code == 200  # note cached for the phone
    laptop.post("/accounts/sessions/end/", {"session": "others"})
    assert phone.get("/dashboard/").status_code == 302
    assert not UserSession.objects.filter(
        session_key=stored_key(phone.session.session_key)
    ).exists()


def test_signed_out_visitors_are_not_recorded(client, db):
    assert client.get("/").status_code == 200
    assert not UserSession.objects.exists()
