"""What one dashboard request costs the database: a small fixed number of reads and no writes.

The whole request is counted (session, user, the second-factor check and the dashboard), so a
middleware that starts writing on every request, or a check that splits into several queries,
shows up here. Speed itself is measured in benchmarks/bench_dashboard.py, not in tests.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _repeat_request_queries(client, user) -> list[str]:
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 200  # the first one records the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_a_mentee_dashboard_is_four_reads_and_no_write(client, personas):
    sql = _repeat_request_queries(client, personas.cara)
    # session, user, roles + second factor, program memberships with own relationships
    assert len(sql) == 4, sql
    assert not [q for q in sql if q.lstrip().upper().startswith(WRITES)]
    assert not [q for q in sql if "programs_orgmembership" in q and "UNION" not in q]


def test_an_auditor_dashboard_never_reads_program_memberships(client, login, personas):
    login(personas.auditor)
    assert client.get("/dashboard/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    # The second-factor check's UNION reads roles only; nothing else touches the table.
    assert not [q for q in sql if '"programs_membership"' in q and "UNION" not in q]
    assert not [q for q in sql if q.lstrip().upper().startswith(WRITES)]
