"""Org admins create, change and archive programs, on pages and in the API; everyone else
meets the access rules (members of the program: 403; strangers: 404, as for a missing one)."""

from __future__ import annotations

import json

import pytest

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.accounts.tokens import api_token_create
from mentorhaven.kernel.errors import Conflict
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import OrgMembership, Program
from mentorhaven.programs.services import invitation_create, program_archive
from mentorhaven.retention.models import RetentionPolicy
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_admin(personas) -> User:
    """The admin of the other organization."""
    user = User.objects.create_user(
        email="oscar@other.test", password=PASSWORD, display_name="Oscar Other"
    )
    OrgMembership.objects.create(
        organization=personas.other_org, user=user, role=OrgMembership.Role.ORG_ADMIN
    )
    mfa_enroll_totp(user=user)  # an admin's role requires a second factor
    return user


@pytest.fixture
def bearer(db):
    """``bearer(user, scope)`` -> headers carrying a fresh token of ``user``."""

    def _headers(user, scope="read"):
        _token, secret = api_token_create(actor=user, user=user, name="test", scope=scope)
        return {"Authorization": f"Bearer {secret}"}

    return _headers


def patch(client, slug: str, body: dict, headers: dict):
    return client.patch(
        f"/api/v1/programs/{slug}",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def post(client, path: str, body: dict, headers: dict):
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )


# --- the API -------------------------------------------------------------------------------------


def test_org_admin_creates_a_program_through_the_api(client, personas, bearer):
    response = post(
        client,
        "/api/v1/programs",
        {"name": "Spring 2027", "slug": "spring-2027"},
        bearer(personas.org_admin, "write"),
    )
    assert response.status_code == 201, response.content
    program = Program.objects.get(slug="spring-2027")
    assert program.organization == personas.org
    assert response.json()["public_id"] == str(program.public_id)
    assert AuditEvent.objects.filter(action="program.create").exists()


@pytest.mark.parametrize("who", ["coordinator", "ana", "cara", "outsider", "auditor"])
def test_nobody_but_an_org_admin_creates_a_program(client, personas, bearer, who):
    response = post(
        client,
        "/api/v1/programs",
        {"name": "X", "slug": "x-2027"},
        bearer(getattr(personas, who), "write"),
    )
    assert response.status_code == 404
    assert not Program.objects.filter(slug="x-2027").exists()


def test_a_taken_slug_is_a_conflict(client, personas, bearer):
    headers = bearer(personas.org_admin, "write")
    response = post(client, "/api/v1/programs", {"name": "Again", "slug": "demo-2026"}, headers)
    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"


def test_bad_input_is_a_clear_error(client, personas, bearer):
    headers = bearer(personas.org_admin, "write")
    assert (
        post(client, "/api/v1/programs", {"name": "X", "slug": "no spaces"}, headers).status_code
        == 422
    )
    assert post(client, "/api/v1/programs", {"slug": "x"}, headers).status_code == 422
    response = patch(client, "demo-2026", {"starts_on": "not a date"}, headers)
    assert response.status_code == 422
    assert patch(client, "demo-2026", {"idle_days": "many"}, headers).status_code == 422


def test_org_admin_changes_details_and_settings(client, personas, bearer):
    body = {
        "description": "A year of mentoring.",
        "starts_on": "2027-01-10",
        "ends_on": "2027-12-10",
        "confidentiality_agreement": "We keep it between us.",
        "matching_mode": "admin",
        "mentor_capacity": 3,
        "min_group_size": 8,
        "idle_days": 30,
        "retention": {"messages": 400},
    }
    response = patch(client, "demo-2026", body, bearer(personas.org_admin, "write"))
    assert response.status_code == 200, response.content
    program = Program.objects.get(pk=personas.program.pk)
    assert program.description == "A year of mentoring."
    assert str(program.starts_on) == "2027-01-10"
    assert program.settings["confidentiality_agreement"] == "We keep it between us."
    assert program.settings["matching_mode"] == "admin"
    assert program.settings["mentor_capacity"] == 3
    assert program.settings["min_group_size"] == 8
    assert program.settings["idle_days"] == 30
    assert RetentionPolicy.objects.get(program=program, category="messages").days == 400
    assert response.json()["idle_days"] == 30
    assert AuditEvent.objects.filter(action="program.update").exists()
    # null puts a setting back to its default
    response = patch(client, "demo-2026", {"idle_days": None}, bearer(personas.org_admin, "write"))
    assert "idle_days" not in Program.objects.get(pk=program.pk).settings


def test_figures_never_get_a_smaller_group_than_five(client, personas, bearer):
    """The k of k-anonymous figures: a program may ask for more, never less."""
    response = patch(
        client, "demo-2026", {"min_group_size": 2}, bearer(personas.org_admin, "write")
    )
    assert response.status_code == 422
    assert "min_group_size" not in Program.objects.get(pk=personas.program.pk).settings


