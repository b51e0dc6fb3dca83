""" "This wasn't me" on a person's security page: their recent sign-ins are shown; the button
locks the account, signs it out everywhere (the session pressing it too), opens an incident
for the security officers of the person's organization and tells them and the person by e-mail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentorhaven.accounts.models import User
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.incidents.models import Incident
from mentorhaven.incidents.not_me import account_not_me
from mentorhaven.kernel.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_security_page_shows_recent_sign_ins_and_the_button(personas, client):
    client.post("/accounts/login/", {"login": personas.cara.email, "password": "wrong"})
    client.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    page = client.get(reverse("account_security")).content.decode()
    assert "Recent sign-ins" in page
    assert "signed in" in page and "a sign-in failed" in page
    assert reverse("incidents:not_me") in page


def test_this_wasnt_me_locks_signs_out_and_opens_an_incident(
    personas, officer, client, mailoutbox, django_capture_on_commit_callbacks, login
):
    cara = personas.cara
    client.force_login(cara)
    _token, secret = api_token_create(actor=cara, user=cara, name="t", scope="read")
    assert client.get(reverse("incidents:not_me")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:not_me"))
    assert response.status_code == 200 and "Your account is locked" in response.content.decode()
    cara.refresh_from_db()
    assert not cara.is_active
    assert client.get(reverse("dashboard")).status_code == 302  # signed out
    from django.test import Client

    api = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    incident = Incident.objects.get()
    assert (incident.organization, incident.account, incident.severity) == (
        personas.org, cara, "high",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="incident.not_me").count() == 1
    to = sorted(m.to[0] for m in mailoutbox)
    assert to == sorted([officer.email, cara.email])
    assert all(cara.email not in m.body for m in mailoutbox)
    page = login(officer).get(f"/incidents/{incident.public_id}/").content.decode()
    assert "this wasn" in page and cara.email in page


def test_someone_in_no_organization_is_still_locked():
    loner = User.objects.create_user(email="loner@x.test", password=PASSWORD)
    assert account_not_me(actor=loner) == []
    loner.refresh_from_db()
    assert not loner.is_active
    assert AuditEvent.objects.filter(action="incident.not_me").count() == 1
