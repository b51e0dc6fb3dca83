"""One incident from alert to close, in Chromium: monitoring flags Ana's second factor being
removed; the security officer opens an incident from the alert, sees the regulator's clock,
contains Ana's account, documents a decision, runs the impact analysis, moves the incident
through every stage to closed — and Ana's session has ended."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from mentorhaven.incidents.models import Incident
from mentorhaven.incidents.monitoring import alerts_raise
from mentorhaven.kernel import audit
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in
from tests.incidents.conftest import make_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_incident_from_alert_to_close(open_tab, personas):
    officer = make_officer(personas, personas.org, "sol.officer@demo.test", "Sol Officer")
    ana = personas.ana
    mentor = open_tab()
    sign_in(mentor, ana.email, PASSWORD, personas.totp_secrets[ana.email])

    audit.record(action="mfa.remove", actor=ana, target=ana, subject=ana)
    assert alerts_raise() == {"second_factor_reset": 1}

    tab = open_tab()
    sign_in(tab, officer.email, PASSWORD, personas.totp_secrets[officer.email])
    tab.goto("/incidents/alerts/")
    row = tab.locator("tr[data-rule=second_factor_reset]")
    expect(row).to_contain_text(ana.email)
    row.get_by_role("button", name="Open incident").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Security incident")
    clock = tab.get_by_test_id("regulator-clock")
    expect(clock).to_contain_text("72 hours")
    expect(clock).to_contain_text("hours left")
    expect(tab.get_by_test_id("incident-stage")).to_have_text("Detect")

    tab.get_by_test_id("contain").click()
    expect(tab.get_by_text("The account is contained.")).to_be_visible()
    tab.get_by_label("Kind").select_option("decision")
    tab.get_by_label("Text").fill("Ana's account locked until she re-enrols in person.")
    tab.get_by_role("button", name="Add", exact=True).click()
    expect(tab.locator(".incident-log")).to_contain_text("re-enrols in person")

    tab.get_by_role("link", name="Impact analysis: whose data was touched").click()
    expect(tab.get_by_test_id("regulator-clock")).to_be_visible()
    tab.get_by_role("button", name="Analyse").click()
    expect(tab.locator("main")).to_contain_text("events;")
    tab.get_by_role("link", name="Back to the incident").click()

    # A second tab on the incident, left open while the first moves it on: its stale "Move to
    # Contain" is refused, and the refusal comes back to the incident page with its reason
    # (web/edge.py, through the browser's own Referer).
    stale = tab.context.new_page()
    stale.goto(tab.url)
    tab.get_by_test_id("advance").click()
    expect(tab.get_by_test_id("incident-stage")).to_have_text("Contain")
    incident_page = stale.url
    stale.get_by_test_id("advance").click()
    expect(stale).to_have_url(incident_page)
    expect(stale.get_by_text("An incident moves forward one stage at a time.")).to_be_visible()
    expect(stale.get_by_test_id("incident-stage")).to_have_text("Contain")
    stale.close()

    for stage in ("Assess", "Notify", "Closed"):
        tab.get_by_test_id("advance").click()
        expect(tab.get_by_test_id("incident-stage")).to_have_text(stage)
        expect(tab.get_by_test_id("regulator-clock")).to_be_visible()
    incident = Incident.objects.get()
    assert incident.stage == "closed" and incident.account == ana
    assert csp_violations(tab) == []

    mentor.goto("/relationships/")
    expect(mentor).to_have_url(re.compile(r"/accounts/login/"))
