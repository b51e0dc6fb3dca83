"""The break-glass request form offers only the mentors and mentees of the programs the admin
runs — not the organization's staff, not people of other organizations — refuses anyone else
when named by hand, and stays small and quick with 2,000 participants: a search narrows it, a
choice is checked by one query, and the page costs the same number of queries at any size."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mentorhaven.accounts.models import User
from mentorhaven.accounts.services import mfa_enroll_totp
from mentorhaven.gates.models import BreakGlassGrant
from mentorhaven.gates.services import breakglass_request
from mentorhaven.kernel.errors import NotFound
from mentorhaven.programs.models import Membership, OrgMembership
from tests.conftest import PASSWORD
from tests.factories import RelationshipFactory

WHY = "A safeguarding report says the mentee may be at risk; we must read the conversation."


@pytest.fixture
def url(personas) -> str:
    return reverse("gates:breakglass_list", kwargs={"org_id": personas.org.public_id})


@pytest.fixture
def bystander(personas) -> User:
    """Belongs to the organization but to none of its programs."""
    person = User.objects.create_user(
        email="bystander@demo.test", password=PASSWORD, display_name="Bea Bystander"
    )
    OrgMembership.objects.create(organization=personas.org, user=person)
    return person


def _subject_options(html: str) -> list[str]:
    select = re.search(r'<select name="subject".*?</select>', html, re.S)
    assert select, "the form has no subject select"
    return re.findall(r'<option value="([^"]+)"', select.group(0))


def _post(client, url, subject, relationship="", **extra):
    return client.post(
        url,
        {
            "subject": str(subject),
            "relationship": str(relationship),
            "reason": "safeguarding",
            "justification": WHY,
            "hours": "2",
            **extra,
        },
    )


def test_the_form_offers_the_mentors_and_mentees_of_the_admins_programs_only(
    client, login, personas, url, bystander
):
    p = personas
    login(p.org_admin)
    offered = set(_subject_options(client.get(url).content.decode()))
    participants = {str(u.public_id) for u in (p.ana, p.ben, p.cara, p.dev)}
    assert offered == participants
    for outside in (p.coordinator, p.auditor, p.org_admin, p.outsider, bystander):
        assert str(outside.public_id) not in offered


@pytest.mark.parametrize("who", ["coordinator", "auditor", "outsider", "bystander", "nonsense"])
def test_naming_anyone_else_by_hand_is_refused_without_a_grant_or_a_500(
    client, login, personas, url, bystander, who
):
    login(personas.org_admin)
    subject = {"bystander": bystander.public_id, "nonsense": "not-a-uuid"}.get(who)
    if subject is None:
        subject = getattr(personas, who).public_id
    response = _post(client, url, subject)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_a_relationship_outside_the_admins_programs_is_refused(client, login, personas, url):
    p = personas
    theirs = RelationshipFactory(program=p.other_program, mentee=p.outsider, mentor=p.ana)
    login(p.org_admin)
    response = _post(client, url, p.ana.public_id, theirs.public_id)
    assert response.status_code == 200
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "auditor", "org_admin"])
def test_the_service_refuses_a_subject_who_is_not_a_participant(personas, who):
    with pytest.raises(NotFound):
        breakglass_request(
            actor=personas.org_admin,
            organization=personas.org,
            subject=getattr(personas, who),
            reason="safeguarding",
            justification=WHY,
            hours=2,
        )


def test_an_admin_of_another_organization_offers_and_reaches_none_of_ours(client, login, personas):
    oscar = User.objects.create_user(email="oscar@other.test", password=PASSWORD)
    OrgMembership.objects.create(
        organization=personas.other_org, user=oscar, role=OrgMembership.Role.ORG_ADMIN
    )
    personas.totp_secrets[oscar.email] = mfa_enroll_totp(user=oscar)
    login(oscar)
    theirs = reverse("gates:breakglass_list", kwargs={"org_id": personas.other_org.public_id})
    offered = _subject_options(client.get(theirs).content.decode())
    assert offered == [str(personas.outsider.public_id)]
    response = _post(client, theirs, personas.cara.public_id)
    assert response.status_code == 200 and not BreakGlassGrant.objects.exists()


@pytest.fixture
def crowd(personas) -> list[User]:
    """2,000 more mentees in the program, named so that a search can find exactly one."""
    people = User.objects.bulk_create(
        User(email=f"crowd-{i:04d}@demo.test", display_name=f"Crowd Person {i:04d}")
        for i in range(2000)
    )
    Membership.objects.bulk_create(
        Membership(program=personas.program, user=u, role=Membership.Role.MENTEE) for u in people
    )
    OrgMembership.objects.bulk_create(
        OrgMembership(organization=personas.org, user=u) for u in people
    )
    return people


def test_with_two_thousand_participants_the_page_stays_small_and_its_queries_flat(
    client, login, personas, url, crowd, django_assert_max_num_queries
):
    login(personas.org_admin)
    client.get(url)  # warm: session, second-factor and agreement checks are the same each time
    with django_assert_max_num_queries(25):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert len(_subject_options(html)) == 50
    assert len(page.content) < 100_000
    assert "50 of 2004 people shown" in html

    found = client.get(url, {"q": "Person 1999"}).content.decode()
    assert _subject_options(found) == [str(crowd[1999].public_id)]


def test_a_person_found_by_search_is_accepted_though_not_among_the_first_shown(
    client, login, personas, url, crowd
):
    login(personas.org_admin)
    far = crowd[1234]
    assert str(far.public_id) not in _subject_options(client.get(url).content.decode())
    response = _post(client, url, far.public_id, q="Person 1234")
    assert response.status_code == 302
    grant = BreakGlassGrant.objects.get()
    assert grant.subject_id == far.pk and grant.requested_by_id == personas.org_admin.pk
