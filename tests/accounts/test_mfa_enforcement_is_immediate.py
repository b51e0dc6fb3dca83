"""The second-factor rule is decided afresh on every request, never remembered from an earlier
one: losing the last second factor, or being given a role that needs one, takes effect on the
very next page or API call of a session that is already signed in."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentorhaven.accounts.selectors import mfa_gate
from mentorhaven.programs.models import Membership, OrgMembership

pytestmark = pytest.mark.django_db


def test_removing_the_last_second_factor_locks_the_open_session_at_once(client, personas, login):
    login(personas.ana)
    assert client.get("/dashboard/").status_code == 200
    Authenticator.objects.filter(user=personas.ana).exclude(
        type=Authenticator.Type.RECOVERY_CODES
    ).delete()
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    assert client.get("/api/v1/me").json()["code"] == "mfa_required"


def test_removing_one_of_two_second_factors_keeps_the_session_open(client, personas, login):
    login(personas.ana)
    Authenticator.objects.create(user=personas.ana, type=Authenticator.Type.WEBAUTHN, data={})
    Authenticator.objects.filter(user=personas.ana, type=Authenticator.Type.TOTP).delete()
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    "grant",
    [
        lambda p: Membership.objects.create(
            program=p.program, user=p.cara, role=Membership.Role.MENTOR
        ),
        lambda p: Membership.objects.create(
            program=p.other_program, user=p.cara, role=Membership.Role.PROGRAM_ADMIN
        ),
        lambda p: OrgMembership.objects.create(
            organization=p.org, user=p.cara, role=OrgMembership.Role.AUDITOR
        ),
        lambda p: OrgMembership.objects.create(
            organization=p.other_org, user=p.cara, role=OrgMembership.Role.SECURITY_OFFICER
        ),
    ],
    ids=["mentor", "program_admin", "auditor", "security_officer"],
)
def test_a_role_needing_a_second_factor_applies_on_the_next_request(client, personas, grant):
    assert not Authenticator.objects.filter(user=personas.cara).exists()
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    grant(personas)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    assert client.get("/api/v1/me").status_code == 403


def test_being_made_staff_applies_on_the_next_request(client, personas):
    client.force_login(personas.cara)
    assert client.get("/dashboard/").status_code == 200
    personas.cara.is_staff = True
    personas.cara.save(update_fields=["is_staff"])
    assert client.get("/dashboard/").status_code == 302


def test_the_decision_reads_every_role_and_factor_afresh(personas):
    with CaptureQueriesContext(connection) as queries:
        gate = mfa_gate(personas.coordinator)
    assert len(queries.captured_queries) == 2  # roles, then (required) second factors
    assert gate.required and gate.enrolled and not gate.blocks
    assert Membership.Role.PROGRAM_ADMIN in gate.roles
    Authenticator.objects.filter(user=personas.coordinator).delete()
    assert mfa_gate(personas.coordinator).blocks  # the same user object: nothing remembered


def test_nobody_needing_no_second_factor_pays_for_looking_one_up(personas):
    with CaptureQueriesContext(connection) as queries:
        gate = mfa_gate(personas.cara)
    assert len(queries.captured_queries) == 1
    assert not gate.required and not gate.blocks


def test_recovery_codes_do_not_count_in_the_one_query_decision(personas):
    Authenticator.objects.filter(user=personas.ben).exclude(
        type=Authenticator.Type.RECOVERY_CODES
    ).delete()
    assert Authenticator.objects.filter(user=personas.ben).exists()
    gate = mfa_gate(personas.ben)
    assert gate.required and not gate.enrolled and gate.blocks


def test_a_mentee_is_neither_required_nor_blocked(personas):
    gate = mfa_gate(personas.cara)
    assert gate.roles == {Membership.Role.MENTEE, OrgMembership.Role.MEMBER}
    assert not gate.required and not gate.blocks
