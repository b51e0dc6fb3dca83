"""/api/v1/relationships and its goals, meetings and notes: who gets what, and 404 for the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentorhaven.kernel import audit
from mentorhaven.mentoring.services import (
    goal_create,
    meeting_propose,
    milestone_add,
    note_create,
    relationship_end,
)

from .conftest import last_event, make_active, reads_about

pytestmark = pytest.mark.django_db

BASE = "/api/v1/relationships"


def _get(client, path, headers):
    return client.get(path, headers=headers)


def _post(client, path, headers, body):
    return client.post(path, body, content_type="application/json", headers=headers)


def test_participants_list_and_read_their_relationship(client, personas, pair, other_pair, bearer):
    body = _get(client, BASE, bearer(personas.cara)).json()
    assert [item["id"] for item in body["items"]] == [str(pair.public_id)]
    detail = _get(client, f"{BASE}/{pair.public_id}", bearer(personas.ana)).json()
    assert detail["mentee"]["display_name"] == "Cara Mentee"
    assert detail["status"] == "active"


def test_program_admin_lists_relationships_but_gets_404_inside(
    client, personas, pair, other_pair, bearer
):
    note_create(actor=personas.cara, relationship=pair, body="shared text", shared=True)
    headers = bearer(personas.coordinator)
    items = _get(client, BASE, headers).json()["items"]
    assert {i["id"] for i in items} == {str(pair.public_id), str(other_pair.public_id)}
    assert _get(client, f"{BASE}/{pair.public_id}", headers).status_code == 200
    for sub in ("goals", "meetings", "notes"):
        response = _get(client, f"{BASE}/{pair.public_id}/{sub}", headers)
        assert response.status_code == 404, sub
        assert response.json()["code"] == "not_found"
    assert b"shared text" not in _get(client, BASE, headers).content


@pytest.mark.parametrize("sub", ["", "/goals", "/meetings", "/notes"])
def test_other_mentor_and_outsider_get_404_everywhere(
    client, personas, pair, other_pair, bearer, sub
):
    goal_create(actor=personas.cara, relationship=pair, title="Private goal", description="d")
    for viewer in (personas.ben, personas.dev, personas.outsider):
        response = _get(client, f"{BASE}/{pair.public_id}{sub}", bearer(viewer))
        assert response.status_code == 404
        assert b"Private goal" not in response.content
    missing = _get(
        client, f"{BASE}/00000000-0000-4000-8000-000000000000{sub}", bearer(personas.ben)
    )
    assert missing.status_code == 404


def test_mentee_posts_a_goal_and_the_mentor_reads_it(client, personas, pair, bearer):
    response = _post(
        client,
        f"{BASE}/{pair.public_id}/goals",
        bearer(personas.cara),
        {"title": "Speak up", "description": "In every team meeting"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["id"] and created["description"] == "In every team meeting"
    goal = ("mentoring.goal", created["id"])
    assert last_event("goal.create").target_id == audit.target_pseudonym(personas.cara, goal)
    items = _get(client, f"{BASE}/{pair.public_id}/goals", bearer(personas.ana)).json()["items"]
    assert [(i["id"], i["description"]) for i in items] == [
        (created["id"], "In every team meeting")
    ]
    assert len(reads_about(personas.cara, viewer=personas.ana)) == 1
    mentor_post = _post(
        client,
        f"{BASE}/{pair.public_id}/goals",
        bearer(personas.ana),
        {"title": "x", "description": ""},
    )
    assert mentor_post.status_code == 403


def test_notes_private_and_shared_over_the_api(client, personas, pair, bearer):
    private = _post(
        client,
        f"{BASE}/{pair.public_id}/notes",
        bearer(personas.ana),
        {"body": "just for me", "shared": False},
    )
    shared = _post(
        client,
        f"{BASE}/{pair.public_id}/notes",
        bearer(personas.ana),
        {"body": "for both", "shared": True},
    )
    assert private.status_code == shared.status_code == 201
    seen = _get(client, f"{BASE}/{pair.public_id}/notes", bearer(personas.cara)).json()["items"]
    assert [n["body"] for n in seen] == ["for both"]
    mine = _get(client, f"{BASE}/{pair.public_id}/notes", bearer(personas.ana)).json()["items"]
    assert {n["body"] for n in mine} == {"just for me", "for both"}


def test_read_scope_token_cannot_post(client, personas, pair, bearer):
    response = _post(
        client,
        f"{BASE}/{pair.public_id}/notes",
        bearer(personas.cara, "read"),
        {"body": "x", "shared": False},
    )
    assert response.status_code in (401, 403)


def test_meetings_over_the_api(client, personas, pair, bearer):
    soon = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = _post(
        client,
        f"{BASE}/{pair.public_id}/meetings",
        bearer(personas.cara),
        {"slots": [soon.isoformat()], "location": "https://video.example/r", "agenda": "careers"},
    )
    assert response.status_code == 201, response.content
    items = _get(client, f"{BASE}/{pair.public_id}/meetings", bearer(personas.ana)).json()["items"]
    assert items[0]["id"] == response.json()["id"] and items[0]["status"] == "proposed"
    bad = _post(
        client,
        f"{BASE}/{pair.public_id}/meetings",
        bearer(personas.cara),
        {"slots": [(timezone.now() - timedelta(days=1)).isoformat()]},
    )
    assert bad.status_code == 422


def test_mentor_gets_404_once_the_relationship_ends(client, personas, pair, bearer):
    headers = bearer(personas.ana)
    assert _get(client, f"{BASE}/{pair.public_id}/goals", headers).status_code == 200
    relationship_end(actor=personas.cara, relationship=pair, reason="goals_met", completed=True)
    for sub in ("goals", "meetings", "notes"):
        assert _get(client, f"{BASE}/{pair.public_id}/{sub}", headers).status_code == 404
    assert _get(client, f"{BASE}/{pair.public_id}/goals", bearer(personas.cara)).status_code == 200


def _queries(client, path, headers) -> int:
    client.get(path, headers=headers)  # warm up: the first use of a token records its use
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, headers=headers).status_code == 200
    return len(ctx.captured_queries)


def _fill(personas, pair, n):
    soon = timezone.now() + timedelta(days=2)
    for i in range(n):
        goal = goal_create(actor=personas.cara, relationship=pair, title=f"g{i}", description="d")
        milestone_add(actor=personas.cara, goal=goal, title="m")
        note_create(actor=personas.cara, relationship=pair, body="n", shared=True)
        note_create(actor=personas.ana, relationship=pair, body="n", shared=True)
        meeting_propose(actor=personas.cara, relationship=pair, slots=[soon], agenda="a")


def test_list_query_counts_do_not_grow_with_the_list(client, personas, pair, other_pair, bearer):
    headers = {"cara": bearer(personas.cara), "coord": bearer(personas.coordinator)}
    paths = [(f"{BASE}/{pair.public_id}/{s}", "cara") for s in ("goals", "meetings", "notes")]
    paths.append((BASE, "coord"))
    _fill(personas, pair, 2)
    small = {p: _queries(client, p, headers[who]) for p, who in paths}
    _fill(personas, pair, 6)
    make_active(personas, personas.dev, personas.ana)
    large = {p: _queries(client, p, headers[who]) for p, who in paths}
    assert large == small
