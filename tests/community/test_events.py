"""Program events: capacity and waitlist, a cancellation moves the first person waiting up (who
is told, without content and without learning who left), check-in by admins, reminders once and
without content, the attendee list by audience, and the text encrypted at rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from mentorhaven.community.models import Event, Registration
from mentorhaven.community.selectors import attendees_for, event_ics, events_for
from mentorhaven.community.services import (
    event_cancel,
    event_update,
    registration_cancel,
    registration_check_in,
    registration_create,
)
from mentorhaven.community.tasks import send_event_reminders
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mentorhaven.messaging.models import Notification

from .conftest import NOW, STARTS, events, make_event

pytestmark = pytest.mark.django_db


def test_publishing_is_for_those_who_run_the_program(personas):
    for outsider_or_member in (personas.ana, personas.cara, personas.auditor, personas.outsider):
        with pytest.raises(PermissionDenied):
            _create_as(personas, outsider_or_member)
    event = make_event(personas)
    assert event.author == personas.coordinator
    [created] = events("event.create")
    assert created.actor == audit.pseudonym(personas.coordinator)


def _create_as(personas, actor):
    from mentorhaven.community.services import event_create

    return event_create(
        actor=actor,
        program=personas.program,
        format="online",
        title="t",
        description="",
        place="",
        link="https://meet.example.org/x",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        capacity=None,
    )


def test_event_text_is_ciphertext_in_the_database(personas):
    event = make_event(personas, description="Bring your CV")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, description, place FROM community_event WHERE id = %s", [event.pk]
        )
        row = cursor.fetchone()
    for column in row:
        assert b"networking" not in bytes(column) and b"CV" not in bytes(column)
        assert b"Harbour" not in bytes(column)
    assert Event.objects.get(pk=event.pk).title == "Spring networking evening"


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"format": "online", "link": "http://plain.example.org"}, "bad_link"),
        ({"format": "online", "link": "javascript:alert(1)"}, "bad_link"),
        ({"format": "in_person", "place": ""}, "no_place"),
        ({"ends_at": STARTS - timedelta(minutes=1)}, "ends_before_start"),
        ({"starts_at": NOW - timedelta(hours=1)}, "in_the_past"),
        ({"title": "  "}, "empty"),
        ({"format": "hybrid"}, "bad_format"),
    ],
)
def test_bad_events_are_refused_with_a_reason(personas, overrides, code):
    with pytest.raises(ValidationFailed) as refused:
        make_event(personas, **overrides)
    assert refused.value.code == code


def test_capacity_then_waitlist_in_order(personas, event):
    assert registration_create(actor=personas.cara, event=event).status == "registered"
    assert registration_create(actor=personas.dev, event=event).status == "registered"
    assert registration_create(actor=personas.ana, event=event).status == "waitlisted"
    assert registration_create(actor=personas.ben, event=event).status == "waitlisted"
    assert [e.action for e in events("event.waitlist")] == ["event.waitlist"] * 2
    listed = events_for(viewer=personas.cara, program=personas.program).get(pk=event.pk)
    assert (listed.registered, listed.waiting, listed.my_status) == (2, 2, "registered")


def test_a_cancellation_promotes_the_first_waiting_who_is_told_without_content(
    personas, event, django_capture_on_commit_callbacks
):
    for person in (personas.cara, personas.dev, personas.ana, personas.ben):
        registration_create(actor=person, event=event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(actor=personas.cara, event=event)
    statuses = dict(Registration.objects.filter(event=event).values_list("user__email", "status"))
    assert statuses[personas.ana.email] == "registered"  # first waiting
    assert statuses[personas.ben.email] == "waitlisted"
    assert statuses[personas.cara.email] == "cancelled"
    [notice] = Notification.objects.filter(user=personas.ana, kind="event_update")
    assert "networking" not in notice.text and str(event.public_id) in notice.link
    [email] = [m for m in mail.outbox if personas.ana.email in m.to]
    for secret in ("networking", "Harbour", "Cara", personas.cara.email):
        assert secret not in email.subject + email.body
    # Who freed the seat is not on the promoted person's record: MentorHaven gave it.
    [promote] = events("event.promote")
    assert promote.subject == audit.pseudonym(personas.ana)
    assert promote.actor != audit.pseudonym(personas.cara)


def test_leaving_the_waitlist_promotes_nobody(personas, event):
    for person in (personas.cara, personas.dev, personas.ana):
        registration_create(actor=person, event=event)
    registration_cancel(actor=personas.ana, event=event)
    assert not events("event.promote")
    with pytest.raises(Conflict):
        registration_cancel(actor=personas.ana, event=event)


def test_registering_again_after_cancelling_goes_to_the_end_of_the_waitlist(personas, event):
    for person in (personas.cara, personas.dev, personas.ana):
        registration_create(actor=person, event=event)
    registration_cancel(actor=personas.cara, event=event)  # ana moves up
    again = registration_create(actor=personas.cara, event=event)
    assert again.status == "waitlisted"
    assert Registration.objects.filter(event=event, user=personas.cara).count() == 1


def test_a_larger_capacity_moves_people_up(personas, event):
    for person in (personas.cara, personas.dev, personas.ana, personas.ben):
        registration_create(actor=person, event=event)
    event_update(
        actor=personas.org_admin,
        event=event,
        format="in_person",
        title="Bigger room",
        description="",
        place="Hall",
        link="",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        capacity=3,
    )
    assert Registration.objects.filter(event=event, status="registered").count() == 3
    refreshed = Event.objects.get(pk=event.pk)
    assert refreshed.author == personas.org_admin and refreshed.title == "Bigger room"


def test_outsiders_cannot_register_and_started_or_cancelled_events_are_closed(
    personas, event, frozen
):
    with pytest.raises(NotFound):
        registration_create(actor=personas.outsider, event=event)
    with pytest.raises(NotFound):
        registration_create(actor=personas.auditor, event=event)
    event_cancel(actor=personas.coordinator, event=event)
    with pytest.raises(Conflict):
        registration_create(actor=personas.cara, event=event)
    started = make_event(
        personas, starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=3)
    )
    frozen.move_to(NOW + timedelta(hours=2))
    with pytest.raises(Conflict):
        registration_create(actor=personas.cara, event=started)


def test_cancelling_an_event_tells_everyone_registered_or_waiting(personas, event):
    for person in (personas.cara, personas.dev, personas.ana):
        registration_create(actor=person, event=event)
    with pytest.raises(PermissionDenied):
        event_cancel(actor=personas.cara, event=event)
    event_cancel(actor=personas.coordinator, event=event)
    told = set(Notification.objects.filter(kind="event_update").values_list("user_id", flat=True))
    assert told == {personas.cara.pk, personas.dev.pk, personas.ana.pk}
    assert events("event.cancel")[0].extra["told"] == 3


def test_check_in_is_for_admins_and_only_for_seats(personas, event):
    seat = registration_create(actor=personas.cara, event=event)
    registration_create(actor=personas.dev, event=event)
    waiting = registration_create(actor=personas.ana, event=event)
    with pytest.raises(PermissionDenied):
        registration_check_in(actor=personas.dev, event=event, registration=seat)
    with pytest.raises(Conflict):
        registration_check_in(actor=personas.coordinator, event=event, registration=waiting)
    done = registration_check_in(actor=personas.coordinator, event=event, registration=seat)
    assert done.checked_in_at == NOW and done.checked_in_by == personas.coordinator
    [checked] = events("event.check_in")
    assert checked.subject == audit.pseudonym(personas.cara)
    other = make_event(personas)
    with pytest.raises(NotFound):
        registration_check_in(actor=personas.coordinator, event=other, registration=seat)


def test_attendee_list_admins_see_all_attendees_see_only_those_who_opted_in(personas, event):
    event.capacity = None
    event.save(update_fields=["capacity"])
    registration_create(actor=personas.cara, event=event, show_me=True)
    registration_create(actor=personas.dev, event=event, show_me=False)
    registration_create(actor=personas.ana, event=event, show_me=True)
    full = attendees_for(viewer=personas.coordinator, event=event)
    assert full is not None and full.full
    assert {r.user for r in full.rows} == {personas.cara, personas.dev, personas.ana}
    # The admin's read of the list is on each listed person's record.
    readers = {e.subject for e in events("event.attendees_read")}
    assert readers == {audit.pseudonym(p) for p in (personas.cara, personas.dev, personas.ana)}
    seen_by_dev = attendees_for(viewer=personas.dev, event=event)
    assert seen_by_dev is not None and not seen_by_dev.full
    assert {r.user for r in seen_by_dev.rows} == {personas.cara, personas.ana}
    assert attendees_for(viewer=personas.ben, event=event) is None  # not registered


def test_reminders_go_once_to_seats_only_and_say_nothing_of_the_event(
    personas, event, frozen, django_capture_on_commit_callbacks
):
    for person in (personas.cara, personas.dev, personas.ana):
        registration_create(actor=person, event=event)
    assert send_event_reminders() == 0  # three days ahead: not yet
    frozen.move_to(STARTS - timedelta(hours=20))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_event_reminders() == 1
    assert send_event_reminders() == 0
    told = set(Notification.objects.filter(kind="event_reminder").values_list("user_id", flat=True))
    assert told == {personas.cara.pk, personas.dev.pk}  # ana is waiting
    assert mail.outbox
    for email in mail.outbox:
        for secret in ("networking", "Harbour", "Room 4"):
            assert secret not in email.subject + email.body


def test_ics_has_the_event_and_reads_as_a_calendar(personas, event):
    from icalendar import Calendar

    calendar = Calendar.from_ical(event_ics(viewer=personas.cara, event=event))
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "Spring networking evening"
    assert str(entry["LOCATION"]) == "Room 4, Harbour Building"
    assert entry.decoded("DTSTART") == STARTS
    assert str(event.public_id) in str(entry["URL"])


def test_the_scheduler_knows_the_reminder_job():
    from mentorhaven.kernel import schedule

    assert schedule.get("community.event_reminders").every == timedelta(minutes=15)


def test_attendance_figures_go_through_the_reporting_layer(personas, frozen):
    from mentorhaven.community.selectors import attendance_figures

    people = [personas.cara, personas.dev, personas.ana, personas.ben]
    extra = []
    from mentorhaven.accounts.models import User
    from mentorhaven.programs.models import Membership

    for i in range(4):
        user = User.objects.create_user(email=f"e{i}@demo.test", password="x", display_name="E")
        Membership.objects.create(program=personas.program, user=user, role="mentee")
        extra.append(user)
    event = make_event(personas)
    seats = [registration_create(actor=p, event=event) for p in people + extra]
    for seat in seats[:-1]:  # everyone came but one
        registration_check_in(actor=personas.coordinator, event=event, registration=seat)
    assert attendance_figures(viewer=personas.coordinator, program=personas.program) == []
    frozen.move_to(STARTS + timedelta(hours=3))
    [figure] = attendance_figures(viewer=personas.coordinator, program=personas.program)
    # One person did not come: hidden, and so is what would give it away.
    assert figure.table.cells["did_not_come"] is None
    assert figure.table.cells["came"] is None or figure.table.total is None
    assert attendance_figures(viewer=personas.cara, program=personas.program) == []
