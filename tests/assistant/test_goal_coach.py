"""The goal coach on the goal page: the button or why it is off, the suggestion marked
machine-written, accepting (her own encrypted goal and milestones) or discarding (nothing)."""

from __future__ import annotations

import pytest
from django.db import connection

from mentorhaven.assistant import gateway
from mentorhaven.mentoring.models import Goal, Milestone
from mentorhaven.mentoring.services import goal_create
from tests.assistant.conftest import agree, withdraw


@pytest.fixture
def goal(pair, personas):
    return goal_create(
        actor=personas.cara,
        relationship=pair,
        title="Present better",
        description="My manager Tom Becker wants me to present more.",
    )


def page(client, pair):
    return client.get(f"/relationships/{pair.public_id}/").content.decode()


def ask_from_the_page(client, pair, goal):
    """Ask the goal coach as the button does; a refusal comes back on the relationship page."""
    return client.post(
        f"/assistant/goals/{goal.public_id}/coach/",
        HTTP_REFERER=f"http://testserver/relationships/{pair.public_id}/",
        follow=True,
    )


def test_off_in_the_organization_explains_how_to_enable(client, personas, pair, goal):
    client.force_login(personas.cara)
    html = page(client, pair)
    assert "your organization has not turned AI assistance on" in html
    assert "Ask the goal coach" not in html


def test_without_consent_the_button_explains_why_it_is_off(client, personas, pair, goal, ai_on):
    client.force_login(personas.cara)
    html = page(client, pair)
    assert "you have not agreed to AI assistance" in html
    assert "/privacy/consents" in html
    agree(personas.cara)
    assert "Ask the goal coach" in page(client, pair)
    withdraw(personas.cara)
    assert "you have not agreed to AI assistance" in page(client, pair)


def test_the_mentor_sees_no_goal_coach(client, login, personas, pair, goal, ai_on):
    agree(personas.ana)
    login(personas.ana)
    html = page(client, pair)
    assert "goal coach" not in html.lower()


def test_suggestion_is_marked_machine_written_and_accepting_saves_her_goal(
    client, personas, pair, goal, ai_on, fake_model
):
    agree(personas.cara)
    client.force_login(personas.cara)
    response = client.post(f"/assistant/goals/{goal.public_id}/coach/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Machine-written." in html and "from your goals" in html
    assert "Present the quarterly roadmap" in html
    assert "Tom Becker" in html  # the placeholder was put back for her
    assert "Tom Becker" not in fake_model.received[0].text
    assert Milestone.objects.filter(goal=goal).count() == 0  # nothing stored yet
    response = client.post(
        f"/assistant/goals/{goal.public_id}/coach/accept/",
        {
            "title": "Present the roadmap to leadership by March",
            "description": "Rehearse with Tom first.",
            "milestone_1": "Draft slides by 15 January",
            "milestone_2": "Rehearse by 15 February",
            "milestone_3": "",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(pk=goal.pk)
    assert str(goal.title) == "Present the roadmap to leadership by March"
    titles = sorted(str(m.title) for m in Milestone.objects.filter(goal=goal))
    assert titles == ["Draft slides by 15 January", "Rehearse by 15 February"]
    assert all(m.owner_id == personas.cara.pk for m in Milestone.objects.filter(goal=goal))
    with connection.cursor() as cursor:  # stored encrypted, like everything she writes
        cursor.execute("SELECT title FROM mentoring_milestone WHERE goal_id = %s", [goal.pk])
        for (raw,) in cursor.fetchall():
            assert b"Draft slides" not in bytes(
                raw if isinstance(raw, bytes | memoryview) else str(raw).encode()
            )


def test_discarding_stores_nothing(client, personas, pair, goal, ai_on, fake_model):
    agree(personas.cara)
    client.force_login(personas.cara)
    client.post(f"/assistant/goals/{goal.public_id}/coach/")
    goal.refresh_from_db()
    assert str(goal.title) == "Present better"
    assert Milestone.objects.filter(goal=goal).count() == 0


def test_endpoint_down_shows_a_clear_message(client, personas, pair, goal, ai_on):
    agree(personas.cara)
    ai_on.base_url = "http://127.0.0.1:9/v1"
    ai_on.save()
    client.force_login(personas.cara)
    response = ask_from_the_page(client, pair, goal)
    assert response.status_code == 200
    assert "model server did not answer" in response.content.decode()


def test_another_mentee_gets_404(client, personas, pair, goal, ai_on, fake_model):
    agree(personas.dev)
    client.force_login(personas.dev)
    assert client.post(f"/assistant/goals/{goal.public_id}/coach/").status_code == 404
    assert fake_model.received == []


def test_her_privacy_page_lists_the_use(client, personas, pair, goal, ai_on, fake_model):
    agree(personas.cara)
    client.force_login(personas.cara)
    html = client.get("/privacy/").content.decode()
    assert "No AI feature has used your data." in html
    client.post(f"/assistant/goals/{goal.public_id}/coach/")
    html = client.get("/privacy/").content.decode()
    assert "Goal coach, " in html and "categories: goals" in html


def test_erasure_and_export_cover_the_accepted_goal():
    """An accepted suggestion is her goal and milestones: the mentoring inventory's export and
    shredding rules apply to it (declared there, checked by the kernel's tests)."""
    from mentorhaven.kernel.inventory import Erasure, declaration_for

    for model, name in (("mentoring.Goal", "title"), ("mentoring.Milestone", "title")):
        declaration = declaration_for(model)
        assert declaration is not None
        assert declaration.fields[name].erasure == Erasure.SHRED


def test_budget_message_on_the_page(client, personas, pair, goal, ai_on, fake_model):
    agree(personas.cara)
    ai_on.monthly_token_budget = 10
    ai_on.save()
    client.force_login(personas.cara)
    response = ask_from_the_page(client, pair, goal)
    assert "this month&#x27;s AI budget" in response.content.decode()
    assert fake_model.received == []
    assert gateway.tokens_used(personas.org) == 0
