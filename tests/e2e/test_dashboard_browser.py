"""In Chromium: a coordinator publishes an event, a mentee registers for it, and the coordinator
opens the program health dashboard, where every figure about a small group is hidden."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentorhaven.community.models import Registration
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_sees_small_groups_suppressed_after_an_event(personas, open_tab, browser_log):
    p = personas
    admin = open_tab()
    sign_in(admin, p.coordinator.email, PASSWORD, p.totp_secrets[p.coordinator.email])
    admin.goto(f"/events/p/{p.program.public_id}/new/")
    admin.get_by_label("Title").fill("Spring meetup")
    admin.get_by_label("Where").select_option("in_person")
    admin.get_by_label("Starts").fill("2027-03-15T18:00")
    admin.get_by_label("Ends").fill("2027-03-15T20:00")
    admin.get_by_label("Place (in person)").fill("Town library")
    admin.get_by_role("button", name="Publish").click()
    admin.wait_for_load_state("load")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Spring meetup")
    event_url = admin.url

    mentee = open_tab()
    sign_in(mentee, p.cara.email, PASSWORD)
    mentee.goto(event_url)
    mentee.get_by_role("button", name="Register").click()
    mentee.wait_for_load_state("load")
    expect(mentee.get_by_role("status")).to_contain_text("You are registered.")
    assert Registration.objects.filter(user=p.cara, event__program=p.program).exists()

    admin.goto(f"/relationships/program/{p.program.public_id}/")
    admin.get_by_role("link", name="Program health dashboard").click()
    admin.wait_for_load_state("load")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Program health")
    # Two mentees and two mentors: fewer than 5 in every table, nothing but that fact.
    expect(admin.get_by_text("Fewer than 5 in all: not shown.").first).to_be_visible()
    glance = admin.locator("dl.figures")
    expect(glance).to_contain_text("hidden")
    chart = admin.get_by_role("img", name="Relationships started, per month")
    expect(chart).to_be_visible()
    assert csp_violations(admin) == []
    assert browser_log.csp_messages() == []
