"""Shared personas (STYLE.md #14): every feature gets its negative tests against these.

Demo Org runs program ``demo-2026``: an org admin, a program admin (coordinator), two mentors
and two mentees. Other Org has an outsider. Mentors and admins have TOTP enrolled (their roles
require it); ``totp_code(user)`` gives a currently valid code.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.kernel import audit
from mentorhaven.programs.models import Membership, Organization, OrgMembership, Program
from tests.factories import mark_trained

PASSWORD = "correct horse battery staple 42"

# Audit actions that only tests record (``audit.record`` refuses undeclared ones).
audit.declare("test.event", sentence="{actor} did something for a test")
audit.declare("test.read", sentence="{actor} read something for a test")


@dataclass
class Personas:
    org: Organization
    program: Program
    other_org: Organization
    other_program: Program
    org_admin: User
    coordinator: User
    ana: User  # mentor
    ben: User  # mentor
    cara: User  # mentee
    dev: User  # mentee
    outsider: User
    auditor: User
    totp_secrets: dict


def totp_code(secret: str) -> str:
    """The current code, as an authenticator app shows it. A code read in the last seconds of
    its 30-second window may expire before the server checks it (allauth allows no drift), so
    wait for the next window then, as a person would."""
    import time

    into_window = time.time() % 30
    if into_window > 26:
        time.sleep(30.2 - into_window)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _user(email: str, name: str) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, display_name=name)


def make_personas() -> Personas:
    org = Organization.objects.create(name="Demo Org", slug="demo-org")
    program = Program.objects.create(organization=org, name="Demo 2026", slug="demo-2026")
    other_org = Organization.objects.create(name="Other Org", slug="other-org")
    other_program = Program.objects.create(
        organization=other_org, name="Other Program", slug="other-2026"
    )
    people = {
        "org_admin": _user("admin@demo.test", "Avery Admin"),
        "coordinator": _user("coordinator@demo.test", "Corin Coordinator"),
        "ana": _user("ana.mentor@demo.test", "Ana Mentor"),
        "ben": _user("ben.mentor@demo.test", "Ben Mentor"),
        "cara": _user("cara.mentee@demo.test", "Cara Mentee"),
        "dev": _user("dev.mentee@demo.test", "Dev Mentee"),
        "outsider": _user("outsider@other.test", "Olu Outsider"),
        "auditor": _user("auditor@demo.test", "Aud Auditor"),
    }
    for key in ("org_admin", "coordinator", "ana", "ben", "cara", "dev", "auditor"):
        OrgMembership.objects.create(organization=org, user=people[key])
    OrgMembership.objects.create(
        organization=org, user=people["org_admin"], role=OrgMembership.Role.ORG_ADMIN
    )
    OrgMembership.objects.create(
        organization=org, user=people["auditor"], role=OrgMembership.Role.AUDITOR
    )
    OrgMembership.objects.create(organization=other_org, user=people["outsider"])
    roles = {
        "coordinator": Membership.Role.PROGRAM_ADMIN,
        "ana": Membership.Role.MENTOR,
        "ben": Membership.Role.MENTOR,
        "cara": Membership.Role.MENTEE,
        "dev": Membership.Role.MENTEE,
    }
    for key, role in roles.items():
        Membership.objects.create(program=program, user=people[key], role=role)
    Membership.objects.create(
        program=other_program, user=people["outsider"], role=Membership.Role.MENTEE
    )
    # Every persona has passed the mentor security training (only mentors need it), so the
    # suite's other tests start past that gate; tests/gates/ makes people who have not.
    mark_trained(*people.values())
    secrets = {
        people[k].email: mfa_enroll_totp(user=people[k])
        for k in ("org_admin", "coordinator", "ana", "ben", "auditor")
    }
    return Personas(
        org=org,
        program=program,
        other_org=other_org,
        other_program=other_program,
        totp_secrets=secrets,
        **people,
    )


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    """Transactional tests end by emptying every table, but the audit tables refuse TRUNCATE and
    DELETE (kernel migration 0007). The test runner's flush alone gets past them: on PostgreSQL
    its superuser connection sets ``session_replication_role = replica`` (ordinary triggers do
    not fire; only a superuser may set it, never the app's role); on SQLite, which has no roles,
    the triggers are dropped for the flush and created again."""
    from importlib import import_module

    from django.db import connection
    from django.test import TransactionTestCase

    triggers = import_module("mentorhaven.kernel.migrations.0008_audit_plain_triggers")
    original = TransactionTestCase._fixture_teardown

    def teardown(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            try:
                original(self)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("RESET session_replication_role")
        else:
            with connection.cursor() as cursor:
                triggers.drop_sqlite_triggers(cursor)
            try:
                original(self)
            finally:
                with connection.cursor() as cursor:
                    triggers.create_sqlite_triggers(cursor)

    TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]
    yield
    TransactionTestCase._fixture_teardown = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _own_audit_anchor_store(settings, tmp_path):
    """Each test anchors its audit checkpoints in a store of its own: the anchors of an earlier
    test's (rolled-back or flushed) chain would rightly fail this test's ``audit verify``."""
    settings.AUDIT_ANCHOR_DIR = str(tmp_path / "audit-anchors")


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and used TOTP codes live in the cache: each test starts clean.
    cache.clear()
    # Unwrapped data keys too: ids are reused after a test's rollback, so a key cached for a
    # user of an earlier test must not serve a new user with the same id.
    from mentorhaven.kernel import vault

    vault.forget_cached_keys()
    # And which key rows were made in a transaction not yet committed: every earlier test's
    # transaction has ended, and its ids are used again.
    vault.forget_pending_creations()
    yield
    cache.clear()


def login_with_mfa(client, user: User, personas: Personas) -> None:
    """Sign in through the real allauth flow: password, then the TOTP code."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if response["Location"].startswith("/accounts/2fa/authenticate"):
        code = totp_code(personas.totp_secrets[user.email])
        # Signing the same person in twice within one 30-second window: allauth rightly refuses
        # a code already used; a person would wait for the next one, the test forgets the mark.
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 302, response.content[:500]


@pytest.fixture
def login(client, personas):
    """``login(user)`` signs ``user`` in on the Django test client, second factor included."""

    def _login(user: User, c=None):
        target = c or client
        if user.email in personas.totp_secrets:
            login_with_mfa(target, user, personas)
        else:
            target.force_login(user)
        return target

    return _login
