"""Access follows the facts on every request (ASVS 8.3.2): when a relationship ends or a role is
taken away, an open browser session and a live API token lose it on their very next request.

Nothing that decides access is cached or carried in a token: each request reads the
relationship's status and the person's memberships afresh.
"""

from __future__ import annotations

from django.test import Client

from mentorhaven.mentoring.services import relationship_end
from mentorhaven.programs.models import Membership, OrgMembership

BASE = "/api/v1/relationships"


def _both(session: Client, token_client: Client, headers: dict, path: str) -> tuple[int, int]:
    return session.get(path).status_code, token_client.get(path, headers=headers).status_code


def test_ending_a_relationship_closes_it_to_an_open_session_and_a_token_at_once(
    client, personas, pair, bearer, login
):
    login(personas.ana)
    headers, token_client = bearer(personas.ana), Client()
    for sub in ("goals", "notes", "meetings"):
        assert _both(client, token_client, headers, f"{BASE}/{pair.public_id}/{sub}") == (200, 200)
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    for sub in ("goals", "notes", "meetings"):
        assert _both(client, token_client, headers, f"{BASE}/{pair.public_id}/{sub}") == (404, 404)


def test_a_program_role_taken_away_applies_to_the_next_request(
    client, personas, pair, bearer, login
):
    login(personas.coordinator)
    headers, token_client = bearer(personas.coordinator), Client()
    path = f"{BASE}/{pair.public_id}"
    assert _both(client, token_client, headers, path) == (200, 200)
    assert token_client.get("/api/v1/programs", headers=headers).json()["count"] == 1
    Membership.objects.filter(user=personas.coordinator).delete()
    assert _both(client, token_client, headers, path) == (404, 404)
    assert token_client.get("/api/v1/programs", headers=headers).json()["count"] == 0


def test_an_organization_role_taken_away_applies_to_the_next_request(personas, bearer):
    headers, token_client = bearer(personas.org_admin), Client()
    assert token_client.get("/api/v1/programs", headers=headers).json()["count"] == 1
    OrgMembership.objects.filter(user=personas.org_admin).delete()
    response = token_client.get("/api/v1/programs", headers=headers)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.json()["count"] == 0
