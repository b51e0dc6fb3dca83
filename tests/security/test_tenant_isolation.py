"""Tenant isolation: nothing of one organization reaches a member of another.

The matrix: every Demo Org role (org admin, auditor, program admin, mentors, mentees) against
Other Org, and Other Org's outsider against Demo Org. For each viewer, every URL pattern that
takes an identifier is tried with each identifier of the *other* organization (its id, its
programs, memberships, people, invitations, API tokens) by GET and POST, and must answer 404
(405 where the method is wrong) without naming anything of the other organization. Every page
and endpoint without parameters is read too, and must not mention the other organization.
The URL patterns come from walking the URLconf, so pages added later join the matrix.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mentorhaven.accounts.models import ApiToken, User
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.programs.models import Invitation, Membership, Organization, OrgMembership

from .urlwalk import Param, endpoints, fill

pytestmark = pytest.mark.django_db

DEMO_ROLES = ["org_admin", "auditor", "coordinator", "ana", "ben", "cara", "dev"]
VIEWERS = [*DEMO_ROLES, "outsider"]

# Patterns whose parameter is a secret from an e-mail, not an object identifier: an unknown
# value gets allauth's "this link is invalid" page rather than a 404. Still checked for names.
SECRET_PARAMETER_PAGES = {"account_confirm_email", "account_reset_password_from_key"}
# Signing out is not a view of anyone's data; POSTing to it just ends the viewer's session.
SKIP_PARAMETERLESS = {"account_logout", "account_session_end"}


def _invite(org: Organization, program) -> Invitation:
    return Invitation.objects.create(
        organization=org,
        program=program,
        email=f"invitee@{org.slug}.test",
        program_role=Membership.Role.MENTEE,
        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        expires_at=timezone.now() + timedelta(days=7),
    )


@pytest.fixture
def world(personas):
    """Each organization with an invitation pending and a person holding an API token."""
    _invite(personas.org, personas.program)
    _invite(personas.other_org, personas.other_program)
    for user in (personas.cara, personas.coordinator, personas.outsider):
        api_token_create(actor=None, user=user, name=f"token of {user.display_name}")
    return personas


def _footprint(org: Organization) -> tuple[list[str], list[str]]:
    """Identifiers and names belonging to ``org``: what its outsiders must never see.

    Identifiers: the organization, and up to two of each kind of object in it (the rules
    differ by kind and role, not by which row it is); names: every name and address in it.
    """
    people = User.objects.filter(org_memberships__organization=org).distinct().order_by("pk")
    kinds = [
        [org],
        org.programs.order_by("pk"),
        Membership.objects.filter(program__organization=org).order_by("role", "pk"),
        people,
        Invitation.objects.filter(organization=org).order_by("pk"),
        ApiToken.objects.filter(user__in=people).order_by("pk"),
    ]
    ids = [str(obj.public_id) for rows in kinds for obj in list(rows)[:2]]
    names = [org.name, *[p.name for p in org.programs.all()]]
    names += [p.display_name for p in people] + [p.email for p in people]
    names += [i.email for i in Invitation.objects.filter(organization=org)]
    return ids, names


def _foreign_org(personas, who: str) -> Organization:
    return personas.org if who == "outsider" else personas.other_org


def _client_for(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _mentions(html: str, names: list[str], ids: list[str]) -> list[str]:
    return [n for n in [*names, *ids] if n and n in html]


@pytest.mark.parametrize("who", VIEWERS)
def test_identifiers_of_the_other_organization_get_404_everywhere(world, who):
    viewer = getattr(world, who)
    ids, names = _footprint(_foreign_org(world, who))
    slugs = [o.slug for o in Organization.objects.filter(public_id__in=ids)]
    slugs += list(_foreign_org(world, who).programs.values_list("slug", flat=True))

    def candidates(param: Param) -> list[str]:
        return ids + (slugs if param.kind in ("slug", "str", "regex") else [])

    client = _client_for(viewer)
    problems: list[str] = []
    tried = 0
    for endpoint in endpoints():
        if not endpoint.params:
            continue
        for path in fill(endpoint, candidates):
            for method in ("get", "post"):
                response = getattr(client, method)(path, follow=True)
                tried += 1
                body = response.content.decode(errors="replace")
                seen = _mentions(body, names, [])
                allowed = {404, 405}
                if endpoint.name in SECRET_PARAMETER_PAGES:
                    allowed = set(range(200, 500))
                if response.status_code not in allowed or seen:
                    problems.append(
                        f"{method.upper()} {path} [{endpoint.name}] -> "
                        f"{response.status_code} {seen}"
                    )
    assert tried >= 10
    assert client.get("/api/v1/me").status_code == 200, "the walk signed the viewer out"
    assert not problems, f"{who} reached the other organization:\n" + "\n".join(problems)


@pytest.mark.parametrize("who", VIEWERS)
def test_no_page_or_endpoint_mentions_the_other_organization(world, who):
    viewer = getattr(world, who)
    ids, names = _footprint(_foreign_org(world, who))
    client = _client_for(viewer)
    problems: list[str] = []
    read = 0
    for endpoint in endpoints():
        if endpoint.params or endpoint.name in SKIP_PARAMETERLESS:
            continue
        path = endpoint.build({})
        response = client.get(path, follow=True)
        read += 1
        seen = _mentions(response.content.decode(errors="replace"), names, ids)
        if seen or response.status_code >= 500:
            problems.append(f"GET {path} [{endpoint.name}] -> {response.status_code} {seen}")
    assert read >= 20
    assert client.get("/api/v1/me").status_code == 200, "the walk signed the viewer out"
    assert not problems, f"{who} saw the other organization:\n" + "\n".join(problems)


@pytest.mark.parametrize("who", DEMO_ROLES)
def test_demo_roles_get_404_for_other_org_program_over_the_api_with_a_token(client, world, who):
    _token, secret = api_token_create(actor=None, user=getattr(world, who), name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    base = f"/api/v1/programs/{world.other_program.public_id}"
    for path in (base, f"{base}/memberships"):
        response = client.get(path, **headers)
        assert response.status_code == 404, path
        assert "Other" not in response.content.decode() and "Olu" not in response.content.decode()
    listed = client.get("/api/v1/programs", **headers).json()["items"]
    assert str(world.other_program.public_id) not in {p["public_id"] for p in listed}


def test_outsider_gets_404_for_demo_program_and_members_over_the_api(client, world):
    _token, secret = api_token_create(actor=None, user=world.outsider, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    base = f"/api/v1/programs/{world.program.public_id}"
    for path in (base, f"{base}/memberships"):
        response = client.get(path, **headers)
        assert response.status_code == 404
        assert "Demo" not in response.content.decode()
    assert [p["slug"] for p in client.get("/api/v1/programs", **headers).json()["items"]] == [
        "other-2026"
    ]


def test_org_admin_of_both_organizations_sees_both(client, world):
    """The isolation is by membership, not by accident: a person in both orgs sees both."""
    OrgMembership.objects.create(
        organization=world.other_org, user=world.org_admin, role=OrgMembership.Role.ORG_ADMIN
    )
    _token, secret = api_token_create(actor=None, user=world.org_admin, name="t")
    items = client.get("/api/v1/programs", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"]
    assert sorted(p["slug"] for p in items) == ["demo-2026", "other-2026"]
