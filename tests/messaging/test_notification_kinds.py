"""Each kind of notification is made by the real action it reports, reaches the right people
only, and its e-mail carries a fixed sentence and a link — never content, never a name."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mentorhaven.matching.services import (
    match_request,
    match_run_create,
    match_run_publish,
    questionnaire_reminders_send,
    request_lapse_warnings_send,
    requests_lapse,
)
from mentorhaven.mentoring.services import (
    meeting_accept,
    meeting_propose,
    relationship_accept,
    relationship_decline,
    relationship_end,
    relationship_pause,
    relationship_propose,
    relationship_rematch,
    relationship_resume,
)
from mentorhaven.mentoring.tasks import send_meeting_reminders, warn_programs_ending
from mentorhaven.messaging import services
from mentorhaven.messaging.models import Notification, NotificationPreference
from mentorhaven.messaging.notices import (
    KINDS,
    RELATIONSHIP_RESUMED,
    REMATCHED,
    REQUEST_LAPSED,
)
from mentorhaven.programs.services import invitation_create
from tests.matching.conftest import fill
from tests.matching.conftest import questionnaire as questionnaire  # the fixture

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
SECRET = "Quokka-larch 5512: my manager shouts at me"


def told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def only_fixed_words(message, *people) -> None:
    """The e-mail holds no content and no name: only the kinds' sentences and links."""
    text = message.subject + message.body
    assert SECRET not in text and "Quokka" not in text
    for person in people:
        assert person.name.split()[0] not in text, person.name
    assert "Demo 2026" not in text  # not even the program's name


@pytest.fixture
def filled(personas, questionnaire):
    p, q = personas, questionnaire
    fill(p.ana, p.program, "mentor", q, topics=["leadership"], industry="finance", capacity=1)
    fill(p.ben, p.program, "mentor", q, topics=["python"], industry="finance", capacity=1)
    fill(p.cara, p.program, "mentee", q, topics=["leadership"], industry="finance")
    fill(p.dev, p.program, "mentee", q, topics=["python"], industry="finance")
    return p


@pytest.fixture
def request_(filled):
    """cara asks ana."""
    return match_request(actor=filled.cara, program=filled.program, mentor=filled.ana)


def _active(p, mentee, mentor):
    relationship = relationship_propose(
        actor=p.coordinator, program=p.program, mentee=mentee, mentor=mentor
    )
    relationship_accept(actor=mentee, relationship=relationship)
    return relationship_accept(actor=mentor, relationship=relationship)


def test_an_invitation_to_someone_with_an_account_shows_in_the_app_without_its_link(
    personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=personas.org_admin,
            organization=personas.org,
            email=personas.outsider.email,
            program=personas.program,
            program_role="mentee",
        )
    [notice] = Notification.objects.filter(kind=Kind.INVITATION)
    assert notice.user_id == personas.outsider.pk and notice.link == "/dashboard/"
    assert not notice.by_email  # the invitation e-mail (with its one-time link) is the e-mail
    assert len(mail.outbox) == 1 and "/accounts/invitation/" in mail.outbox[0].body


def test_questionnaire_reminder_goes_once_to_those_who_have_not_answered(personas, questionnaire):
    fill(personas.cara, personas.program, "mentee", questionnaire, topics=["career"])
    assert questionnaire_reminders_send() == 0  # joined today: not yet
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert questionnaire_reminders_send() == 3
        assert questionnaire_reminders_send() == 0
    assert told(Kind.QUESTIONNAIRE_REMINDER) == {personas.ana.pk, personas.ben.pk, personas.dev.pk}
    [notice] = Notification.objects.filter(user=personas.dev)
    assert notice.link == f"/matching/programs/{personas.program.public_id}/questionnaire/mentee/"


