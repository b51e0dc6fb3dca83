"""Error pages are ours, friendly, and never show how the server is built (DEBUG off)."""

from __future__ import annotations

import pytest

from tests.web.urls_failing import LEAKY_DETAIL

pytestmark = pytest.mark.django_db

STACK_TRACE_MARKERS = ("Traceback", 'File "', "Django Version", "URLconf", "settings.py")


def _assert_no_internals(html: str) -> None:
    for marker in STACK_TRACE_MARKERS:
        assert marker not in html, marker


def test_not_found_page_is_ours_without_internals(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Not found</h1>" in html
    assert 'href="#main"' in html  # the page keeps our layout, skip link included
    _assert_no_internals(html)


@pytest.mark.urls("tests.web.urls_failing")
def test_server_error_page_is_ours_without_internals(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Server error</h1>" in html
    assert LEAKY_DETAIL not in html
    assert "RuntimeError" not in html
    _assert_no_internals(html)


def test_api_not_found_keeps_the_error_shape(client, settings):
    settings.DEBUG = False
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
