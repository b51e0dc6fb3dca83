"""Schemathesis against our own OpenAPI document: whatever it sends, never a 5xx.

Three callers: anonymous, a write-scope bearer token, and a browser session with its CSRF token.
Each operation gets a bounded number of generated requests so the run stays fast.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.api import api

_document = api.get_openapi_schema()
_app = WSGIHandler()
# Token callers get the full treatment: schemathesis's boundary "coverage" phase (wrong types,
# missing fields, extreme numbers) plus random examples. Anonymous callers are refused before
# any input is read, and sessions reach the same code as tokens, so they get a lighter run.
deep = schemathesis.openapi.from_dict(_document)
deep.app = _app
light = schemathesis.openapi.from_dict(_document)
light.app = _app
light.config.phases.coverage.enabled = False


def _fuzz(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


ERROR_KEYS = {"message", "code", "extra"}


def _session_for(user) -> dict:
    client = Client()
    client.force_login(user)
    client.get("/accounts/tokens/")  # sets the CSRF cookie
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return {"cookies": cookies, "headers": {"X-CSRFToken": cookies["mh-csrf"]}}


@pytest.fixture
def token_caller(personas):
    _token, secret = api_token_create(
        actor=None, user=personas.coordinator, name="fuzz", scope="write"
    )
    with _same_connection():
        yield {"headers": {"Authorization": f"Bearer {secret}"}}


@pytest.fixture(params=["anonymous", "session"])
def other_caller(request, personas):
    credentials = _session_for(personas.coordinator) if request.param == "session" else {}
    with _same_connection():
        yield credentials


@contextmanager
def _same_connection():
    """Keep the test's database transaction across requests, as Django's test client does.

    Entered after any use of the test client, which reconnects these signals when it is done.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


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


def _call(case, caller):
    headers = {**(case.headers or {}), **caller.get("headers", {})}
    response = case.call(headers=headers, cookies=caller.get("cookies"))
    _check(case, response)


@pytest.mark.django_db
@deep.parametrize()
@_fuzz(10)
def test_api_never_answers_with_a_server_error_to_a_token(case, token_caller):
    _call(case, token_caller)


@pytest.mark.django_db
@light.parametrize()
@_fuzz(4)
def test_api_never_answers_with_a_server_error_to_anonymous_or_session(case, other_caller):
    _call(case, other_caller)
