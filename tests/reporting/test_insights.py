"""Engagement insights: computed only for pairs whose two people consent to engagement
analytics; every flag gives its reasons; a participant sees what is computed about them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.services import consent_give, consent_withdraw
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.mentoring.models import Goal, Meeting, Milestone
from mentorhaven.reporting.insights import Activity, at_risk, my_signals, reasons
from tests.factories import RelationshipFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _activity(**changes) -> Activity:
    base = {
        "started_at": NOW - timedelta(days=60),
        "last_meeting": NOW - timedelta(days=3),
        "messages_recent": 10,
        "messages_before": 10,
        "overdue_milestones": 0,
    }
    return Activity(**(base | changes))


def test_an_active_pair_is_not_flagged():
    assert reasons(_activity(), now=NOW) == []


def test_each_signal_gives_its_reason():
    found = reasons(
        _activity(
            last_meeting=NOW - timedelta(days=45),
            messages_recent=1,
            messages_before=8,
            overdue_milestones=2,
        ),
        now=NOW,
    )
    assert [r.code for r in found] == ["no_meeting", "falling_messages", "overdue_goals"]
    assert "45 days" in found[0].text
    assert "from 8" in found[1].text and "to 1" in found[1].text
    assert found[2].text.startswith("2 goal milestones")


def test_a_few_messages_less_is_not_a_fall():
    assert reasons(_activity(messages_recent=0, messages_before=3), now=NOW) == []
    assert reasons(_activity(messages_recent=2, messages_before=4), now=NOW) == []


def test_no_meeting_since_the_start_counts_from_the_start():
    found = reasons(_activity(last_meeting=None, started_at=NOW - timedelta(days=31)), now=NOW)
    assert [r.code for r in found] == ["no_meeting"]
    assert reasons(_activity(last_meeting=None, started_at=NOW - timedelta(days=5)), now=NOW) == []


@pytest.fixture
def idle_pair(personas):
    """Cara and Ana: started 40 days ago, never met, a milestone overdue."""
    r = RelationshipFactory(
        program=personas.program,
        mentee=personas.cara,
        mentor=personas.ana,
        started_at=timezone.now() - timedelta(days=40),
    )
    goal = Goal.objects.create(relationship=r, owner=personas.cara, title="Public speaking")
    Milestone.objects.create(
        goal=goal,
        owner=personas.cara,
        title="First talk",
        due_on=timezone.localdate() - timedelta(days=3),
    )
    return r


def _consent(*people):
    for person in people:
        consent_give(actor=person, purpose=Purpose.ANALYTICS, method="privacy_page")


def test_nothing_is_computed_unless_both_consent(personas, idle_pair):
    flags, looked_at = at_risk(viewer=personas.coordinator, program=personas.program)
    assert (flags, looked_at) == ([], 0)
    _consent(personas.cara)  # the mentee alone does not open her mentor's activity
    assert at_risk(viewer=personas.coordinator, program=personas.program) == ([], 0)
    (mine,) = my_signals(viewer=personas.cara)
    assert not mine.computed and mine.reasons == []
    _consent(personas.ana)
    flags, looked_at = at_risk(viewer=personas.coordinator, program=personas.program)
    assert looked_at == 1
    (flag,) = flags
    assert flag.relationship == idle_pair
    assert [r.code for r in flag.reasons] == ["no_meeting", "overdue_goals"]
    event = AuditEvent.objects.filter(action="report.insights_read").first()
    assert event is not None


def test_withdrawing_consent_removes_the_flag_at_once(personas, idle_pair):
    _consent(personas.cara, personas.ana)
    assert len(at_risk(viewer=personas.coordinator, program=personas.program)[0]) == 1
    consent_withdraw(actor=personas.ana, purpose=Purpose.ANALYTICS, method="privacy_page")
    assert at_risk(viewer=personas.coordinator, program=personas.program) == ([], 0)


def test_a_meeting_held_clears_the_idle_signal(personas, idle_pair):
    _consent(personas.cara, personas.ana)
    Meeting.objects.create(
        relationship=idle_pair,
        proposed_by=personas.ana,
        status=Meeting.Status.SCHEDULED,
        starts_at=timezone.now() - timedelta(days=2),
    )
    (flag,) = at_risk(viewer=personas.coordinator, program=personas.program)[0]
    assert [r.code for r in flag.reasons] == ["overdue_goals"]


def test_participants_see_the_signals_about_themselves(personas, idle_pair, login, client):
    url = reverse("reporting:my_signals")
    login(personas.cara)
    assert "Not computed" in client.get(url).content.decode()
    _consent(personas.cara, personas.ana)
    page = client.get(url).content.decode()
    assert "Your coordinators see this relationship flagged" in page
    assert "past their due date" in page
    assert "Public speaking" not in page  # counts and dates, never a goal's text


def test_coordinators_page_lists_consenting_flagged_pairs_with_reasons(
    personas, idle_pair, login, client
):
    _consent(personas.cara, personas.ana)
    login(personas.coordinator)
    url = reverse("reporting:insights", kwargs={"program_id": personas.program.public_id})
    page = client.get(url).content.decode()
    assert personas.cara.name in page and "No meeting held since" in page


@pytest.mark.parametrize("who", ["cara", "ana", "outsider"])
def test_participants_and_outsiders_get_404_on_the_insights_page(personas, login, client, who):
    login(getattr(personas, who))
    url = reverse("reporting:insights", kwargs={"program_id": personas.program.public_id})
    assert client.get(url).status_code == 404
