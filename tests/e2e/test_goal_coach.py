"""In Chromium: a mentee turns on the goal coach (she consents to AI assistance), gets a
suggestion from her organization's model (a local chat-completions server), edits and accepts
it; her privacy page lists the use; after she withdraws, the button explains why it is off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mentorhaven.assistant.services import assistant_settings_set
from mentorhaven.mentoring.models import Goal, Milestone
from mentorhaven.mentoring.services import goal_create
from tests.assistant.fake_model import FakeModel
from tests.conftest import PASSWORD
from tests.e2e.conftest import csp_violations, sign_in
from tests.mentoring.conftest import make_active

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_model():
    model = FakeModel().start()
    yield model
    model.stop()


def test_mentee_uses_the_goal_coach_then_withdraws(personas, page, fake_model):
    p = personas
    relationship = make_active(p, p.cara, p.ana)
    goal = goal_create(
        actor=p.cara,
        relationship=relationship,
        title="Present better",
        description="My manager Tom Becker wants me to present the roadmap.",
    )
    assistant_settings_set(
        actor=None,
        organization=p.org,
        enabled=True,
        base_url=fake_model.url,
        model="local-test-model",
    )
    detail = f"/relationships/{relationship.public_id}/"

    sign_in(page, p.cara.email, PASSWORD)
    page.goto(detail)
    goals = page.locator("#goals")
    expect(goals).to_contain_text("you have not agreed to AI assistance")
    goals.get_by_role("link", name="Turn on AI assistance on your privacy page").click()
    page.locator("[data-purpose=ai_features]").get_by_role(
        "button", name="I agree: AI features"
    ).click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("status")).to_contain_text("consent is recorded")

    page.goto(detail)
    page.get_by_role("button", name="Ask the goal coach (AI)").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Goal coach suggestion")
    expect(page.get_by_role("note")).to_contain_text("Machine-written.")
    expect(page.get_by_role("note")).to_contain_text("from your goals")
    title = page.get_by_label("Goal:", exact=True)
    expect(title).to_have_value("Present the quarterly roadmap to the leadership team by March")
    assert "Tom Becker" not in fake_model.received[0].text
    expect(page.get_by_label("What the goal is about")).to_have_value(
        "Prepare with Tom Becker and rehearse twice."
    )
    title.fill("Present the roadmap to leadership in March")
    page.get_by_label("Milestone 3").fill("")
    page.get_by_role("button", name="Accept as my goal").click()
    page.wait_for_load_state("load")

    expect(goals).to_contain_text("Present the roadmap to leadership in March")
    expect(goals).to_contain_text("Draft the slides by 15 January")
    goal = Goal.objects.get(pk=goal.pk)
    assert str(goal.title) == "Present the roadmap to leadership in March"
    assert Milestone.objects.filter(goal=goal, owner=p.cara).count() == 2

    page.goto("/privacy/")
    expect(page.locator("#ai-uses-heading + ul")).to_contain_text("Goal coach, ")
    expect(page.locator("#ai-uses-heading + ul")).to_contain_text("categories: goals")

    page.goto("/privacy/consents")
    page.locator("[data-purpose=ai_features]").get_by_role(
        "button", name="Withdraw: AI features"
    ).click()
    page.wait_for_load_state("load")
    page.goto(detail)
    expect(goals).to_contain_text("you have not agreed to AI assistance, or withdrew it")
    expect(page.get_by_role("button", name="Ask the goal coach (AI)")).to_have_count(0)
    assert len(fake_model.received) == 1
    assert csp_violations(page) == []
