"""Signing in through the real server in Chromium: password, authenticator code, dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mentorhaven.accounts.models import User
from mentorhaven.programs.models import Membership
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mentor_signs_in_with_password_and_totp_and_sees_the_dashboard(page, personas):
    ana = personas.ana
    sign_in(page, ana.email, PASSWORD, personas.totp_secrets[ana.email])
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {ana.display_name}")
    expect(page.get_by_role("heading", name="Your mentees")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Mentoring")
    assert csp_violations(page) == []


def test_mentor_without_second_factor_is_sent_to_enrolment(page, personas):
    newcomer = User.objects.create_user(
        email="new.mentor@demo.test", password=PASSWORD, display_name="New Mentor"
    )
    Membership.objects.create(program=personas.program, user=newcomer, role=Membership.Role.MENTOR)
    sign_in(page, newcomer.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")


def test_wrong_authenticator_code_does_not_sign_in(page, personas):
    ana = personas.ana
    page.goto("/accounts/login/")
    page.fill("input[name=login]", ana.email)
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", "000000")
    submit(page)
    expect(page.locator("input[name=code]")).to_have_attribute("aria-invalid", "true")
    page.goto("/dashboard/")
    expect(page).not_to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Hello")
