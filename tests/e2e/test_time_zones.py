"""Time zones in Chromium, with two browsers set to two zones.

A newcomer signs up from a browser in Berlin: the sign-up page's script reports the browser's
zone, and the account keeps it. Her mentor works from New York and chooses his zone on his
profile page. She proposes a meeting at 17:30 her time; he sees it at the same instant on his
own clock, with the zone named, and takes it; both pages then agree with the instant stored.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from mentorhaven.accounts.models import User
from mentorhaven.mentoring.models import Meeting
from mentorhaven.mentoring.services import relationship_accept, relationship_propose
from mentorhaven.programs.services import invitation_create
from tests.conftest import PASSWORD
from tests.e2e.conftest import CSP_LISTENER, csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
NEW_PASSWORD = "a long and private passphrase 11"
LINK = re.compile(r"/accounts/invitation/([A-Za-z0-9_\-]+)/")


@pytest.fixture
def tab_in_zone(browser, server_url, browser_log):
    """``tab_in_zone("Europe/Berlin")``: a page in a browser context of its own whose clock
    and ``Intl`` report that zone, as a person's own browser there would."""
    contexts = []

    def _open(zone: str):
        context = browser.new_context(
            base_url=server_url, viewport={"width": 1280, "height": 900}, timezone_id=zone
        )
        context.add_init_script(CSP_LISTENER)
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda msg: browser_log.console.append(f"{msg.type}: {msg.text}"))
        tab.on("pageerror", lambda exc: browser_log.page_errors.append(str(exc)))
        return tab

    yield _open
    for context in contexts:
        context.close()


def _a_winter_or_summer_evening() -> datetime:
    """17:30 in Berlin, a few days ahead, on a day without a clock change in either zone."""
    day = timezone.now().astimezone(BERLIN).date() + timedelta(days=3)
    while True:
        wall = datetime(day.year, day.month, day.day, 17, 30, tzinfo=BERLIN)
        offsets = {
            (wall + timedelta(days=d)).astimezone(z).utcoffset()
            for z in (BERLIN, NEW_YORK)
            for d in (-1, 0, 1)
        }
        if len(offsets) == 2:  # each zone keeps one offset around that day
            return wall
        day += timedelta(days=1)


def test_sign_up_takes_the_browsers_zone_and_a_meeting_shows_in_each_zone(
    tab_in_zone, browser_log, personas
):
    invitation = invitation_create(
        actor=personas.coordinator,
        organization=personas.org,
        email="greta@example.test",
        program=personas.program,
        program_role="mentee",
    )
    token = LINK.search(mail.outbox[-1].body).group(1)

    # Greta signs up from Berlin: the hidden field carries her browser's zone.
    greta = tab_in_zone("Europe/Berlin")
    greta.goto(f"/accounts/invitation/{token}/")
    expect(greta).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(greta.locator("input[name=time_zone]")).to_have_value("Europe/Berlin")
    greta.get_by_label("Your name as others will see it").fill("Greta Newcomer")
    greta.locator("input[name=password1]").fill(NEW_PASSWORD)
    greta.locator("input[name=password2]").fill(NEW_PASSWORD)
    greta.get_by_role("button", name="Create account").click()
    expect(greta).not_to_have_url(re.compile(r"/accounts/signup/"))
    newcomer = User.objects.get(email=invitation.email)
    assert newcomer.time_zone == "Europe/Berlin"
    assert csp_violations(greta) == []

    # Ana works from New York and says so on her profile page.
    ana = tab_in_zone("America/New_York")
    sign_in(ana, personas.ana.email, PASSWORD, personas.totp_secrets[personas.ana.email])
    ana.goto("/accounts/profile/")
    ana.get_by_role("combobox", name="Time zone").select_option("America/New_York")
    ana.get_by_role("button", name="Save").click()
    expect(ana.get_by_text("Your profile was saved.")).to_be_visible()

    relationship = relationship_propose(
        actor=personas.coordinator, program=personas.program, mentee=newcomer, mentor=personas.ana
    )
    relationship_accept(actor=newcomer, relationship=relationship)
    relationship_accept(actor=personas.ana, relationship=relationship)
    page = f"/relationships/{relationship.public_id}/"

    # Greta proposes 17:30 on her own clock.
    wall = _a_winter_or_summer_evening()
    greta.goto(page)
    meetings = greta.locator("#meetings")
    expect(meetings).to_contain_text("Times are in your time zone, Europe/Berlin.")
    meetings.get_by_label("First possible time").fill(wall.strftime("%Y-%m-%dT%H:%M"))
    meetings.get_by_role("button", name="Propose").click()
    expect(greta.get_by_text("Meeting proposed.")).to_be_visible()
    expect(greta.locator("#meetings")).to_contain_text("17:30 (Europe/Berlin)")
    stored = Meeting.objects.get(relationship=relationship).slot_times()[0]
    assert stored == wall  # the same instant, kept in UTC

    # Ana sees the same instant on her clock, with her zone named, and takes it.
    in_new_york = wall.astimezone(NEW_YORK).strftime("%H:%M")
    assert in_new_york != "17:30"
    ana.goto(page)
    offered = ana.locator("#meetings")
    expect(offered).to_contain_text(f"{in_new_york} (America/New_York)")
    expect(offered).not_to_contain_text("17:30")
    offered.get_by_role("radio").first.check()
    offered.get_by_role("button", name="Accept").click()
    expect(ana.locator("#meetings time")).to_contain_text(f"{in_new_york} (America/New_York)")
    greta.reload()
    expect(greta.locator("#meetings time")).to_contain_text("17:30 (Europe/Berlin)")
    assert Meeting.objects.get(relationship=relationship).starts_at == wall
    assert csp_violations(ana) == [] and csp_violations(greta) == []
    assert browser_log.page_errors == []
