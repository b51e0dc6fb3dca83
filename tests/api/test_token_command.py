"""``mentorhaven token create|list|revoke``."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mentorhaven.accounts.models import ApiToken
from mentorhaven.kernel.models import AuditEvent

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_create_prints_the_secret_once_and_stores_only_its_hash(client, personas):
    secret = _run("create", personas.cara.email, "--scope", "write", "--days", "7").strip()
    token = ApiToken.objects.get(user=personas.cara)
    assert secret.startswith(token.prefix) and secret != token.token_hash
    assert token.scope == "write"
    assert token.expires_at - token.created_at == timedelta(days=7)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert AuditEvent.objects.filter(action="api_token.create", actor="system").exists()


def test_create_defaults_to_read_scope_and_default_days(personas, settings):
    _run("create", personas.cara.email, "--name", "nightly")
    token = ApiToken.objects.get(user=personas.cara)
    assert token.scope == "read" and token.name == "nightly"
    assert token.expires_at - token.created_at == timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


def test_create_refuses_more_than_a_year(personas):
    with pytest.raises(CommandError):
        _run("create", personas.cara.email, "--days", "366")
    assert not ApiToken.objects.exists()


def test_create_for_unknown_email_fails(db):
    with pytest.raises(CommandError):
        _run("create", "nobody@example.test")


def test_list_shows_tokens_without_secrets(personas):
    secret = _run("create", personas.cara.email).strip()
    listing = _run("list", personas.cara.email)
    token = ApiToken.objects.get()
    assert token.prefix in listing and "active" in listing
    assert secret not in listing


@pytest.mark.parametrize("by", ["prefix", "public_id"])
def test_revoke_by_prefix_or_id(client, personas, by):
    secret = _run("create", personas.cara.email).strip()
    token = ApiToken.objects.get()
    _run("revoke", str(getattr(token, by)))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert "revoked" in _run("list", personas.cara.email)


def test_revoke_is_idempotent(personas):
    _run("create", personas.cara.email)
    token = ApiToken.objects.get()
    _run("revoke", token.prefix)
    _run("revoke", token.prefix)
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_revoke_unknown_reference_fails(db):
    with pytest.raises(CommandError):
        _run("revoke", "mhp_nothing")
