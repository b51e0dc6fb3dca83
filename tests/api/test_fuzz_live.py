"""Schemathesis against a live server with the tokens of two organizations (tests/api/live_fuzz.py):
zero 5xx, zero answers that break the OpenAPI document, nothing of the other organization in any
answer. The example counts here keep ``make test`` within minutes; ``benchmarks/bench_fuzz.py``
runs the same with many more (``MENTORHAVEN_FUZZ_EXAMPLES``)."""

from __future__ import annotations

import json
import os

import pytest
from django.db import connections

from tests.api.live_fuzz import Caller, fuzz
from tests.e2e.conftest import AsgiServer
from tests.security.test_tenant_isolation import (  # noqa: F401  (fixtures re-exported)
    DEMO_ROLES,
    _file_storage,
    _footprint,
    world,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.fuzz,
    pytest.mark.xdist_group("fuzz"),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

# A mentee and a program admin in each organization: between them every operation reaches
# real rows (conversations, files, match runs) of their own organization.
CALLERS = ("cara", "coordinator", "outsider", "oscar")
EXAMPLES = int(os.environ.get("MENTORHAVEN_FUZZ_EXAMPLES", "2"))
ONLY = os.environ.get("MENTORHAVEN_FUZZ_ONLY", "")  # e.g. "/api/v1/me,/api/v1/programs"


@pytest.fixture
def live_server_url():
    overrides = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            overrides[conn.alias] = conn
    server = AsgiServer(overrides)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        for conn in overrides.values():
            conn.dec_thread_sharing()


def callers_of(world) -> list[Caller]:  # noqa: F811
    footprints = {org: tuple(_footprint(world, org)) for org in ("demo", "other")}
    return [
        Caller(name, world.bearer[name], footprints["other" if name in DEMO_ROLES else "demo"])
        for name in CALLERS
    ]


def test_the_api_holds_its_schema_and_its_tenants_under_fuzzing(world, live_server_url):  # noqa: F811
    report = fuzz(
        live_server_url,
        callers_of(world),
        world.things,
        examples=EXAMPLES,
        only=ONLY,
        progress=print,
    )
    print("FUZZ", json.dumps(report.summary()))
    assert report.operations >= (1 if ONLY else 47)
    assert all(report.cases[name] >= report.operations for name in CALLERS)
    assert not report.problems(), "\n".join(report.problems()[:40])
