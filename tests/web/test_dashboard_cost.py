"""What a dashboard costs the database does not grow with the program: the same number of
queries for a program of a dozen people as for one ten times larger, for every role.

Speed itself is measured by benchmarks/bench_pages.py, not in tests.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.world import build_world, grow

pytestmark = pytest.mark.django_db

ROLES = ("mentee", "mentor", "program_admin", "org_admin", "auditor", "security_officer")
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _file_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _dashboard(client: Client) -> tuple[int, list[str]]:
    assert client.get("/dashboard/").status_code == 200  # the first records the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return len(queries.captured_queries), [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_queries_do_not_grow_with_the_program(role, django_assert_max_num_queries):
    world = build_world(participants=12, content=1)
    client = Client()
    client.force_login(world.people[role])
    small, _sql = _dashboard(client)
    grow(world, participants=120, content=2)
    with django_assert_max_num_queries(small):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    assert world.program.name in response.content.decode() or role in (
        "auditor",
        "security_officer",
    )


def test_a_dashboard_writes_nothing():
    """Reading figures writes nothing (the session's activity record is written at most once
    a minute: tests/accounts/test_session_activity.py)."""
    world = build_world(participants=12, content=1)
    for role in ROLES:
        client = Client()
        client.force_login(world.people[role])
        _count, sql = _dashboard(client)
        assert not [q for q in sql if q.lstrip().upper().startswith(WRITES)]
