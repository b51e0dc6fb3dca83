"""Schemathesis against our own OpenAPI document: whatever it sends, never a 5xx.

Three callers: anonymous, a write-scope bearer token, and a browser session with its CSRF token.
Each operation gets a bounded number of generated requests so the run stays fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()

FUZZ = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
ERROR_KEYS = {"message", "code", "extra"}


@pytest.fixture
def same_connection():
    """Keep the test's database transaction across requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "token", "session"])
def caller(request, personas, same_connection):
    if request.param == "anonymous":
        return {}
    if request.param == "token":
        _token, secret = api_token_create(
            actor=None, user=personas.coordinator, name="fuzz", scope="write"
        )
        return {"headers": {"Authorization": f"Bearer {secret}"}}
    client = Client()
    client.force_login(personas.coordinator)
    client.get("/accounts/tokens/")  # sets the CSRF cookie
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return {"cookies": cookies, "headers": {"X-CSRFToken": cookies["mh-csrf"]}}


def _check(case, response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    # The TRACE/TRACK guard (web/middleware.py) answers 405 with no body at all: nothing to shape.
    if response.status_code >= 400 and response.content:
        assert response.headers["content-type"][0].startswith("application/json"), (
            response.status_code,
            case.as_curl_command(),
            response.text[:300],
        )
        assert set(response.json()) == ERROR_KEYS, response.text[:300]


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_never_answers_with_a_server_error(case, caller):
    headers = {**(case.headers or {}), **caller.get("headers", {})}
    response = case.call(headers=headers, cookies=caller.get("cookies"))
    _check(case, response)
