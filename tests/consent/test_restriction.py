"""A person who restricts processing while a dispute is open is not matched, not counted in
analytics and gets no reminders — in the matching engine, the reminder sweeps and the fairness
report alike (they all ask ``consent.processing``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from mentorhaven.consent import processing
from mentorhaven.consent.domain import Purpose
from mentorhaven.consent.models import DataRequest
from mentorhaven.consent.services import restriction_lift, restriction_start
from mentorhaven.kernel.errors import Conflict
from mentorhaven.matching.fairness import fairness_report
from mentorhaven.matching.services import match_run_create
from mentorhaven.mentoring.services import meeting_accept, meeting_propose
from tests.mentoring.conftest import make_active

from .conftest import events, give

pytestmark = pytest.mark.django_db


def test_a_restricted_person_is_left_out_of_a_match_run(matched):
    p = matched
    first = match_run_create(actor=p.coordinator, program=p.program)
    assert first.pairs.filter(mentee=p.cara).exists()
    restriction = restriction_start(actor=p.cara, details="My industry is wrong")
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert not run.pairs.filter(mentee=p.cara).exists()
    assert run.mentees == 1  # only dev is left to match
    restriction_lift(actor=p.cara, restriction=restriction)
    assert (
        match_run_create(actor=p.coordinator, program=p.program)
        .pairs.filter(mentee=p.cara)
        .exists()
    )


def test_a_restricted_mentor_is_proposed_to_nobody(matched):
    p = matched
    restriction_start(actor=p.ana)
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert not run.pairs.filter(mentor=p.ana).exists()


def test_restricting_files_a_request_due_in_one_month_and_is_audited(personas):
    with time_machine.travel(datetime(2027, 1, 31, 12, 0, tzinfo=UTC), tick=False):
        restriction = restriction_start(actor=personas.cara, details="dispute")
    request = restriction.request
    assert request.kind == DataRequest.Kind.RESTRICTION and request.organization == personas.org
    assert request.due_at == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert events("restriction.start") and events("data_request.create")
    with pytest.raises(Conflict):
        restriction_start(actor=personas.cara)


def test_a_restricted_person_gets_no_meeting_reminder(personas, django_capture_on_commit_callbacks):
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False) as frozen:
        relationship = make_active(personas, personas.cara, personas.ana)
        slot = now + timedelta(days=2)
        meeting = meeting_propose(actor=personas.cara, relationship=relationship, slots=[slot])
        meeting_accept(actor=personas.ana, meeting=meeting, starts_at=slot)
        restriction_start(actor=personas.cara)
        frozen.move_to(slot - timedelta(hours=20))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("relationships", "reminders")
    assert [m.to[0] for m in mail.outbox] == [personas.ana.email]


def test_a_restricted_person_gets_no_idle_nudge(personas, django_capture_on_commit_callbacks):
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False) as frozen:
        make_active(personas, personas.cara, personas.ana)
        restriction_start(actor=personas.ana)
        frozen.move_to(now + timedelta(days=30))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("relationships", "idle")
    assert [m.to[0] for m in mail.outbox] == [personas.cara.email]


def test_a_restricted_person_is_not_counted_in_analytics(matched, questionnaire):
    p = matched
    give(p.cara, Purpose.ANALYTICS)

    def groups() -> int:
        # The page withholds a total this small (it would be her group's size): count the
        # groups her answer puts a row in instead.
        return len(
            fairness_report(
                viewer=p.coordinator, program=p.program, question=questionnaire["gender"]
            ).groups
        )

    assert groups() == 1
    restriction_start(actor=p.cara)
    assert groups() == 0


def test_the_helper_answers_per_purpose(matched):
    p = matched
    ids = [p.cara.pk, p.dev.pk]
    assert processing.allowed(processing.MATCHING, ids) == set(ids)
    assert processing.allowed(Purpose.MATCHING_SENSITIVE, ids) == {p.cara.pk}
    assert processing.allowed(Purpose.AI, ids) == set()
    restriction_start(actor=p.cara)
    for purpose in (processing.MATCHING, processing.REMINDERS, Purpose.MATCHING_SENSITIVE):
        assert not processing.may_process(p.cara, purpose)
    assert processing.may_process(p.dev, processing.REMINDERS)
    with pytest.raises(ValueError):
        processing.allowed("marketing", ids)
