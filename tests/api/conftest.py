"""Helpers for API tests: issue a real token and call the API with it."""

from __future__ import annotations

import pytest

from mentorhaven.accounts.tokens import api_token_create
from tests.conftest import PASSWORD


def reauthenticate(client) -> None:
    """Give the password again on a signed-in client: creating a token needs it within the
    last ten minutes (a sign-in alone does not count)."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content[:300]


@pytest.fixture
def issue_token(db):
    """``issue_token(user, scope="read", days=None)`` -> the secret of a freshly issued token."""

    def _issue(user, scope="read", days=None, name="test token"):
        _token, secret = api_token_create(actor=user, user=user, name=name, scope=scope, days=days)
        return secret

    return _issue


@pytest.fixture
def bearer(issue_token):
    """``bearer(user, scope)`` -> headers for the test client carrying a fresh token."""

    def _headers(user, scope="read"):
        return {"Authorization": f"Bearer {issue_token(user, scope)}"}

    return _headers
