"""Erasure (Art. 17): request with a grace period, cancel, remind, and the job that carries it out.

Policy:

- A person asks to be erased; nothing happens for ``ERASURE_GRACE_DAYS`` (default 14) so a
  mistaken or coerced request can be cancelled, and a reminder e-mail goes out
  ``ERASURE_REMINDER_DAYS`` (default 2) before it runs. An operator can erase at once
  (``mentorhaven dsar erase EMAIL --now``), which is audited as such.
- The job (``erasure_run``) runs the steps every app registered (``registry.py``) in order, one
  transaction per step, and records each finished step in that same transaction. Killed at any
  point and run again, it carries on from the first unfinished step: a step is either wholly
  done or not at all, never half.
- ``process_due_erasures`` is the scheduled entry point: reminders first, then every request
  whose grace period is over, then any run that was interrupted. A waiting request never runs
  before its reminder: sent late (the scheduler was down for the whole reminder window), the
  reminder goes out at once and the erasure waits ``ERASURE_REMINDER_DAYS`` after it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import Conflict
from mentorhaven.mail import send_after_commit
from mentorhaven.privacy.erasure import registry
from mentorhaven.privacy.erasure.models import ErasureRequest
from mentorhaven.privacy.erasure.selectors import erasure_request_for
from mentorhaven.retention.holds import is_on_hold

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

logger = logging.getLogger("mentorhaven.privacy.erasure")

DEFAULT_GRACE_DAYS = 14
DEFAULT_REMINDER_DAYS = 2
PURPOSE = "Erase a person's data on their request (GDPR Art. 17)"


def grace_period() -> timedelta:
    return timedelta(days=int(getattr(settings, "ERASURE_GRACE_DAYS", DEFAULT_GRACE_DAYS)))


def reminder_lead() -> timedelta:
    return timedelta(days=int(getattr(settings, "ERASURE_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)))


def live_request(user: User) -> ErasureRequest | None:
    return erasure_request_for(viewer=user)


def _mail(request: ErasureRequest, subject: str, text: str) -> None:
    """A content-free notice to the person, with the erasure's date and a link to its page.
    ``text`` has one ``%(date)s``."""
    user = request.user
    when = formats.date_format(timezone.localtime(request.due_at), "DATE_FORMAT")
    text = text % {"date": when}
    link = settings.SITE_URL + reverse("privacy_erasure")
    address = user.email
    send_after_commit(
        lambda: send_mail(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            f"{text}\n\n{link}\n",
            settings.DEFAULT_FROM_EMAIL,
            [address],
        ),
        "erasure",
    )


@transaction.atomic
def erasure_request(*, actor: User, source: str = ErasureRequest.Source.SELF) -> ErasureRequest:
    """Ask for ``actor``'s erasure, due after the grace period. Asking again while a request is
    waiting returns that request unchanged (the date does not move)."""
    existing = live_request(actor)
    if existing is not None:
        return existing
    now = timezone.now()
    request = ErasureRequest.objects.create(
        user=actor, source=source, requested_at=now, due_at=now + grace_period()
    )
    audit.record(
        action="erasure.request",
        actor=actor,
        target=request,
        subject=actor,
        purpose=PURPOSE,
        extra={"source": source},
    )
    _mail(
        request,
        _("Your account will be erased"),
        _(
            "You asked us to erase your account and everything kept about you. This will happen "
            "on %(date)s. Until then you can cancel it on your privacy page."
        ),
    )
    return request


@transaction.atomic
def erasure_cancel(*, actor: User, request: ErasureRequest) -> ErasureRequest:
    """Cancel a waiting request. A run that has started cannot be stopped: part of the person's
    data is already gone, and the job must finish so nothing is left half erased."""
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.user_id != actor.pk:
        raise Conflict(_("This request cannot be cancelled."), code="not_yours")
    if request.status != ErasureRequest.Status.PENDING:
        raise Conflict(
            _("This erasure has already started and can no longer be cancelled."),
            code="not_pending",
        )
    request.status = ErasureRequest.Status.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["status", "cancelled_at"])
    audit.record(
        action="erasure.cancel",
        actor=actor,
        target=request,
        subject=actor,
        purpose=PURPOSE,
    )
    return request


@transaction.atomic
def erasure_remind(*, request: ErasureRequest, now=None) -> bool:
    """Send the one reminder before the erasure runs; False if already sent or not pending.

    Policy: the person always gets the reminder before the erasure, with time to act on it.
    When it goes out so late that less than half of ``reminder_lead()`` is left — the
    scheduler was down for the whole window, or a legal hold kept a due request waiting — the
    erasure is put back to ``reminder_lead()`` after the reminder (audited as
    ``erasure.postpone``), and the date in the e-mail is the date it will happen."""
    now = now or timezone.now()
    request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request.pk)
    if request.status != ErasureRequest.Status.PENDING or request.reminded_at is not None:
        return False
    request.reminded_at = now
    fields = ["reminded_at"]
    earliest = now + reminder_lead()
    if request.due_at < now + reminder_lead() / 2:
        previous, request.due_at = request.due_at, earliest
        fields.append("due_at")
        audit.record(
            action="erasure.postpone",
            actor=None,
            target=request,
            subject=request.user,
            purpose=PURPOSE,
            extra={"hours": int((earliest - previous).total_seconds() // 3600)},
        )
    request.save(update_fields=fields)
    _mail(
        request,
        _("Reminder: your account will be erased soon"),
        _(
            "Your account and everything kept about you will be erased on %(date)s. If you did "
            "not ask for this, or changed your mind, cancel it on your privacy page."
        ),
    )
    return True


@transaction.atomic
def _start(request: ErasureRequest) -> ErasureRequest | None:
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == ErasureRequest.Status.PENDING:
        request.status = ErasureRequest.Status.RUNNING
        request.started_at = timezone.now()
        request.save(update_fields=["status", "started_at"])
    return request if request.status == ErasureRequest.Status.RUNNING else None


@transaction.atomic
def _run_step(request_pk: int, step: registry.ErasureStep) -> None:
    request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request_pk)
    if step.name in request.steps_done:
        return  # another worker finished it meanwhile
    counts = step.run(request.user) or {}
    request.steps_done = [*request.steps_done, step.name]
    request.counts = {**request.counts, **{f"{step.name}.{k}": int(v) for k, v in counts.items()}}
    request.save(update_fields=["steps_done", "counts"])


@transaction.atomic
def _finish(request_pk: int) -> ErasureRequest:
    request = ErasureRequest.objects.select_for_update().select_related("user").get(pk=request_pk)
    if request.status == ErasureRequest.Status.RUNNING:
        request.status = ErasureRequest.Status.COMPLETED
        request.completed_at = timezone.now()
        request.save(update_fields=["status", "completed_at"])
        audit.record(
            action="erasure.complete",
            actor=None,
            target=request,
            subject=request.user,  # shredded by now: the event names nobody
            purpose=PURPOSE,
            extra={"steps": len(request.steps_done)},
        )
    return request


def erasure_run(*, request: ErasureRequest) -> ErasureRequest:
    """Carry out (or resume) one erasure. Idempotent: a completed request is returned as is.
    A person under legal hold is not erased: the request waits, pending, until the hold is
    released (a run already under way finishes: it cannot be left half done)."""
    if request.status == ErasureRequest.Status.PENDING and is_on_hold(user=request.user_id):
        logger.info("An erasure waits: its person is under legal hold.")
        return request
    started = _start(request)
    if started is None:
        return ErasureRequest.objects.get(pk=request.pk)
    for step in registry.steps():
        if step.name not in started.steps_done:
            _run_step(started.pk, step)
    done = _finish(started.pk)
    _flush_database_log()
    return done


def _flush_database_log() -> None:
    """SQLite keeps recent page images in its write-ahead log; fold them into the database (whose
    freed pages ``secure_delete`` zeroes) and empty the log, so the erased values are not left
    in the ``-wal`` file. PostgreSQL reclaims dead rows with (auto)vacuum (docs/privacy.md)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@transaction.atomic