def test_publishing_a_run_notifies_each_matched_mentee_and_mentor(
    filled, django_capture_on_commit_callbacks
):
    p = filled
    run = match_run_create(actor=p.coordinator, program=p.program)
    assert told(Kind.MATCH_PUBLISHED) == set()  # a draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        relationships = match_run_publish(actor=p.coordinator, run=run)
    assert len(relationships) == 2
    assert told(Kind.MATCH_PUBLISHED) == {p.ana.pk, p.ben.pk, p.cara.pk, p.dev.pk}
    assert p.coordinator.pk not in told(Kind.MATCH_PUBLISHED)
    assert {m.to[0] for m in mail.outbox} == {p.ana.email, p.ben.email, p.cara.email, p.dev.email}
    for message in mail.outbox:
        assert message.subject.endswith("You have a new mentoring match")
        assert "/relationships/" in message.body
        only_fixed_words(message, p.ana, p.ben, p.cara, p.dev)


def test_a_request_tells_the_mentor_and_the_answer_tells_the_mentee(filled, request_):
    p = filled
    assert told(Kind.REQUEST_RECEIVED) == {p.ana.pk}
    relationship_accept(actor=p.ana, relationship=request_)
    assert told(Kind.REQUEST_ACCEPTED) == {p.cara.pk}
    relationship_accept(actor=p.cara, relationship=request_)
    assert told(Kind.RELATIONSHIP_STARTED) == {p.ana.pk, p.cara.pk}


def test_a_declined_request_tells_the_mentee(filled, request_):
    relationship_decline(actor=filled.ana, relationship=request_)
    assert told(Kind.REQUEST_DECLINED) == {filled.cara.pk}
    assert told(Kind.REQUEST_ACCEPTED) == set()


def test_a_request_about_to_lapse_warns_the_mentor_once_then_the_lapse_tells_the_mentee(
    filled, request_
):
    assert request_lapse_warnings_send() == 0  # seven days left
    with time_machine.travel(request_.respond_by - timedelta(days=1)):
        assert request_lapse_warnings_send() == 1
        assert request_lapse_warnings_send() == 0
    assert told(Kind.REQUEST_LAPSING) == {filled.ana.pk}
    with time_machine.travel(request_.respond_by + timedelta(minutes=1)):
        assert requests_lapse() == 1
    [lapsed] = Notification.objects.filter(kind=Kind.REQUEST_DECLINED)
    assert lapsed.user_id == filled.cara.pk and lapsed.text == REQUEST_LAPSED


def test_a_program_ending_soon_tells_both_people_once(personas):
    relationship = _active(personas, personas.cara, personas.ana)
    personas.program.ends_on = timezone.localdate() + timedelta(days=30)
    personas.program.save()
    assert warn_programs_ending() == 0
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert warn_programs_ending() == 2
        assert warn_programs_ending() == 0
    assert told(Kind.RELATIONSHIP_ENDING) == set(relationship.participant_ids())


def test_ending_a_relationship_tells_the_other_person(personas):
    relationship = _active(personas, personas.cara, personas.ana)
    relationship_end(actor=personas.cara, relationship=relationship, reason="goals_met")
    assert told(Kind.RELATIONSHIP_ENDED) == {personas.ana.pk}


