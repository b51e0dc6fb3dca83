"""Every signed-in page costs the database the same number of queries in a small program as in
one ten times larger (with more of the viewer's own content too): lists are read in a fixed
number of queries, never one per row.

The pages are those of tests/web/pages.py, which walks every URL pattern; speed is measured by
benchmarks/bench_pages.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mentorhaven.accounts import usersessions
from tests.conftest import totp_code
from tests.security.urlwalk import dummy_values, endpoints, fill
from tests.web.pages import NOT_PAGES, POST_ONLY, not_a_page, pages
from tests.world import PASSWORD, World, build_world, grow

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    # Pages behind allauth's re-authentication render instead of redirecting (as in the
    # benchmark, whose run outlasts the five minutes).
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 3600
    # Counts must not depend on how fast this machine is: a page that takes longer than the
    # key cache's life on a loaded machine would fetch its keys again (one query, not growth).
    settings.VAULT_KEY_CACHE_SECONDS = 3600


@pytest.fixture(autouse=True)
def _activity_written_once(monkeypatch):
    # A session's activity is written at most once a minute (accounts/usersessions.py): on a
    # slow machine a measured request could fall just past the minute and count that write,
    # which depends on the clock, not on the program's size.
    monkeypatch.setattr(usersessions, "ACTIVITY_WRITE_SECONDS", 24 * 3600)


def _signed_in(world: World) -> dict[str, Client]:
    """Everybody signed in through the forms (password, then the code), as people do."""
    clients = {}
    for who, user in world.people.items():
        client = Client()
        response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
        if who in world.totp_secrets:
            code = totp_code(world.totp_secrets[who])
            assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
        # Confirming the password once opens the second-factor settings pages too.
        response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        assert response.status_code == 302
        clients[who] = client
    return clients


def _queries(world: World, clients: dict[str, Client]) -> dict[str, int]:
    counts = {}
    for page in pages(world):
        client = clients[page.who]
        client.get(page.path)  # side effects of a first visit (activity record, read marks)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
        assert response.status_code == page.status, (page, response.status_code)
        counts[page.name] = len(queries.captured_queries)
    return counts


def test_page_queries_do_not_grow_with_the_program(django_assert_max_num_queries):
    world = build_world(participants=15, content=1)
    clients = _signed_in(world)
    small = _queries(world, clients)
    grow(world, participants=150, content=3)
    grown = {}
    for page in pages(world):
        client = clients[page.who]
        client.get(page.path)
        try:
            with django_assert_max_num_queries(small[page.name]):
                response = client.get(page.path)
        except pytest.fail.Exception as failure:
            grown[page.name] = str(failure).splitlines()[0]
            continue
        assert response.status_code == page.status, (page, response.status_code)
    # Every page, the mentor suggestions too (stored until their inputs change,
    # matching/suggestions.py), costs the same in the grown program.
    assert not grown, grown


def test_every_url_pattern_is_a_page_or_has_a_reason():
    world = build_world(participants=6, content=1)
    unlisted: list[str] = []
    measured = {page.name.split(" (")[0] for page in pages(world, unlisted=unlisted.append)}
    assert not unlisted
    names = {e.name for e in endpoints()}
    assert measured <= names
    assert set(NOT_PAGES) <= names, "a reason for a URL pattern that no longer exists"
    assert measured.isdisjoint(NOT_PAGES)


def test_actions_said_to_be_post_only_refuse_a_get(client):
    world = build_world(participants=6, content=1)
    client.force_login(world.people["mentee"])
    for endpoint in endpoints():
        if not_a_page(endpoint.name, endpoint.route) != POST_ONLY:
            continue
        paths = list(fill(endpoint, dummy_values))
        assert paths, endpoint.name
        assert client.get(paths[0]).status_code == 405, endpoint.name
