"""Admin invitation pages: single invite, CSV import (all or nothing), pending list, revoke."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from mentorhaven.kernel.models import AuditEvent
from mentorhaven.programs.models import Invitation, Membership, OrgMembership, Program
from mentorhaven.programs.services import invitation_create

pytestmark = pytest.mark.django_db


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def bulk_url(personas, org=None) -> str:
    return f"/programs/o/{(org or personas.org).public_id}/invitations/bulk/"


def list_url(personas, org=None) -> str:
    return f"/programs/o/{(org or personas.org).public_id}/invitations/"


def upload(client, url, text, **extra):
    return client.post(url, {"file": csv_file(text), **extra})


def test_org_admin_imports_a_clean_file(
    client, personas, login, django_capture_on_commit_callbacks
):
    login(personas.org_admin)
    text = (
        "email,role,program,display_name\n"
        "one@example.test,mentee,demo-2026,One Person\n"
        "two@example.test,mentor,demo-2026,\n"
        "three@example.test,auditor,,Three\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bulk_url(personas), text)
    assert response.status_code == 302
    assert Invitation.objects.count() == 3
    assert len(mail.outbox) == 3
    one = Invitation.objects.get(email="one@example.test")
    assert (one.program, one.program_role, one.display_name) == (
        personas.program,
        Membership.Role.MENTEE,
        "One Person",
    )
    assert Invitation.objects.get(email="three@example.test").org_role == "auditor"
    assert AuditEvent.objects.filter(action="invitation.create").count() == 3


def test_every_bad_row_is_reported_and_nothing_is_created(
    client, personas, login, django_capture_on_commit_callbacks
):
    Program.objects.create(organization=personas.org, name="Second", slug="second")
    login(personas.coordinator)
    text = (
        "email,role,program\n"
        "good@example.test,mentee,demo-2026\n"  # line 2: fine on its own
        "not-an-address,mentee,demo-2026\n"  # line 3
        "x@example.test,wizard,demo-2026\n"  # line 4
        "good@example.test,mentor,demo-2026\n"  # line 5: duplicate of line 2
        "y@example.test,mentee,no-such-program\n"  # line 6
        "z@example.test,org_admin,\n"  # line 7: beyond a program admin
        "w@example.test,mentee,second\n"  # line 8: a program they do not run
        "v@example.test,mentee,other-2026\n"  # line 9: another organization's program
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, bulk_url(personas), text)
    assert response.status_code == 422
    errors = {e.line: e.message for e in response.context["row_errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "valid e-mail" in errors[3]
    assert "Unknown role" in errors[4]
    assert "Duplicate of line 2" in errors[5]
    assert "Unknown program" in errors[6]
    assert "organization admin" in errors[7]
    assert "organization admin" in errors[8]
    assert "Unknown program" in errors[9]
    for line in errors:
        assert f"<td>{line}</td>".encode() in response.content
    assert Invitation.objects.count() == 0
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="invitation.create").exists()


def test_program_admin_rows_default_to_their_program(client, personas, login):
    login(personas.coordinator)
    response = upload(
        client,
        bulk_url(personas),
        "a@example.test,mentee\nb@example.test,mentor\n",
        default_program="demo-2026",
    )
    assert response.status_code == 302
    assert set(Invitation.objects.values_list("program__slug", flat=True)) == {"demo-2026"}


def test_a_file_that_is_not_utf8_is_refused_without_a_crash(client, personas, login):
    login(personas.org_admin)
    response = client.post(
        bulk_url(personas),
        {"file": SimpleUploadedFile("p.csv", b"\xff\xfe\x00bad", content_type="text/csv")},
    )
    assert response.status_code == 422
    assert b"UTF-8" in response.content
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("who", ["ana", "cara", "auditor", "outsider"])
def test_people_without_an_admin_role_cannot_reach_the_pages(client, personas, login, who):
    login(getattr(personas, who))
    assert client.get(bulk_url(personas)).status_code == 404
    assert client.get(list_url(personas)).status_code == 404
    assert (
        upload(client, bulk_url(personas), "a@example.test,mentee,demo-2026\n").status_code == 404
    )
    assert Invitation.objects.count() == 0


def test_org_admin_cannot_open_another_organizations_pages(client, personas, login):
    login(personas.org_admin)
    assert client.get(list_url(personas, personas.other_org)).status_code == 404
    assert client.get(bulk_url(personas, personas.other_org)).status_code == 404


def test_single_invite_form_sends_an_invitation(
    client, personas, login, django_capture_on_commit_callbacks
):
    login(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            list_url(personas),
            {"email": "solo@example.test", "role": "mentor", "program": "demo-2026"},
        )
    assert response.status_code == 302
    assert Invitation.objects.get().program_role == Membership.Role.MENTOR
    assert mail.outbox[0].to == ["solo@example.test"]


def test_pending_list_shows_what_the_viewer_manages(client, personas, login):
    invitation_create(
        actor=personas.org_admin,
        organization=personas.org,
        email="mentee@example.test",
        program=personas.program,
        program_role=Membership.Role.MENTEE,
    )
    invitation_create(
        actor=personas.org_admin,
        organization=personas.org,
        email="sec@example.test",
        org_role=OrgMembership.Role.SECURITY_OFFICER,
    )
    login(personas.coordinator)
    page = client.get(list_url(personas)).content
    assert b"mentee@example.test" in page
    assert b"sec@example.test" not in page
    client.logout()
    login(personas.org_admin)
    page = client.get(list_url(personas)).content
    assert b"mentee@example.test" in page and b"sec@example.test" in page


def test_pending_list_query_count_does_not_grow(
    client, personas, login, django_assert_max_num_queries
):
    login(personas.org_admin)
    for i in range(3):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email=f"p{i}@example.test",
            program=personas.program,
            program_role=Membership.Role.MENTEE,
        )
    with django_assert_max_num_queries(30) as few:
        client.get(list_url(personas))
    for i in range(3, 30):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email=f"p{i}@example.test",
            program=personas.program,
            program_role=Membership.Role.MENTEE,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(list_url(personas))


def test_revoke_from_the_list(client, personas, login):
    invitation = invitation_create(
        actor=personas.org_admin,
        organization=personas.org,
        email="m@example.test",
        program=personas.program,
        program_role=Membership.Role.MENTEE,
    )
    login(personas.coordinator)
    response = client.post(f"/programs/invitations/{invitation.public_id}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_program_admin_cannot_revoke_an_organization_role_invitation(client, personas, login):
    invitation = invitation_create(
        actor=personas.org_admin,
        organization=personas.org,
        email="a@example.test",
        org_role=OrgMembership.Role.AUDITOR,
    )
    login(personas.coordinator)
    assert client.post(f"/programs/invitations/{invitation.public_id}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_outsider_cannot_revoke(client, personas, login):
    invitation = invitation_create(
        actor=personas.org_admin,
        organization=personas.org,
        email="m@example.test",
        program=personas.program,
        program_role=Membership.Role.MENTEE,
    )
    login(personas.outsider)
    assert client.post(f"/programs/invitations/{invitation.public_id}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
