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


def test_a_mentee_dashboard_is_two_reads_and_no_write(client, personas):
    sql = _repeat_request_queries(client, personas.cara)
    # session with its user, roles and second factor; programs with own relationships
    assert len(sql) == 2, sql
    assert _reads_session_user_and_gate(sql[0])
    assert not [q for q in sql if q.lstrip().upper().startswith(WRITES)]
    assert not [q for q in sql[1:] if "programs_orgmembership" in q]


def _reads_session_user_and_gate(sql: str) -> bool:
    return all(
        table in sql for table in ('"django_session"', '"accounts_user"', '"mfa_authenticator"')
    )


def test_any_signed_in_page_starts_with_one_read(client, personas):
    """The floor every signed-in page pays: one read for its session, its user and their
    second-factor check (a page's own reads come after it)."""
    client.force_login(personas.ana)  # a mentor: the second factor is checked and present
    assert client.get("/privacy/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/privacy/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert _reads_session_user_and_gate(sql[0])
    assert not [q for q in sql[1:] if "mfa_authenticator" in q or '"accounts_user"' in q]


def test_an_auditor_dashboard_never_reads_program_memberships(client, login, personas):
    login(personas.auditor)
    assert client.get("/dashboard/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    # The second-factor check's UNION reads roles only; nothing else touches the table.
    assert not [q for q in sql if '"programs_membership"' in q and "UNION" not in q]
    assert not [q for q in sql if q.lstrip().upper().startswith(WRITES)]
