"""Navigation by role: each person sees their sections, and every link they see works."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mentorhaven.programs.models import OrgMembership
from mentorhaven.web import navigation
from mentorhaven.web.navigation import Entry, navigation_for

pytestmark = pytest.mark.django_db


def _labels(user) -> list[str]:
    return [item.label for item in navigation_for(user)]


def test_mentee_navigation_has_no_staff_sections(personas):
    labels = _labels(personas.cara)
    assert {"Dashboard", "Mentoring", "Privacy", "Account"} <= set(labels)
    assert not {"Invitations", "Programs", "Organization", "Compliance", "MFA coverage"} & set(
        labels
    )


def test_each_role_sees_its_own_section(personas):
    assert "Mentoring" in _labels(personas.ana)
    assert "Mentoring" not in _labels(personas.org_admin)
    assert "Programs" in _labels(personas.coordinator)
    assert "Organization" in _labels(personas.org_admin)
    assert "Compliance" in _labels(personas.auditor)
    assert "Organization" not in _labels(personas.auditor)


def test_security_officer_sees_mfa_coverage(personas):
    OrgMembership.objects.create(
        organization=personas.org, user=personas.ben, role=OrgMembership.Role.SECURITY_OFFICER
    )
    assert "MFA coverage" in _labels(personas.ben)


def test_entries_whose_page_does_not_exist_are_left_out(personas, monkeypatch):
    monkeypatch.setattr(
        navigation, "ENTRIES", (*navigation.ENTRIES, Entry("Ghost", "no_such_page"))
    )
    assert "Ghost" not in _labels(personas.cara)


@pytest.mark.parametrize("who", ["cara", "ana", "coordinator", "org_admin", "auditor"])
def test_every_link_a_person_sees_opens_for_them(client, personas, login, who):
    user = getattr(personas, who)
    login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    for item in response.context["nav_items"]:
        page = client.get(item.url.split("#")[0], follow=True)
        assert page.status_code == 200, item
        anchor = item.url.partition("#")[2]
        if anchor:
            assert f'id="{anchor}"' in page.content.decode(), item


def test_signed_out_visitors_see_no_navigation(client, db):
    response = client.get("/")
    assert b'aria-label="Main"' not in response.content
    assert b"Sign in" in response.content


def test_links_follow_the_urlconf_in_force(personas, settings):
    assert "Privacy" in _labels(personas.cara)
    settings.ROOT_URLCONF = "tests.web.urls_minimal"
    assert [(i.label, i.url) for i in navigation_for(personas.cara)] == [
        ("Dashboard", "/only/dashboard/")
    ]
    settings.ROOT_URLCONF = "mentorhaven.urls"
    assert "Privacy" in _labels(personas.cara)


def test_the_template_escapes_labels(client, personas, monkeypatch):
    monkeypatch.setattr(
        navigation, "ENTRIES", (*navigation.ENTRIES, Entry("<b>Q&A</b>", "privacy_home"))
    )
    client.force_login(personas.cara)
    page = client.get("/dashboard/").content.decode()
    assert '<a href="/privacy/">&lt;b&gt;Q&amp;A&lt;/b&gt;</a>' in page
    assert "<b>Q&A</b>" not in page


def test_the_layout_marks_the_page_being_shown(client, personas):
    client.force_login(personas.cara)
    page = client.get("/privacy/").content.decode()
    assert '<a href="/privacy/" aria-current="page">Privacy</a>' in page
    assert page.count('aria-current="page"') == 1


def test_the_base_layout_links_home_sign_out_and_privacy(client, personas):
    client.force_login(personas.cara)
    page = client.get("/dashboard/").content.decode()
    assert f'class="brand" href="{reverse("home")}"' in page
    assert f'method="post" action="{reverse("account_logout")}"' in page
    assert f'<a href="{reverse("privacy_home")}">How we protect your data</a>' in page
    client.logout()
    assert f'<a href="{reverse("account_login")}">Sign in</a>' in client.get("/").content.decode()
