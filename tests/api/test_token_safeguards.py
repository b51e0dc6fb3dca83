"""A stolen session cannot mint a lasting API token.

Creating a token needs the password or a second factor given again within ten minutes (on the
page and through the API), the person is told by e-mail, the lifetime is capped by their
organizations' policy, and every token dies with a password change or "sign out other
sessions"."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from mentorhaven.accounts.models import ApiToken
from mentorhaven.accounts.services import password_change, sessions_end_others
from mentorhaven.accounts.tokens import api_token_create, api_token_revoke
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from tests.api.conftest import reauthenticate
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FORM = {"name": "laptop", "scope": "write", "days": "30"}


def _api_create(client, **data):
    return client.post(
        "/api/v1/tokens", {"name": "script", **data}, content_type="application/json"
    )


# --- recent re-authentication ------------------------------------------------------------------


def test_page_asks_for_the_password_again_before_creating_a_token(client, personas, login):
    login(personas.cara)
    assert client.get("/accounts/tokens/").status_code == 200  # looking needs nothing more
    response = client.post("/accounts/tokens/", FORM)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()


def test_api_refuses_a_session_that_has_not_reauthenticated(client, personas, login):
    login(personas.cara)
    response = _api_create(client)
    assert response.status_code == 401
    assert response.json()["code"] == "reauthentication_required"
    assert not ApiToken.objects.exists()


def test_a_fresh_password_opens_token_creation_for_ten_minutes(client, personas, login):
    login(personas.cara)
    reauthenticate(client)
    assert client.post("/accounts/tokens/", FORM).status_code == 201
    with time_machine.travel(timezone.now() + timedelta(minutes=9)):
        assert _api_create(client).status_code == 201
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert _api_create(client).status_code == 401
        assert client.post("/accounts/tokens/", FORM).status_code == 302
    assert ApiToken.objects.filter(user=personas.cara).count() == 2


def test_a_second_factor_counts_as_reauthentication(personas, login):
    from tests.conftest import totp_code

    client = login(personas.ana, Client())
    assert _api_create(client).status_code == 401
    code = totp_code(personas.totp_secrets[personas.ana.email])
    from django.core.cache import cache

    cache.delete(f"allauth.mfa.totp.used?user={personas.ana.pk}&code={code}")
    response = client.post("/accounts/2fa/reauthenticate/", {"code": code})
    assert response.status_code == 302, response.content[:300]
    assert _api_create(client).status_code == 201


# --- the person is told ------------------------------------------------------------------------


def test_creating_a_token_tells_the_owner_by_email_without_the_secret(
    client, personas, login, django_capture_on_commit_callbacks
):
    login(personas.cara)
    reauthenticate(client)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_create(client, scope="write", days=7)
    assert response.status_code == 201
    body = response.json()
    [message] = mail.outbox
    assert message.to == [personas.cara.email]
    assert "API token" in message.subject
    assert body["prefix"] in message.body
    assert body["token"] not in message.body and "script" not in message.body


def test_a_token_made_at_the_command_line_is_told_too(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_token_create(actor=None, user=personas.dev, name="ops")
    assert [m.to for m in mail.outbox] == [[personas.dev.email]]


def test_revoking_a_token_tells_the_owner_by_email(personas, django_capture_on_commit_callbacks):
    token, raw = api_token_create(actor=None, user=personas.dev, name="ops")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        api_token_revoke(actor=personas.dev, token=token)
    [message] = mail.outbox
    assert message.to == [personas.dev.email]
    assert "revoked" in message.subject
    assert token.prefix in message.body and raw not in message.body and "ops" not in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        api_token_revoke(actor=personas.dev, token=token)  # already revoked: nothing new
    assert mail.outbox == []


# --- lifetime capped by the organization -------------------------------------------------------


def test_lifetime_is_capped_by_the_organization_policy(personas):
    personas.org.api_token_max_days = 30
    personas.org.save(update_fields=["api_token_max_days"])
    with pytest.raises(ValidationFailed) as caught:
        api_token_create(actor=None, user=personas.cara, name="x", days=31)
    assert "30" in str(caught.value.extra["errors"]["days"])
    token, _ = api_token_create(actor=None, user=personas.cara, name="x")
    assert token.expires_at - token.created_at == timedelta(days=30)
    token, _ = api_token_create(actor=None, user=personas.cara, name="y", days=30)
    assert token.expires_at - token.created_at == timedelta(days=30)


def test_the_strictest_organization_wins(personas):
    from mentorhaven.programs.models import OrgMembership

    personas.other_org.api_token_max_days = 5
    personas.other_org.save(update_fields=["api_token_max_days"])
    OrgMembership.objects.create(organization=personas.other_org, user=personas.cara)
    with pytest.raises(ValidationFailed):
        api_token_create(actor=None, user=personas.cara, name="x", days=6)


def test_the_api_reports_the_cap_as_a_clear_error(client, personas, login):
    personas.org.api_token_max_days = 14
    personas.org.save(update_fields=["api_token_max_days"])
    login(personas.cara)
    reauthenticate(client)
    response = _api_create(client, days=15)
    assert response.status_code == 422
    assert "14" in response.json()["extra"]["errors"]["days"]


# --- revoked when the sessions end -------------------------------------------------------------


def _works(secret: str) -> bool:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_a_password_change_revokes_every_token(personas):
    _, first = api_token_create(actor=None, user=personas.cara, name="a", scope="write")
    _, second = api_token_create(actor=None, user=personas.cara, name="b")
    _, others = api_token_create(actor=None, user=personas.dev, name="c")
    assert _works(first) and _works(second)
    password_change(actor=personas.cara, user=personas.cara, password="a whole new passphrase 7")
    assert not _works(first) and not _works(second)
    assert _works(others)
    event = AuditEvent.objects.filter(action="api_token.revoke").get()
    assert event.extra == {"count": 2, "reason": "password_change"}


def test_changing_the_password_on_the_page_revokes_tokens(client, personas):
    _, secret = api_token_create(actor=None, user=personas.cara, name="a")
    client.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "fresh pass 4 x", "password2": "fresh pass 4 x"},
    )
    assert response.status_code == 302, response.content[:300]
    assert not _works(secret)


def test_signing_out_other_sessions_revokes_every_token(client, personas):
    _, secret = api_token_create(actor=None, user=personas.cara, name="a")
    client.post("/accounts/login/", {"login": personas.cara.email, "password": PASSWORD})
    assert client.post("/accounts/sessions/end/", {"session": "others"}).status_code == 302
    assert not _works(secret)
    assert ApiToken.objects.get().revoked_at is not None


def test_ending_sessions_with_no_tokens_records_no_revocation(personas):
    sessions_end_others(actor=personas.cara, current_session_key=None)
    assert not AuditEvent.objects.filter(action="api_token.revoke").exists()