def erasure_now(*, user: User, operator: str = "") -> ErasureRequest:
    """An operator's immediate erasure (``dsar erase --now``): due now, audited as such."""
    request = live_request(user) or ErasureRequest.objects.create(
        user=user, source=ErasureRequest.Source.OPERATOR, due_at=timezone.now()
    )
    if request.status == ErasureRequest.Status.PENDING:
        request.due_at = timezone.now()
        request.save(update_fields=["due_at"])
    audit.record(
        action="erasure.operator",
        actor=None,
        target=request,
        subject=user,
        purpose=PURPOSE,
        extra={"immediate": True},
    )
    return request


def process_due_erasures(*, now=None) -> dict[str, int]:
    """The scheduled job: send due reminders, run every erasure whose grace period is over, and
    resume any run that was interrupted. Safe to run as often as wanted, and concurrently."""
    now = now or timezone.now()
    pending = ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING)
    reminded = 0
    # Every waiting request within its reminder window that has not had its reminder, the
    # overdue ones included: a scheduler that was down for the whole window sends it now and
    # the erasure waits (``erasure_remind``). An operator's immediate erasure (``--now``) is
    # carried out by the command itself and never waits here, unless a legal hold stopped it.
    owed = pending.filter(reminded_at__isnull=True, due_at__lte=now + reminder_lead())
    for request in owed:
        reminded += erasure_remind(request=request, now=now)
    completed = 0
    due = (
        ErasureRequest.objects.filter(
            status__in=[ErasureRequest.Status.PENDING, ErasureRequest.Status.RUNNING],
            due_at__lte=now,
        )
        # Never before its reminder (sent just above, when it was owed).
        .exclude(status=ErasureRequest.Status.PENDING, reminded_at__isnull=True)
        .order_by("due_at")
    )
    for request in due:
        try:
            done = erasure_run(request=request)
        except Exception:
            # One person's failure must not hold up the others; the run resumes next time.
            logger.exception("An erasure run stopped before it finished; it will resume.")
            continue
        completed += done.status == ErasureRequest.Status.COMPLETED
    return {"reminded": reminded, "completed": completed}


def erase_inactive_account(*, user: User) -> ErasureRequest:
    """The retention sweep's eraser for an account unused for its whole period (the person was
    warned a month ahead): erased at once, recorded as the system's, legal holds respected."""
    return erasure_run(request=erasure_now(user=user, operator="retention"))
