"""The hand-written reads every signed-in request runs: same answers as the ORM, nothing stale.

The session, the user and their second-factor gate are read with fixed statements (prepared on
PostgreSQL) instead of ORM queries; these tests pin down that they read exactly what the ORM
would, that the gate read with the user serves one check only, and that an expired, ended or
inactive sign-in stops working at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from mentorhaven.accounts.backends import AuthenticationBackend, ModelBackend
from mentorhaven.accounts.hot_reads import fetch_all
from mentorhaven.accounts.models import User
from mentorhaven.accounts.selectors import (
    ROLES_ATTR,
    _mfa_gate_sql,
    _session_and_user_sql,
    _signed_in_user_sql,
    mfa_gate,
    request_mfa_gate,
    signed_in_user,
)
from mentorhaven.programs.models import Membership
from mentorhaven.web.selectors import _own_programs_sql

pytestmark = pytest.mark.django_db

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _fields(user) -> list:
    return [getattr(user, f.attname) for f in User._meta.concrete_fields]


@pytest.mark.parametrize("who", ["cara", "ana", "org_admin", "outsider"])
def test_the_signed_in_user_is_read_as_the_orm_reads_it(personas, who):
    expected = User.objects.get(pk=getattr(personas, who).pk)
    user = signed_in_user(str(expected.pk))  # sessions keep the id as text
    assert type(user) is User
    assert _fields(user) == _fields(expected)
    assert user._state.adding is False and user._state.db == "default"
    assert request_mfa_gate(user) == mfa_gate(expected)
    assert getattr(user, ROLES_ATTR) == mfa_gate(expected).roles


def test_an_unknown_user_id_is_nobody(db):
    assert signed_in_user(987654) is None
    assert ModelBackend().get_user(987654) is None


def test_an_inactive_user_is_not_signed_in(personas):
    User.objects.filter(pk=personas.cara.pk).update(is_active=False)
    assert ModelBackend().get_user(personas.cara.pk) is None
    assert AuthenticationBackend().get_user(personas.cara.pk) is None


def test_the_gate_read_with_the_user_serves_one_check_only(personas):
    user = signed_in_user(personas.ana.pk)
    Authenticator.objects.filter(user=personas.ana).delete()
    # This request's check uses what was read with the user a moment ago ...
    assert not request_mfa_gate(user).blocks
    # ... and any later check reads afresh: the removed second factor counts at once.
    assert request_mfa_gate(user).blocks
    assert mfa_gate(user).blocks


def test_a_role_granted_between_requests_counts_on_the_next_one(client, personas):
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    Membership.objects.create(
        program=personas.other_program, user=personas.cara, role=Membership.Role.MENTOR
    )
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")


def test_an_expired_session_signs_nobody_in(client, personas):
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deleted_session_signs_nobody_in_at_once(client, personas):
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert client.get("/dashboard/").status_code == 302


def test_a_changed_password_ends_the_session_read_here(client, personas):
    """django.contrib.auth still checks the session's password hash on the user read here."""
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    cara = User.objects.get(pk=personas.cara.pk)
    cara.set_password("another passphrase entirely 77")
    cara.save()
    assert client.get("/dashboard/").status_code == 302


def test_hot_reads_pass_through_the_query_log(db):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert fetch_all("SELECT %s", [7]) == [(7,)]
    assert len(queries.captured_queries) == 1


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
def test_only_the_hot_reads_are_prepared_on_postgresql(client, personas):
    """Behind a pooler, prepared statements are a liability: only our few fixed reads use them,
    every query Django builds stays unprepared."""
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}
    ours = {
        _numbered(sql)
        for sql in (
            _session_and_user_sql("postgresql"),
            _signed_in_user_sql("postgresql"),
            _mfa_gate_sql("postgresql"),
            _own_programs_sql("postgresql"),
        )
    }
    assert _numbered(_session_and_user_sql("postgresql")) in prepared
    assert _numbered(_own_programs_sql("postgresql")) in prepared
    # Django's own statements are bound client-side: they never reach pg_prepared_statements.
    assert prepared <= ours


