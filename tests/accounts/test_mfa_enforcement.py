"""Mentors and every admin role reach only enrolment until they have a second factor."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from mentorhaven.accounts.models import User
from mentorhaven.programs.models import OrgMembership

pytestmark = pytest.mark.django_db

PROTECTED_PAGES = ["/dashboard/", "/accounts/security/", "/privacy/", "/accounts/sessions/"]


def security_officer(personas) -> User:
    user = User.objects.create_user(email="sec@demo.test", password="x" * 20)
    OrgMembership.objects.create(organization=personas.org, user=user)
    OrgMembership.objects.create(
        organization=personas.org, user=user, role=OrgMembership.Role.SECURITY_OFFICER
    )
    return user


def without_mfa(user: User) -> User:
    Authenticator.objects.filter(user=user).delete()
    return user


ROLES = ["ana", "coordinator", "org_admin", "auditor", "security_officer"]


def persona(personas, who) -> User:
    return security_officer(personas) if who == "security_officer" else getattr(personas, who)


@pytest.mark.parametrize("who", ROLES)
def test_role_without_second_factor_is_sent_to_enrolment(client, personas, who):
    client.force_login(without_mfa(persona(personas, who)))
    for path in PROTECTED_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/"


@pytest.mark.parametrize("who", ROLES)
def test_role_without_second_factor_gets_403_json_from_the_api(client, personas, who):
    client.force_login(without_mfa(persona(personas, who)))
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


@pytest.mark.parametrize("who", ROLES)
def test_role_without_second_factor_reaches_the_enrolment_pages(client, personas, who):
    client.force_login(without_mfa(persona(personas, who)))
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)


def test_enrolling_totp_through_the_page_opens_the_site(client, personas):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    user = without_mfa(personas.ana)
    client.force_login(user)
    # allauth asks for a recent password before enrolment.
    client.post("/accounts/reauthenticate/", {"password": "correct horse battery staple 42"})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    import time

    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/dashboard/").status_code == 200


def test_mentee_is_not_forced(client, personas):
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200


def test_mentor_with_a_passkey_only_is_let_through(client, personas):
    user = without_mfa(personas.ben)
    Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 200


def test_recovery_codes_alone_do_not_count_as_a_second_factor(client, personas):
    user = personas.ben
    Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).delete()
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 302