def test_dates_must_be_in_order(client, personas, bearer):
    body = {"starts_on": "2027-05-01", "ends_on": "2027-01-01"}
    response = patch(client, "demo-2026", body, bearer(personas.org_admin, "write"))
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("who", "status"),
    [("coordinator", 403), ("ana", 403), ("cara", 403), ("auditor", 403), ("outsider", 404)],
)
def test_only_the_org_admin_changes_a_program(client, personas, bearer, who, status):
    response = patch(
        client, "demo-2026", {"description": "mine"}, bearer(getattr(personas, who), "write")
    )
    assert response.status_code == status
    assert Program.objects.get(pk=personas.program.pk).description == ""


def test_another_organizations_admin_gets_the_same_404_as_for_no_program(
    client, personas, bearer, other_admin
):
    headers = bearer(other_admin, "write")
    seen = patch(client, "demo-2026", {"description": "x"}, headers)
    missing = patch(client, "no-such-program", {"description": "x"}, headers)
    assert seen.status_code == missing.status_code == 404
    assert seen.json() == missing.json()
    assert post(client, "/api/v1/programs/demo-2026/archive", {}, headers).status_code == 404


def test_an_archived_program_is_read_only(client, personas, bearer):
    headers = bearer(personas.org_admin, "write")
    response = post(client, "/api/v1/programs/demo-2026/archive", {}, headers)
    assert response.status_code == 200
    assert response.json()["archived_at"]
    assert AuditEvent.objects.filter(action="program.archive").count() == 1
    response = patch(client, "demo-2026", {"description": "late"}, headers)
    assert response.status_code == 409
    assert Program.objects.get(pk=personas.program.pk).description == ""
    # still readable by its members
    assert (
        client.get(
            f"/api/v1/programs/{personas.program.public_id}", headers=bearer(personas.cara)
        ).status_code
        == 200
    )


def test_a_read_token_cannot_change_a_program(client, personas, bearer):
    response = patch(client, "demo-2026", {"description": "x"}, bearer(personas.org_admin, "read"))
    assert response.status_code in (401, 403)


# --- the pages -----------------------------------------------------------------------------------


def test_org_admin_creates_edits_and_archives_on_the_pages(client, personas, login):
    login(personas.org_admin)
    page = f"/programs/o/{personas.org.public_id}/programs/"
    assert client.get("/programs/setup/")["Location"] == page
    assert client.get(page).status_code == 200
    response = client.post(page, {"name": "Autumn", "slug": "autumn", "kind": "group"})
    program = Program.objects.get(slug="autumn")
    assert response["Location"] == f"/programs/{program.public_id}/edit/"
    edit = f"/programs/{program.public_id}/edit/"
    assert client.get(edit).status_code == 200
    form = {
        "name": "Autumn 2027",
        "description": "Group mentoring",
        "kind": "group",
        "starts_on": "2027-09-01",
        "ends_on": "2027-12-01",
        "confidentiality_agreement": "",
        "matching_mode": "both",
        "mentor_capacity": "",
        "min_group_size": "6",
        "idle_days": "",
    }
    assert client.post(edit, form).status_code == 302
    program.refresh_from_db()
    assert program.name == "Autumn 2027" and program.settings == {
        "matching_mode": "both",
        "min_group_size": 6,
    }
    assert client.post(edit, {**form, "min_group_size": "3"}).status_code == 422
    assert client.post(f"/programs/{program.public_id}/archive/").status_code == 302
    program.refresh_from_db()
    assert program.archived_at is not None
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**form, "name": "Changed"}).status_code in (302, 422)
    program.refresh_from_db()
    assert program.name == "Autumn 2027"


@pytest.mark.parametrize(
    ("who", "status"), [("coordinator", 403), ("ana", 403), ("cara", 403), ("outsider", 404)]
)
def test_the_edit_page_follows_the_access_rules(client, personas, login, who, status):
    login(getattr(personas, who))
    assert client.get(f"/programs/{personas.program.public_id}/edit/").status_code == status
    response = client.post(f"/programs/{personas.program.public_id}/archive/")
    assert response.status_code == status
    assert Program.objects.get(pk=personas.program.pk).archived_at is None


@pytest.mark.parametrize("who", ["coordinator", "ana", "cara", "outsider", "auditor"])
def test_only_org_admins_reach_the_programs_page(client, personas, login, who):
    login(getattr(personas, who))
    assert client.get(f"/programs/o/{personas.org.public_id}/programs/").status_code == 404
    assert client.get("/programs/setup/").status_code == 404


def test_nobody_is_invited_to_an_archived_program(personas):
    program_archive(actor=personas.org_admin, program=personas.program)
    with pytest.raises(Conflict, match="archived"):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email="late@example.test",
            program=Program.objects.get(pk=personas.program.pk),
            program_role="mentee",
        )
