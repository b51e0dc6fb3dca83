"""Invitations: who may invite, the token, and the link from e-mail to a membership."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import Invitation, Membership, OrgMembership, Program
from mentorhaven.programs.services import invitation_create, invitation_revoke
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and private passphrase 7"
LINK_RE = re.compile(r"/accounts/invitation/([A-Za-z0-9_\-]+)/")


def invite(capture, **kwargs) -> tuple[Invitation, str]:
    """Create an invitation and return it with the token read from the e-mail sent on commit."""
    with capture(execute=True):
        invitation = invitation_create(**kwargs)
    message = mail.outbox[-1]
    assert message.to == [invitation.email]
    return invitation, LINK_RE.search(message.body).group(1)


@pytest.fixture
def mentee_invite(personas, django_capture_on_commit_callbacks):
    return invite(
        django_capture_on_commit_callbacks,
        actor=personas.coordinator,
        organization=personas.org,
        email="New.Mentee@Example.test",
        program=personas.program,
        program_role=Membership.Role.MENTEE,
    )


# --- the token -----------------------------------------------------------------------------------


def test_only_the_sha256_of_the_token_is_stored(mentee_invite):
    invitation, token = mentee_invite
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in Invitation.objects.values().get(pk=invitation.pk).values())
    assert token not in stored


def test_token_carries_at_least_128_random_bits(personas, django_capture_on_commit_callbacks):
    tokens = {
        invite(
            django_capture_on_commit_callbacks,
            actor=personas.org_admin,
            organization=personas.org,
            email=f"person{i}@example.test",
            program=personas.program,
            program_role=Membership.Role.MENTEE,
        )[1]
        for i in range(5)
    }
    assert len(tokens) == 5
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128


def test_invitation_email_holds_the_site_link(mentee_invite, settings):
    _, token = mentee_invite
    assert f"{settings.SITE_URL}/accounts/invitation/{token}/" in mail.outbox[-1].body


def test_invitation_expires_after_the_configured_days(mentee_invite, settings, client):
    invitation, token = mentee_invite
    assert invitation.expires_at - invitation.created_at == timedelta(days=settings.INVITATION_DAYS)
    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, hours=1)):
        response = client.get(f"/accounts/invitation/{token}/")
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_creating_an_invitation_is_audited(mentee_invite):
    invitation, _ = mentee_invite
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.target_id == audit.target_pseudonym(invitation.invited_by, invitation)
    assert "example.test" not in str(event.extra)


# --- who may invite ------------------------------------------------------------------------------


def test_org_admin_may_invite_any_role(personas, django_capture_on_commit_callbacks):
    for i, role in enumerate(OrgMembership.Role.values):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email=f"staff{i}@example.test",
            org_role=role,
        )
    invitation_create(
        actor=personas.org_admin,
        organization=personas.org,
        email="pa@example.test",
        program=personas.program,
        program_role=Membership.Role.PROGRAM_ADMIN,
    )
    assert Invitation.objects.count() == len(OrgMembership.Role.values) + 1


@pytest.mark.parametrize("role", [Membership.Role.MENTEE, Membership.Role.MENTOR])
def test_program_admin_may_invite_participants_of_their_program(personas, role):
    invitation = invitation_create(
        actor=personas.coordinator,
        organization=personas.org,
        email="p@example.test",
        program=personas.program,
        program_role=role,
    )
    assert invitation.program == personas.program


def test_program_admin_may_not_invite_another_program_admin(personas):
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=personas.coordinator,
            organization=personas.org,
            email="p@example.test",
            program=personas.program,
            program_role=Membership.Role.PROGRAM_ADMIN,
        )


def test_program_admin_may_not_grant_organization_roles(personas):
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=personas.coordinator,
            organization=personas.org,
            email="p@example.test",
            org_role=OrgMembership.Role.ORG_ADMIN,
        )


def test_program_admin_may_not_invite_to_a_program_they_do_not_run(personas):
    second = Program.objects.create(organization=personas.org, name="Second", slug="second")
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=personas.coordinator,
            organization=personas.org,
            email="p@example.test",
            program=second,
            program_role=Membership.Role.MENTEE,
        )


@pytest.mark.parametrize("who", ["ana", "cara", "auditor", "outsider"])
def test_people_without_an_admin_role_get_not_found(personas, who):
    with pytest.raises(NotFound):
        invitation_create(
            actor=getattr(personas, who),
            organization=personas.org,
            email="p@example.test",
            program=personas.program,
            program_role=Membership.Role.MENTEE,
        )
    assert not Invitation.objects.exists()


def test_org_admin_cannot_invite_into_another_organizations_program(personas):
    with pytest.raises(NotFound):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email="p@example.test",
            program=personas.other_program,
            program_role=Membership.Role.MENTEE,
        )
    with pytest.raises(NotFound):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.other_org,
            email="p@example.test",
            program=personas.other_program,
            program_role=Membership.Role.MENTEE,
        )


def test_a_second_pending_invitation_for_the_same_address_is_refused(personas, mentee_invite):
    with pytest.raises(ValidationFailed):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email="new.mentee@example.test",
            program=personas.program,
            program_role=Membership.Role.MENTOR,
        )


def test_inviting_someone_to_a_role_they_hold_is_refused(personas):
    with pytest.raises(ValidationFailed):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email=personas.cara.email,
            program=personas.program,
            program_role=Membership.Role.MENTEE,
        )


# --- the link: new people ------------------------------------------------------------------------


def test_link_sends_a_new_person_to_sign_up_with_the_invited_address(client, mentee_invite):
    _, token = mentee_invite
    response = client.get(f"/accounts/invitation/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/"
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert b'value="new.mentee@example.test"' in page.content
    assert b"readonly" in page.content


def sign_up(client, email, **extra):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **extra},
    )


def test_sign_up_grants_the_membership_and_uses_the_invitation(
    client, personas, mentee_invite, django_capture_on_commit_callbacks
):
    invitation, token = mentee_invite
    client.get(f"/accounts/invitation/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "new.mentee@example.test", display_name="Nia New")
    assert response.status_code == 302, response.content[:400]
    user = User.objects.get(email="new.mentee@example.test")
    assert user.display_name == "Nia New"
    assert Membership.objects.filter(
        user=user, program=personas.program, role=Membership.Role.MENTEE
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="invitation.accept").count() == 1
    assert client.get("/dashboard/").status_code == 200  # signed in; mentees need no MFA


def test_sign_up_with_another_address_is_refused(client, mentee_invite):
    _, token = mentee_invite
    client.get(f"/accounts/invitation/{token}/")
    response = sign_up(client, "someone.else@example.test")
    assert response.status_code == 200
    assert b"address your invitation was sent to" in response.content
    assert not User.objects.filter(email="someone.else@example.test").exists()
    assert not User.objects.filter(email="new.mentee@example.test").exists()


def test_invited_mentor_must_enrol_mfa_right_after_sign_up(
    client, personas, django_capture_on_commit_callbacks
):
    _, token = invite(
        django_capture_on_commit_callbacks,
        actor=personas.coordinator,
        organization=personas.org,
        email="new.mentor@example.test",
        program=personas.program,
        program_role=Membership.Role.MENTOR,
    )
    client.get(f"/accounts/invitation/{token}/")
    sign_up(client, "new.mentor@example.test")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"


def test_a_used_link_does_not_work_twice(client, mentee_invite):
    _, token = mentee_invite
    client.get(f"/accounts/invitation/{token}/")
    sign_up(client, "new.mentee@example.test")
    client.logout()
    response = client.get(f"/accounts/invitation/{token}/")
    assert response.status_code == 404
    assert client.get("/accounts/signup/").templates[0].name == "account/signup_closed.html"


def test_invitation_used_meanwhile_creates_no_account(client, mentee_invite):
    invitation, token = mentee_invite
    client.get(f"/accounts/invitation/{token}/")
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = sign_up(client, "new.mentee@example.test")
    assert response.status_code in (200, 404)
    assert not User.objects.filter(email="new.mentee@example.test").exists()


def test_expired_used_revoked_and_unknown_links_get_the_same_page(
    client, personas, django_capture_on_commit_callbacks
):
    def make(email):
        return invite(
            django_capture_on_commit_callbacks,
            actor=personas.org_admin,
            organization=personas.org,
            email=email,
            program=personas.program,
            program_role=Membership.Role.MENTEE,
        )

    expired, expired_token = make("a@example.test")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    used, used_token = make("b@example.test")
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    revoked, revoked_token = make("c@example.test")
    invitation_revoke(actor=personas.org_admin, invitation=revoked)
    pages = [
        client.get(f"/accounts/invitation/{t}/")
        for t in (expired_token, used_token, revoked_token, "no-such-token")
    ]
    assert {p.status_code for p in pages} == {404}
    # Identical apart from the per-response CSRF token and CSP nonce.
    assert len({re.sub(rb'(X-CSRFToken": |nonce=)"[^"]+"', b"", p.content) for p in pages}) == 1
    assert "mentorhaven.invitation" not in client.session


def test_sign_up_without_an_invitation_is_closed(client):
    page = client.get("/accounts/signup/")
    assert page.templates[0].name == "account/signup_closed.html"
    sign_up(client, "walk.in@example.test")
    assert not User.objects.filter(email="walk.in@example.test").exists()


# --- the link: people who already have an account -------------------------------------------------


def test_existing_user_signs_in_and_accepts(client, personas, django_capture_on_commit_callbacks):
    invitation, token = invite(
        django_capture_on_commit_callbacks,
        actor=personas.org_admin,
        organization=personas.org,
        email=personas.outsider.email,
        program=personas.program,
        program_role=Membership.Role.MENTEE,
    )
    response = client.get(f"/accounts/invitation/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Faccounts%2Finvitation%2Faccept%2F"
    response = client.post(
        response["Location"], {"login": personas.outsider.email, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/invitation/accept/"
    assert b"Demo 2026" in client.get("/accounts/invitation/accept/").content
    response = client.post("/accounts/invitation/accept/")
    assert response["Location"] == "/dashboard/"
    assert Membership.objects.filter(user=personas.outsider, program=personas.program).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == personas.outsider


def test_signed_in_as_someone_else_the_invitation_is_not_granted(
    client, personas, login, django_capture_on_commit_callbacks
):
    _, token = invite(
        django_capture_on_commit_callbacks,
        actor=personas.org_admin,
        organization=personas.org,
        email=personas.outsider.email,
        program=personas.program,
        program_role=Membership.Role.MENTEE,
    )
    login(personas.dev)
    before = Membership.objects.count()
    client.get(f"/accounts/invitation/{token}/")
    assert client.post("/accounts/invitation/accept/").status_code == 403
    assert Membership.objects.count() == before
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()


# --- revoking ------------------------------------------------------------------------------------


def test_revoked_link_stops_working_and_revocation_is_audited(client, personas, mentee_invite):
    invitation, token = mentee_invite
    invitation_revoke(actor=personas.coordinator, invitation=invitation)
    assert client.get(f"/accounts/invitation/{token}/").status_code == 404
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


def test_revoking_a_link_already_opened_closes_sign_up(client, personas, mentee_invite):
    invitation, token = mentee_invite
    client.get(f"/accounts/invitation/{token}/")
    invitation_revoke(actor=personas.coordinator, invitation=invitation)
    sign_up(client, "new.mentee@example.test")
    assert not User.objects.filter(email="new.mentee@example.test").exists()
