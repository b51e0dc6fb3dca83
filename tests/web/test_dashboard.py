"""Dashboards per role: counts only, the right sections for the right roles, fixed query count."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.kernel import audit
from mentorhaven.mentoring.models import Relationship
from mentorhaven.programs.models import Invitation, Membership, OrgMembership, Program

pytestmark = pytest.mark.django_db

SECTIONS = {
    "mentee": 'id="mentee"',
    "mentor": 'id="mentor"',
    "program_admin": 'id="program-admin"',
    "org_admin": 'id="org-admin"',
    "auditor": 'id="auditor"',
    "security": 'id="security"',
}


def _invite(program: Program, *, expired=False, revoked=False, accepted=False) -> Invitation:
    now = timezone.now()
    return Invitation.objects.create(
        organization=program.organization,
        program=program,
        email=f"{secrets.token_hex(4)}@invitee.test",
        program_role=Membership.Role.MENTEE,
        token_hash=secrets.token_hex(32),
        expires_at=now - timedelta(days=1) if expired else now + timedelta(days=7),
        revoked_at=now if revoked else None,
        accepted_at=now if accepted else None,
    )


def _staff(org, email: str, role: str) -> User:
    user = User.objects.create_user(email=email, password="x" * 20, display_name=email)
    OrgMembership.objects.create(organization=org, user=user, role=role)
    mfa_enroll_totp(user=user)
    return user


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def _sections(html: str) -> set[str]:
    return {name for name, marker in SECTIONS.items() if marker in html}


def test_mentee_sees_their_program_and_a_place_for_their_mentor(client, personas):
    html = _page(client, personas.cara)
    assert _sections(html) == {"mentee"}
    assert personas.program.name in html
    assert "Your mentor" in html
    assert personas.other_program.name not in html


def test_mentor_sees_mentees_section_and_capacity(client, personas):
    personas.program.settings = {"mentor_capacity": 3}
    personas.program.save()
    html = _page(client, personas.ana)
    assert _sections(html) == {"mentor"}
    assert "3 mentees" in html


def _relate(personas, mentor, mentee, status=Relationship.Status.ACTIVE) -> Relationship:
    return Relationship.objects.create(
        program=personas.program, mentor=mentor, mentee=mentee, status=status
    )


def test_mentee_sees_their_active_mentor_and_nobody_elses(client, personas):
    _relate(personas, personas.ana, personas.cara)
    _relate(personas, personas.ben, personas.dev, Relationship.Status.PROPOSED)
    assert personas.ana.display_name in _page(client, personas.cara)
    html = _page(client, personas.dev)
    assert personas.ana.display_name not in html
    assert personas.ben.display_name not in html  # a proposal is not yet a relationship
    assert "1 proposed match waiting for an answer" in html


def test_mentor_sees_how_many_mentees_they_have_not_who(client, personas):
    _relate(personas, personas.ana, personas.cara)
    _relate(personas, personas.ana, personas.dev, Relationship.Status.PROPOSED)
    html = _page(client, personas.ana)
    assert "<dt>Active mentees</dt><dd>1</dd>" in html
    assert "<dt>Proposed matches</dt><dd>1</dd>" in html
    assert personas.cara.display_name not in html


def test_mentor_counts_only_their_own_open_relationships(client, personas):
    for status in (Relationship.Status.ACTIVE, Relationship.Status.ACTIVE):
        mentee = User.objects.create_user(
            email=f"{secrets.token_hex(4)}@demo.test", password="x" * 20
        )
        Membership.objects.create(
            program=personas.program, user=mentee, role=Membership.Role.MENTEE
        )
        _relate(personas, personas.ana, mentee, status)
    _relate(personas, personas.ana, personas.cara, Relationship.Status.COMPLETED)
    _relate(personas, personas.ben, personas.dev)  # another mentor's mentee
    html = _page(client, personas.ana)
    assert "<dt>Active mentees</dt><dd>2</dd>" in html
    assert "<dt>Proposed matches</dt><dd>0</dd>" in html


def test_mentee_in_one_program_and_mentor_in_another_sees_both_apart(client, personas):
    Membership.objects.create(
        program=personas.other_program, user=personas.cara, role=Membership.Role.MENTOR
    )
    mfa_enroll_totp(user=personas.cara)  # mentors must have a second factor
    Relationship.objects.create(
        program=personas.other_program,
        mentor=personas.cara,
        mentee=personas.outsider,
        status=Relationship.Status.ACTIVE,
    )
    _relate(personas, personas.ana, personas.cara)
    html = _page(client, personas.cara)
    assert _sections(html) == {"mentee", "mentor"}
    mentee_part, _, mentor_part = html.partition('id="mentor"')
    assert personas.ana.display_name in mentee_part
    assert personas.program.name in mentee_part
    assert personas.other_program.name in mentor_part
    assert personas.other_org.name in mentor_part
    assert "<dt>Active mentees</dt><dd>1</dd>" in mentor_part
    assert personas.outsider.display_name not in html


def test_mentor_capacity_says_when_the_program_has_not_set_it(client, personas):
    html = _page(client, personas.ana)
    assert "Not set by the program yet" in html


def test_program_admin_sees_member_counts_by_role_and_only_pending_invitations(client, personas):
    _invite(personas.program)
    _invite(personas.program)
    _invite(personas.program, expired=True)
    _invite(personas.program, revoked=True)
    _invite(personas.program, accepted=True)
    _invite(personas.other_program)
    html = _page(client, personas.coordinator)
    assert _sections(html) == {"program_admin"}
    assert "<dt>Mentees</dt><dd>2</dd>" in html
    assert "<dt>Mentors</dt><dd>2</dd>" in html
    assert "<dt>Program admins</dt><dd>1</dd>" in html
    assert "<dt>Pending invitations</dt><dd>2</dd>" in html


def test_org_admin_sees_programs_with_counts_and_people(client, personas):
    _invite(personas.program)
    html = _page(client, personas.org_admin)
    assert _sections(html) == {"org_admin"}
    people = OrgMembership.objects.filter(organization=personas.org).values("user").distinct()
    assert f"<dt>People</dt><dd>{people.count()}</dd>" in html
    assert (
        f'<tr><th scope="row">{personas.program.name}</th><td>2</td><td>2</td><td>1</td><td>1</td>'
        in html
    )
    assert personas.other_program.name not in html


def test_staff_dashboards_show_counts_never_people(client, personas):
    for viewer in (personas.org_admin, personas.coordinator, personas.auditor):
        html = _page(client, viewer)
        for other in (personas.cara, personas.dev, personas.ben):
            assert other.display_name not in html
            assert other.email not in html


def test_auditor_sees_audit_event_counts_of_their_organization_only(client, personas):
    for _ in range(3):
        audit.record(action="test.event", organization=personas.org, category="program")
    audit.record(action="test.event", organization=personas.other_org, category="program")
    html = _page(client, personas.auditor)
    assert _sections(html) == {"auditor"}
    assert "<dt>Audit events</dt><dd>3</dd>" in html
    assert '<th scope="row">Program</th><td>3</td>' in html
    assert "mentorhaven audit verify" in html
    assert "No signed checkpoint yet" in html


def test_auditor_sees_when_the_log_was_last_signed(client, personas):
    from mentorhaven.kernel.models import AuditCheckpoint

    audit.record(action="test.event", organization=personas.org, category="program")
    signed = audit.checkpoint()  # seals the event, then signs the head
    assert AuditCheckpoint.objects.get() == signed
    html = _page(client, personas.auditor)
    assert f"last signed at event #{signed.seq}" in html


def test_security_officer_sees_second_factor_coverage_by_staff_role(client, personas):
    officer = _staff(personas.org, "sec@demo.test", OrgMembership.Role.SECURITY_OFFICER)
    newcomer = User.objects.create_user(email="new.mentor@demo.test", password="x" * 20)
    Membership.objects.create(program=personas.program, user=newcomer, role=Membership.Role.MENTOR)
    assert not Authenticator.objects.filter(user=newcomer).exists()
    html = _page(client, officer)
    assert _sections(html) == {"security"}
    assert '<th scope="row">Mentor</th><td>3</td><td>2</td><td>67%</td>' in html
    assert '<th scope="row">Security officer</th><td>1</td><td>1</td><td>100%</td>' in html
    assert "new.mentor@demo.test" not in html


def _everything_user(personas) -> User:
    """One person holding every role, so that every dashboard section is computed."""
    user = _staff(personas.org, "all@demo.test", OrgMembership.Role.ORG_ADMIN)
    for role in (OrgMembership.Role.AUDITOR, OrgMembership.Role.SECURITY_OFFICER):
        OrgMembership.objects.create(organization=personas.org, user=user, role=role)
    for role in Membership.Role.values:
        Membership.objects.create(program=personas.program, user=user, role=role)
    return user


def _grow(personas, n: int) -> None:
    for i in range(n):
        program = Program.objects.create(
            organization=personas.org, name=f"Extra {i}", slug=f"extra-{i}-{secrets.token_hex(3)}"
        )
        for j in range(3):
            person = User.objects.create_user(email=f"p{i}-{j}@demo.test", password="x" * 20)
            OrgMembership.objects.create(organization=personas.org, user=person)
            Membership.objects.create(program=program, user=person, role=Membership.Role.MENTEE)
        mentor = User.objects.create_user(email=f"m{i}@demo.test", password="x" * 20)
        Membership.objects.create(program=program, user=mentor, role=Membership.Role.MENTOR)
        Membership.objects.create(
            program=program,
            user=User.objects.get(email="all@demo.test"),
            role=Membership.Role.PROGRAM_ADMIN,
        )
        _invite(program)
        audit.record(action="test.event", organization=personas.org, category="personal")
        everyone = User.objects.get(email="all@demo.test")
        Relationship.objects.create(
            program=personas.program,
            mentor=everyone,
            mentee=User.objects.get(email=f"p{i}-0@demo.test"),
            status=Relationship.Status.ACTIVE,
        )
        Relationship.objects.create(
            program=personas.program,
            mentor=mentor,
            mentee=everyone,
            status=Relationship.Status.ACTIVE,
        )


def test_dashboard_query_count_does_not_grow_with_data(
    client, personas, django_assert_max_num_queries
):
    user = _everything_user(personas)
    client.force_login(user)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get("/dashboard/").status_code == 200
    _grow(personas, 6)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    assert _sections(response.content.decode()) == set(SECTIONS)
    assert "Extra 5" in response.content.decode()


def test_person_without_any_program_is_told_how_to_join(client, personas):
    loner = User.objects.create_user(email="loner@demo.test", password="x" * 20)
    html = _page(client, loner)
    assert _sections(html) == set()
    assert "You are not in a program yet" in html
