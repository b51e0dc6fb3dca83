"""Personal access tokens: format, storage, expiry, revocation, scope, audit."""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from mentorhaven.accounts.models import ApiToken
from mentorhaven.accounts.tokens import (
    LAST_USED_RESOLUTION,
    api_token_create,
    api_token_revoke,
)
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.kernel.models import AuditEvent
from tests.api.conftest import reauthenticate
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"message", "code", "extra"}


def _me(client, secret, **extra):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def test_token_has_recognisable_prefix_and_at_least_256_random_bits(personas):
    _token, secret = api_token_create(actor=None, user=personas.cara, name="x")
    assert secret.startswith("mhp_")
    body = secret[len("mhp_") :]
    assert len(body) * math.log2(62) >= 256
    assert body.isalnum()


def test_only_the_sha256_of_the_secret_is_stored(personas):
    token, secret = api_token_create(actor=None, user=personas.cara, name="x")
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    assert secret.startswith(row["prefix"]) and len(row["prefix"]) < len(secret) / 3


def test_two_tokens_never_share_a_secret(personas):
    secrets = {api_token_create(actor=None, user=personas.cara, name="x")[1] for _ in range(20)}
    assert len(secrets) == 20


def test_default_expiry_comes_from_settings(personas, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 90
    token, _ = api_token_create(actor=None, user=personas.cara, name="x")
    assert token.expires_at - token.created_at == timedelta(days=90)


@pytest.mark.parametrize("days", [0, -1, 366, 10_000])
def test_lifetime_outside_one_day_to_a_year_is_refused(personas, days):
    with pytest.raises(ValidationFailed) as caught:
        api_token_create(actor=None, user=personas.cara, name="x", days=days)
    assert "days" in caught.value.extra["errors"]
    assert not ApiToken.objects.exists()


def test_creating_a_token_is_audited_without_the_secret(personas):
    token, secret = api_token_create(actor=personas.cara, user=personas.cara, name="x")
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.target_id == audit.target_pseudonym(personas.cara, token)
    assert secret not in str(event.extra) and token.token_hash not in str(event.extra)


def test_valid_token_authenticates_as_its_owner(client, personas, issue_token):
    response = _me(client, issue_token(personas.cara))
    assert response.status_code == 200
    assert response.json()["email"] == personas.cara.email


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mhp_" + "A" * 44,  # well-formed but never issued
        "Bearer not-a-token",
        "Bearer ",
        "Token mhp_abc",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_unknown_or_malformed_token_gets_401_with_error_shape(client, personas, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == ERROR_KEYS
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_gets_401(client, personas, issue_token):
    secret = issue_token(personas.cara, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = _me(client, secret)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_token_works_until_the_moment_it_expires(client, personas, issue_token):
    secret = issue_token(personas.cara, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1) - timedelta(minutes=1)):
        assert _me(client, secret).status_code == 200


def test_revoked_token_gets_401_and_revocation_is_audited(client, personas, issue_token):
    secret = issue_token(personas.cara)
    assert _me(client, secret).status_code == 200
    token = ApiToken.objects.get(user=personas.cara)
    api_token_revoke(actor=personas.cara, token=token)
    response = _me(client, secret)
    assert response.status_code == 401
    assert set(response.json()) == ERROR_KEYS
    assert AuditEvent.objects.filter(
        action="api_token.revoke", target_id=audit.target_pseudonym(personas.cara, token)
    )


def test_failed_token_auth_is_audited_with_the_reason(client, personas, issue_token):
    secret = issue_token(personas.cara)
    api_token_revoke(actor=None, token=ApiToken.objects.get(user=personas.cara))
    _me(client, secret)
    event = AuditEvent.objects.get(action="api_token.auth_failed")
    assert event.extra == {"reason": "revoked"}
    assert secret not in str(event.extra)


def test_unknown_token_failures_are_audited_at_most_once_a_minute_per_client(client, personas):
    for _ in range(5):
        _me(client, "mhp_" + "B" * 44)
    assert AuditEvent.objects.filter(action="api_token.auth_failed").count() == 1


def test_token_of_deactivated_account_gets_401(client, personas, issue_token):
    secret = issue_token(personas.cara)
    personas.cara.is_active = False
    personas.cara.save()
    assert _me(client, secret).status_code == 401


def test_bad_token_is_refused_even_with_a_valid_session(client, personas, login):
    login(personas.cara)
    assert client.get("/api/v1/me").status_code == 200
    assert _me(client, "mhp_" + "C" * 44).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(client, personas, issue_token):
    secret = issue_token(personas.cara)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _me(client, secret)
    first = ApiToken.objects.get(user=personas.cara).last_used_at
    assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        _me(client, secret)
    assert ApiToken.objects.get(user=personas.cara).last_used_at == first
    later = start + LAST_USED_RESOLUTION + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        _me(client, secret)
    assert ApiToken.objects.get(user=personas.cara).last_used_at == later


def test_read_token_may_read_but_not_write(client, personas, issue_token):
    reader = issue_token(personas.cara, "read")
    other = ApiToken.objects.get(user=personas.cara)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {reader}"}
    assert client.get("/api/v1/tokens", **headers).status_code == 200
    response = client.delete(f"/api/v1/tokens/{other.public_id}", **headers)
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    other.refresh_from_db()
    assert other.revoked_at is None


def test_write_token_may_write(client, personas, issue_token):
    victim_secret = issue_token(personas.cara, "read")
    victim = ApiToken.objects.get(user=personas.cara)
    writer = issue_token(personas.cara, "write")
    response = client.delete(
        f"/api/v1/tokens/{victim.public_id}", HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert response.status_code == 204
    assert _me(client, victim_secret).status_code == 401


def test_nobody_can_revoke_someone_elses_token(client, personas, issue_token):
    issue_token(personas.cara)
    caras = ApiToken.objects.get(user=personas.cara)
    writer = issue_token(personas.dev, "write")
    response = client.delete(
        f"/api/v1/tokens/{caras.public_id}", HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert response.status_code == 404
    caras.refresh_from_db()
    assert caras.revoked_at is None


def test_token_list_shows_only_own_tokens_and_never_secrets(client, personas, issue_token):
    mine = issue_token(personas.cara, name="mine")
    issue_token(personas.dev, name="not mine")
    response = client.get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {mine}")
    items = response.json()["items"]
    assert [t["name"] for t in items] == ["mine"]
    assert mine not in response.content.decode()
    assert set(items[0]) == {
        "public_id",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    }


def test_token_cannot_mint_tokens(client, personas, issue_token):
    writer = issue_token(personas.cara, "write")
    response = client.post(
        "/api/v1/tokens",
        {"name": "more"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {writer}",
    )
    assert response.status_code == 401
    assert ApiToken.objects.filter(user=personas.cara).count() == 1


def test_session_can_create_token_over_api_and_secret_is_returned_once(client, personas, login):
    login(personas.cara)
    reauthenticate(client)
    response = client.post(
        "/api/v1/tokens",
        {"name": "script", "scope": "write", "days": 7},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("mhp_") and body["scope"] == "write"
    listed = client.get("/api/v1/tokens").content.decode()
    assert body["token"] not in listed and body["prefix"] in listed


def test_mentor_without_second_factor_cannot_use_a_token(client, personas, issue_token):
    from allauth.mfa.models import Authenticator

    secret = issue_token(personas.ana)
    Authenticator.objects.filter(user=personas.ana).delete()
    response = _me(client, secret)
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_session_writes_need_csrf(personas, login):
    client = Client(enforce_csrf_checks=True)
    login(personas.cara, client)
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    client.get("/accounts/tokens/")  # any page with a form sets the CSRF cookie
    token = client.cookies["mh-csrf"].value
    client.post("/accounts/reauthenticate/", {"password": PASSWORD}, HTTP_X_CSRFTOKEN=token)
    response = client.post(
        "/api/v1/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201


def test_bearer_requests_need_no_csrf(personas, issue_token):
    client = Client(enforce_csrf_checks=True)
    issue_token(personas.cara)
    victim = ApiToken.objects.get(user=personas.cara)
    writer = issue_token(personas.cara, "write")
    response = client.delete(
        f"/api/v1/tokens/{victim.public_id}", HTTP_AUTHORIZATION=f"Bearer {writer}"
    )
    assert response.status_code == 204
