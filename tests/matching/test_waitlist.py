"""The waitlist: a mentee who finds no mentor free joins it and is told, once, when a mentor who
may take them frees up; the empty suggestions page says why it is empty, also after a decline."""

from __future__ import annotations

import pytest

from mentorhaven.kernel.errors import Conflict, ValidationFailed
from mentorhaven.matching.models import WaitlistEntry
from mentorhaven.matching.services import (
    match_request,
    waitlist_join,
    waitlist_leave,
    waitlist_notify,
)
from mentorhaven.mentoring.services import relationship_decline, relationship_end
from mentorhaven.messaging.models import Notification

from .conftest import events, fill

pytestmark = pytest.mark.django_db

NO_SEAT = "No mentor has a free seat right now."
SEATS_BUT_NOT_YOU = "Mentors still have free seats, but none of them can be suggested to you"


@pytest.fixture
def full(personas, questionnaire):
    """ana is the only mentor with a seat (ben is paused); dev holds ana's only seat."""
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership"], industry="finance", capacity=1)
    fill(p.ben, p.program, "mentor", q, topics=["python"], industry="finance", paused=True)
    fill(p.cara, p.program, "mentee", q, topics=["leadership"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["leadership"], industry="finance")
    request = match_request(actor=p.dev, program=p.program, mentor=p.ana)
    return p, request


def _page(client, p) -> str:
    return client.get(f"/matching/programs/{p.program.public_id}/suggestions/").content.decode()


def test_a_mentee_without_a_free_mentor_joins_and_is_told_once_when_a_seat_frees(full, login):
    p, request = full
    client = login(p.cara)
    page = _page(client, p)
    assert NO_SEAT in page and "Tell me when a mentor is free" in page
    response = client.post(f"/matching/programs/{p.program.public_id}/waitlist/")
    assert response.status_code == 302
    assert "You are on the waitlist since" in _page(client, p)
    assert len(events("matching.waitlist_join")) == 1
    assert waitlist_notify() == 0  # still no seat
    relationship_end(actor=p.dev, relationship=request, reason="not_a_fit")
    assert waitlist_notify() == 1
    assert waitlist_notify() == 0  # told once
    [notice] = Notification.objects.filter(kind=Notification.Kind.WAITLIST)
    assert notice.user_id == p.cara.pk
    assert notice.link == f"/matching/programs/{p.program.public_id}/suggestions/"
    assert not WaitlistEntry.objects.exists()


def test_after_a_decline_the_page_says_seats_exist_but_not_for_this_mentee(full, login):
    p, request = full
    relationship_decline(actor=p.ana, relationship=request)
    # ana has her seat back but declined dev: not "no free seat", and waiting is offered
    page = _page(login(p.dev), p)
    assert NO_SEAT not in page and SEATS_BUT_NOT_YOU in page
    waitlist_join(actor=p.dev, program=p.program)
    assert waitlist_notify() == 0  # the mentor who declined him is no free mentor for him
    assert WaitlistEntry.objects.filter(mentee=p.dev).exists()


def test_asking_a_mentor_or_being_matched_leaves_the_waitlist(full):
    p, request = full
    waitlist_join(actor=p.cara, program=p.program)
    relationship_end(actor=p.dev, relationship=request, reason="not_a_fit")
    match_request(actor=p.cara, program=p.program, mentor=p.ana)
    assert not WaitlistEntry.objects.exists()
    assert waitlist_notify() == 0


def test_joining_twice_keeps_one_place_and_leaving_is_audited(full):
    p, _request = full
    first = waitlist_join(actor=p.cara, program=p.program)
    assert waitlist_join(actor=p.cara, program=p.program).pk == first.pk
    assert waitlist_leave(actor=p.cara, program=p.program) is True
    assert waitlist_leave(actor=p.cara, program=p.program) is False
    assert len(events("matching.waitlist_leave")) == 1


def test_only_a_mentee_without_a_mentor_may_wait(full, login):
    p, _request = full
    with pytest.raises(Conflict):
        waitlist_join(actor=p.dev, program=p.program)  # his request is open
    with pytest.raises(ValidationFailed):
        waitlist_join(actor=p.ana, program=p.program)  # a mentor, not a mentee
    outsider = login(p.outsider)
    response = outsider.post(f"/matching/programs/{p.program.public_id}/waitlist/")
    assert response.status_code == 404  # the same answer as for a program that does not exist
    assert not WaitlistEntry.objects.exists()


def test_erasure_and_export_know_the_waitlist(full):
    from mentorhaven.matching.erasure import remove_matching_data

    p, _request = full
    waitlist_join(actor=p.cara, program=p.program)
    assert remove_matching_data(p.cara)["waitlist"] == 1
    assert not WaitlistEntry.objects.exists()
