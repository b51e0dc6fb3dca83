"""/me, programs and memberships: what each persona gets, and nothing more."""

from __future__ import annotations

import pytest

from mentorhaven.programs.models import Program
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _get(client, path, headers):
    response = client.get(path, **{f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return response


def test_me_describes_the_caller_and_their_roles(client, personas, bearer):
    body = _get(client, "/api/v1/me", bearer(personas.coordinator)).json()
    assert body["email"] == personas.coordinator.email
    assert body["public_id"] == str(personas.coordinator.public_id)
    assert body["display_name"] == "Corin Coordinator"
    assert body["mfa_enabled"] is True
    assert body["organizations"] == [
        {"public_id": str(personas.org.public_id), "name": "Demo Org", "roles": ["member"]}
    ]
    assert body["programs"] == [
        {
            "public_id": str(personas.program.public_id),
            "name": "Demo 2026",
            "slug": "demo-2026",
            "organization_public_id": str(personas.org.public_id),
            "roles": ["program_admin"],
        }
    ]


def test_me_lists_organization_roles(client, personas, bearer):
    body = _get(client, "/api/v1/me", bearer(personas.org_admin)).json()
    assert sorted(body["organizations"][0]["roles"]) == ["member", "org_admin"]
    assert body["programs"] == []


def test_me_never_exposes_internal_ids_or_secrets(client, personas, bearer):
    body = _get(client, "/api/v1/me", bearer(personas.cara)).json()
    assert set(body) == {
        "public_id",
        "email",
        "display_name",
        "mfa_enabled",
        "organizations",
        "programs",
        "time_zone",
    }
    assert "password" not in str(body) and '"id"' not in str(body)


def test_anonymous_caller_gets_401(client, personas):
    for path in (
        "/api/v1/me",
        "/api/v1/programs",
        f"/api/v1/programs/{personas.program.public_id}",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert set(response.json()) == {"message", "code", "extra"}


def test_session_auth_works_for_reads(client, personas, login):
    login(personas.ana)
    assert client.get("/api/v1/me").json()["email"] == personas.ana.email


@pytest.mark.parametrize("who", ["coordinator", "ana", "ben", "cara", "dev"])
def test_program_members_see_their_program(client, personas, bearer, who):
    body = _get(client, "/api/v1/programs", bearer(getattr(personas, who))).json()
    assert [p["slug"] for p in body["items"]] == ["demo-2026"]
    assert body["count"] == 1


@pytest.mark.parametrize("who", ["org_admin", "auditor"])
def test_org_overseers_see_every_program_of_their_org(client, personas, bearer, who):
    Program.objects.create(organization=personas.org, name="Alumni", slug="alumni")
    body = _get(client, "/api/v1/programs", bearer(getattr(personas, who))).json()
    assert sorted(p["slug"] for p in body["items"]) == ["alumni", "demo-2026"]


def test_program_detail_is_an_allow_list(client, personas, bearer):
    path = f"/api/v1/programs/{personas.program.public_id}"
    body = _get(client, path, bearer(personas.cara)).json()
    assert set(body) == {
        "public_id",
        "name",
        "slug",
        "kind",
        "description",
        "starts_on",
        "ends_on",
        "organization",
    }
    assert body["organization"] == {"public_id": str(personas.org.public_id), "name": "Demo Org"}


def test_program_of_another_org_is_404(client, personas, bearer):
    path = f"/api/v1/programs/{personas.other_program.public_id}"
    response = _get(client, path, bearer(personas.org_admin))
    assert response.status_code == 404
    assert "Other" not in response.content.decode()


def test_missing_and_forbidden_programs_look_the_same(client, personas, bearer):
    headers = bearer(personas.cara)
    forbidden = _get(client, f"/api/v1/programs/{personas.other_program.public_id}", headers)
    missing = _get(client, "/api/v1/programs/00000000-0000-4000-8000-000000000000", headers)
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def _member_roles(client, personas, headers):
    path = f"/api/v1/programs/{personas.program.public_id}/memberships"
    body = _get(client, path, headers).json()
    return sorted((m["person"]["display_name"], m["role"]) for m in body["items"])


ALL_MEMBERS = sorted(
    [
        ("Corin Coordinator", "program_admin"),
        ("Ana Mentor", "mentor"),
        ("Ben Mentor", "mentor"),
        ("Cara Mentee", "mentee"),
        ("Dev Mentee", "mentee"),
    ]
)


@pytest.mark.parametrize("who", ["coordinator", "org_admin", "auditor"])
def test_admins_and_overseers_see_the_whole_member_list(client, personas, bearer, who):
    assert _member_roles(client, personas, bearer(getattr(personas, who))) == ALL_MEMBERS


@pytest.mark.parametrize(
    ("who", "own"),
    [("ana", ("Ana Mentor", "mentor")), ("cara", ("Cara Mentee", "mentee"))],
)
def test_participants_see_only_admins_and_themselves(client, personas, bearer, who, own):
    seen = _member_roles(client, personas, bearer(getattr(personas, who)))
    assert seen == sorted([("Corin Coordinator", "program_admin"), own])


def test_membership_items_are_an_allow_list(client, personas, bearer):
    path = f"/api/v1/programs/{personas.program.public_id}/memberships"
    item = _get(client, path, bearer(personas.coordinator)).json()["items"][0]
    assert set(item) == {"public_id", "role", "person", "created_at"}
    assert set(item["person"]) == {"public_id", "display_name"}
    assert "@" not in str(item)


def test_outsider_cannot_list_members_of_demo_program(client, personas, bearer):
    path = f"/api/v1/programs/{personas.program.public_id}/memberships"
    response = _get(client, path, bearer(personas.outsider))
    assert response.status_code == 404
    assert "Mentor" not in response.content.decode()


def test_pagination_limits_and_offsets(client, personas, bearer):
    headers = bearer(personas.coordinator)
    path = f"/api/v1/programs/{personas.program.public_id}/memberships"
    first = _get(client, f"{path}?limit=2", headers).json()
    rest = _get(client, f"{path}?limit=2&offset=2", headers).json()
    assert first["count"] == rest["count"] == 5
    assert len(first["items"]) == len(rest["items"]) == 2
    assert not {m["public_id"] for m in first["items"]} & {m["public_id"] for m in rest["items"]}


def _grow(personas, count):
    """More programs, members and tokens, so every list endpoint gets longer."""
    from mentorhaven.accounts.tokens import api_token_create

    MembershipFactory.create_batch(
        count, program__organization=personas.org, user=personas.org_admin, role="mentor"
    )
    MembershipFactory.create_batch(count, program=personas.program, role="mentee")
    for i in range(count):
        api_token_create(actor=None, user=personas.org_admin, name=f"t{i}")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/programs/{p}/memberships", "/api/v1/programs", "/api/v1/me", "/api/v1/tokens"],
)
def test_query_count_does_not_grow_with_the_list(
    client, personas, bearer, django_assert_max_num_queries, path
):
    headers = bearer(personas.org_admin)
    url = path.format(p=personas.program.public_id)
    _grow(personas, 3)
    # At most 15: a member list is a read on the record (the keys of the people on the page
    # fetched, or made, together, and one INSERT), and a token's holder is asked once whether
    # they accepted their programs' current agreements — whatever the length of the list.
    with django_assert_max_num_queries(15) as small:
        assert _get(client, url, headers).status_code == 200
    _grow(personas, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert _get(client, url, headers).status_code == 200