def _numbered(sql: str) -> str:
    """``sql`` with its %s placeholders numbered as psycopg sends them to the server."""
    parts = sql.split("%s")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
def test_with_prepared_statements_off_the_hot_reads_still_run(db):
    connection.ensure_connection()
    raw = connection.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = None  # MENTORHAVEN_DB_PREPARED_STATEMENTS=false
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            before = cursor.fetchone()[0]
        assert fetch_all("SELECT %s::int + 1", [41]) == [(42,)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == before
    finally:
        raw.prepare_threshold = saved


# --- the user read together with the session ------------------------------------------------


def test_the_session_read_brings_its_user_and_gate_as_the_orm_reads_them(client, personas, login):
    from allauth.usersessions.models import UserSession

    from mentorhaven.accounts.selectors import session_and_user

    login(personas.ana)  # password and second factor
    assert client.get("/dashboard/").status_code == 200
    key = client.session.session_key
    assert UserSession.objects.filter(session_key=key, user=personas.ana).exists()
    data, user = session_and_user(key, timezone.now())
    assert data == Session.objects.get(session_key=key).session_data
    assert _fields(user) == _fields(User.objects.get(pk=personas.ana.pk))
    assert request_mfa_gate(user) == mfa_gate(personas.ana)
    assert not request_mfa_gate(user).blocks and request_mfa_gate(user).enrolled


def test_an_expired_session_brings_nothing(client, personas):
    from mentorhaven.accounts.selectors import session_and_user

    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    key = client.session.session_key
    assert session_and_user(key, timezone.now() + timedelta(days=365)) is None
    assert session_and_user("nosuchsessionkey0000000000000000", timezone.now()) is None


def test_the_session_data_decides_who_is_signed_in_not_the_activity_record(client, personas):
    """The user read with the session comes from allauth's activity record; if that record
    ever named someone else, the signed session data still decides, and the other user's row
    is not used."""
    from allauth.usersessions.models import UserSession

    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    UserSession.objects.filter(session_key=client.session.session_key).update(user=personas.ana)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert page.context["user"].pk == personas.cara.pk
    assert b"Hello, Cara Mentee" in page.content


def test_without_an_activity_record_the_user_is_read_on_their_own(client, personas):
    from allauth.usersessions.models import UserSession
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    UserSession.objects.filter(session_key=client.session.session_key).delete()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/dashboard/")
    assert page.status_code == 200
    assert page.context["user"].pk == personas.cara.pk
    # The user and gate came from their own read (and the record was written again).
    assert any('SELECT u."id"' in q["sql"] for q in queries.captured_queries)


def test_the_user_read_with_a_session_is_offered_once_and_only_while_signing_in(personas):
    from mentorhaven.accounts.sessions import SessionStore, signing_in_with, user_read_with_session

    store = SessionStore()
    store._user_read_with_session = signed_in_user(personas.cara.pk)
    assert user_read_with_session(personas.cara.pk) is None  # not signing in: never offered
    with signing_in_with(store):
        assert user_read_with_session(personas.dev.pk) is None  # not the session's user
    store._user_read_with_session = signed_in_user(personas.cara.pk)
    with signing_in_with(store):
        assert user_read_with_session(str(personas.cara.pk)).pk == personas.cara.pk
        assert user_read_with_session(personas.cara.pk) is None  # taken already


@pytest.mark.parametrize(
    "old_backend",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_signed_in_with_a_library_backend_stays_signed_in(client, personas, old_backend):
    """Sessions from before our own backends existed are moved over, not signed out."""
    client.force_login(personas.cara)
    session = client.session
    session["_auth_user_backend"] = old_backend
    session.save()
    assert client.get("/dashboard/").status_code == 200
    assert client.session["_auth_user_backend"].startswith("mentorhaven.accounts.backends.")


def test_a_session_naming_an_unknown_backend_signs_nobody_in(client, personas):
    client.force_login(personas.cara)
    session = client.session
    session["_auth_user_backend"] = "somewhere.else.Backend"
    session.save()
    assert client.get("/dashboard/").status_code == 302
