"""The API tokens page: list, create (secret shown once), revoke."""

from __future__ import annotations

import re

import pytest

from mentorhaven.accounts.models import ApiToken
from mentorhaven.accounts.tokens import api_token_create
from tests.api.conftest import reauthenticate

pytestmark = pytest.mark.django_db


def _secret_in(html: str) -> list[str]:
    return re.findall(r"mhp_[A-Za-z0-9]{44}", html)


def test_tokens_page_requires_login(client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_page_lists_own_tokens_with_their_facts(client, personas, login):
    api_token_create(actor=None, user=personas.cara, name="reporting script", scope="write")
    api_token_create(actor=None, user=personas.dev, name="devs secret script")
    login(personas.cara)
    html = client.get("/accounts/tokens/").content.decode()
    token = ApiToken.objects.get(user=personas.cara)
    for fact in ("reporting script", token.prefix, "Read and write", "never", "Revoke"):
        assert fact in html
    assert "devs secret script" not in html
    assert _secret_in(html) == []


def test_creating_a_token_shows_the_secret_exactly_once(client, personas, login):
    login(personas.cara)
    reauthenticate(client)
    response = client.post("/accounts/tokens/", {"name": "laptop", "scope": "read", "days": "30"})
    assert response.status_code == 201
    shown = _secret_in(response.content.decode())
    assert len(shown) == 1
    token = ApiToken.objects.get(user=personas.cara)
    assert token.name == "laptop" and (token.expires_at - token.created_at).days == 30
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {shown[0]}").status_code == 200
    assert _secret_in(client.get("/accounts/tokens/").content.decode()) == []


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "scope": "read", "days": "30"},
        {"name": "x", "scope": "root", "days": "30"},
        {"name": "x", "scope": "read", "days": "400"},
        {"name": "x\x00", "scope": "read", "days": "9"},
    ],
)
def test_invalid_form_creates_nothing(client, personas, login, data):
    login(personas.cara)
    reauthenticate(client)
    response = client.post("/accounts/tokens/", data)
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page(client, personas, login):
    token, secret = api_token_create(actor=None, user=personas.cara, name="x")
    login(personas.cara)
    response = client.post(f"/accounts/tokens/{token.public_id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_cannot_revoke_someone_elses_token_from_the_page(client, personas, login):
    token, _ = api_token_create(actor=None, user=personas.dev, name="x")
    login(personas.cara)
    response = client.post(f"/accounts/tokens/{token.public_id}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_post(client, personas, login):
    token, _ = api_token_create(actor=None, user=personas.cara, name="x")
    login(personas.cara)
    assert client.get(f"/accounts/tokens/{token.public_id}/revoke/").status_code == 405
