"""The first-run page ``/setup/``: only on an empty install, only with the set-up token."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import Invitation, Organization, OrgMembership, SetupToken
from mentorhaven.programs.services import (
    SETUP_MAX_ATTEMPTS,
    SETUP_TOKEN_MINUTES,
    organization_create,
    setup_token_issue,
)

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Acme Mentoring",
    "slug": "acme",
    "admin_email": "boss@acme.test",
    "admin_name": "Bo Boss",
}


def submit(client, token: str, **changes):
    return client.post("/setup/", {"token": token, **FORM, **changes})


def test_the_home_page_links_to_setup_while_the_install_is_empty(client):
    assert b'href="/setup/"' in client.get("/").content
    organization_create(actor=None, name="Acme", slug="acme")
    assert b'href="/setup/"' not in client.get("/").content


def test_setup_with_the_token_creates_the_organization_and_invites_its_admin(
    client, django_capture_on_commit_callbacks
):
    token = setup_token_issue()
    assert client.get("/setup/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, token)
    assert response.status_code == 200
    assert b"boss@acme.test" in response.content
    organization = Organization.objects.get(slug="acme")
    invitation = Invitation.objects.get(organization=organization)
    assert invitation.org_role == OrgMembership.Role.ORG_ADMIN
    assert [m.to for m in mail.outbox] == [["boss@acme.test"]]
    assert SetupToken.objects.get().used_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"setup.token_issue", "organization.create", "invitation.create"} <= actions


def test_only_the_hash_of_the_token_is_stored():
    token = setup_token_issue()
    row = SetupToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(SetupToken.objects.values().get())


def test_a_wrong_token_is_refused_counted_and_audited(client):
    setup_token_issue()
    response = submit(client, "not-the-token")
    assert response.status_code == 422
    assert b"wrong, used or expired" in response.content
    assert not Organization.objects.exists()
    assert SetupToken.objects.get().failed_attempts == 1
    assert AuditEvent.objects.filter(action="setup.token_refuse").exists()


def test_the_token_wears_out_after_a_few_wrong_guesses(client):
    token = setup_token_issue()
    for _ in range(SETUP_MAX_ATTEMPTS):
        submit(client, "guess")
    response = submit(client, token)
    assert response.status_code == 422
    assert not Organization.objects.exists()


def test_an_expired_token_is_refused(client):
    token = setup_token_issue()
    later = timezone.now() + timedelta(minutes=SETUP_TOKEN_MINUTES + 1)
    with time_machine.travel(later):
        response = submit(client, token)
    assert response.status_code == 422
    assert not Organization.objects.exists()


def test_a_new_token_replaces_the_old_one(client):
    old = setup_token_issue()
    setup_token_issue()
    assert submit(client, old).status_code == 422
    assert not Organization.objects.exists()


def test_a_used_token_opens_nothing_and_the_page_is_gone_afterwards(client):
    token = setup_token_issue()
    assert submit(client, token).status_code == 200
    assert client.get("/setup/").status_code == 404
    assert submit(client, token, slug="second").status_code == 404
    assert Organization.objects.count() == 1


def test_the_page_answers_404_once_an_organization_exists(client):
    organization_create(actor=None, name="Acme", slug="acme")
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", {"token": "x", **FORM}).status_code == 404


def test_a_mistake_in_the_details_leaves_the_token_usable(client):
    token = setup_token_issue()
    response = submit(client, token, admin_email="not an address")
    assert response.status_code == 422
    assert SetupToken.objects.get().used_at is None
    assert submit(client, token).status_code == 200


def test_a_huge_or_odd_token_is_a_clear_error_not_a_crash(client):
    setup_token_issue()
    assert submit(client, "x" * 10_000).status_code == 422
    assert submit(client, "\x00\u2028é").status_code == 422
