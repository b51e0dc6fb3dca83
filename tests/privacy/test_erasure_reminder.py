"""The reminder always comes before the erasure: when the scheduler was down for the whole
reminder window (two days before the date), the next run sends it at once and the erasure waits
the two days the person was promised — with the new date in the e-mail — instead of running
unannounced."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import formats, timezone

from mentorhaven.kernel import schedule, vault
from mentorhaven.kernel.models import AuditEvent
from mentorhaven.privacy.erasure import services
from mentorhaven.privacy.erasure.models import ErasureRequest

DAY = timedelta(days=1)


@pytest.fixture
def asked(personas, django_capture_on_commit_callbacks):
    """Cara asked to be erased (due in 14 days); the confirmation e-mail is out of the way."""
    with django_capture_on_commit_callbacks(execute=True):
        request = services.erasure_request(actor=personas.cara)
    mail.outbox.clear()
    return request


def _run(when, capture) -> dict[str, int]:
    with time_machine.travel(when, tick=False), capture(execute=True):
        return services.process_due_erasures()


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def test_a_scheduler_down_all_window_sends_the_reminder_and_the_erasure_waits(
    personas, asked, django_capture_on_commit_callbacks
):
    due = asked.due_at
    back = due + timedelta(hours=5)  # the scheduler comes back after the due date
    assert _run(back, django_capture_on_commit_callbacks) == {"reminded": 1, "completed": 0}
    asked.refresh_from_db()
    assert asked.status == ErasureRequest.Status.PENDING and not vault.is_shredded(personas.cara)
    assert asked.due_at == back + services.reminder_lead()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.cara.email]
    assert _date(asked.due_at) in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="erasure.postpone").count() == 1

    # Still within the new notice: nothing runs, nothing is sent twice.
    assert _run(back + DAY, django_capture_on_commit_callbacks) == {
        "reminded": 0,
        "completed": 0,
    }
    assert len(mail.outbox) == 1
    # Once the notice is over, the erasure runs.
    assert (
        _run(asked.due_at + timedelta(minutes=1), django_capture_on_commit_callbacks)["completed"]
        == 1
    )
    assert vault.is_shredded(personas.cara)


def test_a_reminder_sent_in_its_window_leaves_the_date_alone(
    asked, django_capture_on_commit_callbacks
):
    due = asked.due_at
    assert _run(due - DAY, django_capture_on_commit_callbacks) == {"reminded": 1, "completed": 0}
    asked.refresh_from_db()
    assert asked.due_at == due and not AuditEvent.objects.filter(action="erasure.postpone")
    assert _run(due + timedelta(minutes=1), django_capture_on_commit_callbacks)["completed"] == 1


def test_a_late_reminder_that_still_leaves_time_moves_the_date_only_as_far_as_needed(
    asked, django_capture_on_commit_callbacks
):
    due = asked.due_at
    late = due - timedelta(hours=10)  # the window opened 38 hours ago; 10 hours left
    assert _run(late, django_capture_on_commit_callbacks)["reminded"] == 1
    asked.refresh_from_db()
    assert asked.due_at == late + services.reminder_lead()


def test_no_run_of_the_job_erases_someone_who_was_not_reminded(
    personas, asked, django_capture_on_commit_callbacks
):
    # Whatever the order of things: a request overdue and unreminded is never carried out
    # in the run that finds it.
    ErasureRequest.objects.filter(pk=asked.pk).update(due_at=timezone.now() - 30 * DAY)
    result = _run(timezone.now(), django_capture_on_commit_callbacks)
    assert result == {"reminded": 1, "completed": 0}
    assert not vault.is_shredded(personas.cara)


def test_the_scheduled_job_itself_keeps_the_promise(personas, asked):
    with time_machine.travel(asked.due_at + 3 * DAY, tick=False):
        assert "privacy.erasures" in schedule.run_due()
    asked.refresh_from_db()
    assert asked.reminded_at is not None and asked.status == ErasureRequest.Status.PENDING
    assert not vault.is_shredded(personas.cara)


def test_an_operators_immediate_erasure_does_not_wait(personas):
    done = services.erasure_run(request=services.erasure_now(user=personas.cara))
    assert done.status == ErasureRequest.Status.COMPLETED


def test_an_erasure_an_operator_scheduled_is_reminded_like_any_other(
    personas, django_capture_on_commit_callbacks
):
    request = services.erasure_request(actor=personas.dev, source=ErasureRequest.Source.OPERATOR)
    mail.outbox.clear()
    assert _run(request.due_at + DAY, django_capture_on_commit_callbacks) == {
        "reminded": 1,
        "completed": 0,
    }
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [personas.dev.email]