def test_pausing_and_resuming_tell_both_people_by_app_and_a_mail_without_content(
    personas, django_capture_on_commit_callbacks
):
    relationship = _active(personas, personas.cara, personas.ana)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship_pause(actor=personas.coordinator, relationship=relationship)
    assert told(Kind.RELATIONSHIP_PAUSED) == {personas.ana.pk, personas.cara.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([personas.ana.email, personas.cara.email])
    for message in mail.outbox:
        only_fixed_words(message, personas.ana, personas.cara)
        assert "paused" in message.subject
        assert f"/relationships/{relationship.public_id}/" in message.body
    Notification.objects.update(read_at=timezone.now())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship_resume(actor=personas.coordinator, relationship=relationship)
    resumed = Notification.objects.filter(text=RELATIONSHIP_RESUMED)
    assert {n.user_id for n in resumed} == {personas.ana.pk, personas.cara.pk}
    assert len(mail.outbox) == 2 and all("resumed" in m.subject for m in mail.outbox)
    assert personas.coordinator.pk not in told(Kind.RELATIONSHIP_PAUSED)


def test_a_pause_follows_each_persons_preference(personas, django_capture_on_commit_callbacks):
    relationship = _active(personas, personas.cara, personas.ana)
    NotificationPreference.objects.create(
        user=personas.ana, channels={Kind.RELATIONSHIP_PAUSED: "off"}
    )
    NotificationPreference.objects.create(
        user=personas.cara, channels={Kind.RELATIONSHIP_PAUSED: "app"}
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship_pause(actor=personas.coordinator, relationship=relationship)
    assert told(Kind.RELATIONSHIP_PAUSED) == {personas.cara.pk}
    assert mail.outbox == []


def test_a_rematch_tells_the_mentee_once_and_both_mentors(
    personas, django_capture_on_commit_callbacks
):
    relationship = _active(personas, personas.cara, personas.ana)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        new = relationship_rematch(
            actor=personas.coordinator,
            relationship=relationship,
            reason="not_a_fit",
            note=SECRET,
            mentor=personas.ben,
        )
    [to_mentee] = Notification.objects.filter(user=personas.cara)
    assert to_mentee.text == REMATCHED and str(new.public_id) in to_mentee.link
    assert told(Kind.RELATIONSHIP_ENDED) == {personas.ana.pk}
    assert told(Kind.MATCH_PUBLISHED) == {personas.cara.pk, personas.ben.pk}
    assert personas.coordinator.pk not in set(Notification.objects.values_list("user", flat=True))
    assert {m.to[0] for m in mail.outbox} == {
        personas.cara.email,
        personas.ana.email,
        personas.ben.email,
    }
    for message in mail.outbox:
        only_fixed_words(message, personas.ana, personas.ben, personas.cara)


def test_meetings_proposed_accepted_and_reminded(personas, django_capture_on_commit_callbacks):
    relationship = _active(personas, personas.cara, personas.ana)
    slot = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_propose(
            actor=personas.cara, relationship=relationship, slots=[slot], agenda=SECRET
        )
    assert told(Kind.MEETING_PROPOSED) == {personas.ana.pk}
    with django_capture_on_commit_callbacks(execute=True):
        meeting_accept(actor=personas.ana, meeting=meeting, starts_at=slot)
    assert told(Kind.MEETING_ACCEPTED) == {personas.cara.pk}
    with (
        time_machine.travel(slot - timedelta(hours=20)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert send_meeting_reminders() == 1
    assert told(Kind.MEETING_REMINDER) == {personas.ana.pk, personas.cara.pk}
    assert mail.outbox
    for message in mail.outbox:
        only_fixed_words(message, personas.ana, personas.cara)


def test_a_burst_of_messages_is_one_notice(chat, personas):
    for _ in range(3):
        services.message_send(actor=personas.cara, conversation=chat, body=SECRET)
    assert Notification.objects.filter(kind=Kind.MESSAGE, user=personas.ana).count() == 1


def test_the_reporter_is_told_the_outcome_and_the_reported_person_nothing(
    chat, personas, django_capture_on_commit_callbacks
):
    message = services.message_send(actor=personas.ana, conversation=chat, body=SECRET)
    report = services.report_create(
        actor=personas.cara, message=message, reason="harassment", note=SECRET
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_triage(actor=personas.coordinator, report=report)
        services.report_close(actor=personas.coordinator, report=report, outcome="action_taken")
    assert told(Kind.REPORT_OUTCOME) == {personas.cara.pk}
    assert not Notification.objects.filter(user=personas.ana, kind__startswith="report").exists()
    [sent] = [m for m in mail.outbox if m.to == [personas.cara.email]]
    only_fixed_words(sent, personas.ana, personas.cara)


def test_every_kind_has_a_sentence_and_a_label():
    assert set(KINDS) == set(Kind.values)
    assert all(spec.text and len(spec.text) <= 200 for spec in KINDS.values())
