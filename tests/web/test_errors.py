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


class Outage:
    """While on, every cursor fails as it does when PostgreSQL is down or restarting."""

    def __init__(self, monkeypatch) -> None:
        from django.db.backends.base.base import BaseDatabaseWrapper

        self.monkeypatch, self.wrapper = monkeypatch, BaseDatabaseWrapper
        self.real = BaseDatabaseWrapper.cursor

    def start(self) -> None:
        from django.db import OperationalError

        def refuse(_connection):
            raise OperationalError("connection refused: is the server running?")

        self.monkeypatch.setattr(self.wrapper, "cursor", refuse)

    def end(self) -> None:
        self.monkeypatch.setattr(self.wrapper, "cursor", self.real)


@pytest.fixture
def outage(monkeypatch):
    return Outage(monkeypatch)


def test_a_page_says_briefly_unavailable_while_the_database_is_down_and_works_after(
    client, settings, personas, outage
):
    settings.DEBUG = False
    client.force_login(personas.cara)
    client.raise_request_exception = False
    outage.start()
    response = client.get("/dashboard/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "<h1>Briefly unavailable</h1>" in html
    assert "connection refused" not in html
    _assert_no_internals(html)
    outage.end()  # the database is back: the next request simply works
    assert client.get("/dashboard/").status_code == 200


def test_the_api_answers_503_in_its_error_shape_while_the_database_is_down(
    client, settings, outage
):
    settings.DEBUG = False
    client.raise_request_exception = False
    outage.start()
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer mh_nope"})
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response["Retry-After"] == "30"
    assert "refused" not in response.content.decode()


def test_other_failures_stay_a_plain_server_error():
    from django.db import IntegrityError, OperationalError

    from mentorhaven.web.unavailable import database_unavailable

    assert database_unavailable(OperationalError("server closed the connection"))
    try:
        try:
            raise OperationalError("timeout")
        except OperationalError as exc:
            raise RuntimeError("while rendering") from exc
    except RuntimeError as wrapped:
        assert database_unavailable(wrapped)
    assert not database_unavailable(IntegrityError("duplicate key"))
    assert not database_unavailable(ValueError("bad input"))
    assert not database_unavailable(None)
