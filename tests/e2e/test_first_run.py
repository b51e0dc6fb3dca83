"""From an empty install, in Chromium: the set-up token opens the first-run page, the
organization is created, its first admin accepts the e-mailed invitation, signs up, enrols an
authenticator and creates the organization's first program."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from mentorhaven.programs.models import Organization, OrgMembership, Program
from mentorhaven.programs.services import setup_token_issue
from tests.e2e.conftest import csp_violations, enrol_authenticator, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and private passphrase 9"
LINK_RE = re.compile(r"https?://[^/\s]+(/accounts/invitation/[A-Za-z0-9_\-]+/)")


def test_an_empty_install_becomes_an_organization_with_a_program(page):
    assert not Organization.objects.exists()
    token = setup_token_issue()  # what `mentorhaven run` / `mentorhaven setup-token` print

    page.goto("/")
    page.get_by_role("link", name="Set up MentorHaven").click()
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.fill("input[name=token]", "a wrong token")
    page.fill("input[name=name]", "Acme Mentoring")
    page.fill("input[name=slug]", "acme")
    page.fill("input[name=admin_email]", "boss@acme.test")
    submit(page)
    expect(page.locator("main")).to_contain_text("wrong, used or expired")
    assert not Organization.objects.exists()

    page.fill("input[name=token]", token)
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("MentorHaven is set up")
    organization = Organization.objects.get(slug="acme")
    page.goto("/setup/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Set up MentorHaven")

    # The first admin opens the link from the e-mail and creates their account.
    [message] = [m for m in mail.outbox if m.to == ["boss@acme.test"]]
    page.goto(LINK_RE.search(message.body).group(1))
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    if page.locator("input[name=display_name]").count():
        page.fill("input[name=display_name]", "Bo Boss")
    submit(page)
    page.wait_for_load_state("load")
    assert OrgMembership.objects.filter(
        organization=organization, user__email="boss@acme.test", role="org_admin"
    ).exists()

    # An admin's role needs a second factor: enrol an authenticator as a person would.
    enrol_authenticator(page, PASSWORD)

    # The first program, from the navigation.
    page.goto("/dashboard/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Program set-up").click()
    expect(page).to_have_url(re.compile(rf"/programs/o/{organization.public_id}/programs/$"))
    page.fill("input[name=name]", "Spring 2027")
    page.fill("input[name=slug]", "spring-2027")
    submit(page)
    program = Program.objects.get(slug="spring-2027")
    expect(page).to_have_url(re.compile(rf"/programs/{program.public_id}/edit/$"))
    page.fill("textarea[name=description]", "Our first program.")
    page.fill("input[name=min_group_size]", "6")
    submit(page)
    expect(page.locator("main")).to_contain_text("Program saved.")
    program.refresh_from_db()
    assert program.organization == organization
    assert program.description == "Our first program."
    assert program.settings["min_group_size"] == 6
    assert csp_violations(page) == []
