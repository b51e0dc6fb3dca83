"""Telling people what happens: the kinds of notification, each person's choice per kind, the
in-app notice and the e-mail that follows it.

Every app tells people through ``notify`` inside the transaction of the action it reports
(publishing a match, accepting a request, proposing a meeting...): the notice is written with
the action or not at all, and the e-mail is queued on the task worker once the transaction
commits (``make run`` runs the worker, so nothing silently waits).

What a notice holds: the kind, a fixed sentence chosen here (stored untranslated, translated
when shown), a link built from public ids, and when it was read. Never anything a person wrote
and never a name, so nothing in it needs encrypting; the e-mail carries the same sentences and
links and nothing else — a mail may be read by a mail provider or over a shoulder.

This module imports only the messaging models, so that every app may use it without importing
the messaging services (which build on the mentoring services).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from mentorhaven.accounts.domain import zone_named
from mentorhaven.kernel import audit
from mentorhaven.mail import send_quietly
from mentorhaven.messaging.models import Notification, NotificationPreference

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

Kind = Notification.Kind
Channel = NotificationPreference.Channel


@dataclass(frozen=True)
class KindSpec:
    text: str  # the usual sentence (untranslated msgid); a caller may pass a variant
    can_turn_off: bool = True
    # False when the event sends its own e-mail (an invitation carries its one-time link).
    can_email: bool = True


# The sentences are marked with gettext_noop: stored as written here, translated when shown or
# e-mailed, so each person reads them in their own language.
KINDS: dict[str, KindSpec] = {
    Kind.INVITATION: KindSpec(
        gettext_noop(
            "You have been invited to a mentoring program: open the link in the invitation e-mail"
        ),
        can_email=False,
    ),
    Kind.QUESTIONNAIRE_REMINDER: KindSpec(
        gettext_noop("Your matching questionnaire is waiting for your answers")
    ),
    Kind.MATCH_PUBLISHED: KindSpec(gettext_noop("You have a new mentoring match")),
    Kind.REQUEST_RECEIVED: KindSpec(gettext_noop("A mentee asked you to be their mentor")),
    Kind.REQUEST_ACCEPTED: KindSpec(gettext_noop("Your mentor request was accepted")),
    Kind.REQUEST_DECLINED: KindSpec(gettext_noop("Your mentor request was declined")),
    Kind.REQUEST_LAPSING: KindSpec(
        gettext_noop("A mentor request is waiting for your answer and will lapse soon")
    ),
    Kind.RELATIONSHIP_STARTED: KindSpec(gettext_noop("Your mentoring relationship has started")),
    Kind.RELATIONSHIP_ENDING: KindSpec(gettext_noop("Your mentoring program ends soon")),
    Kind.RELATIONSHIP_ENDED: KindSpec(gettext_noop("Your mentoring relationship has ended")),
    Kind.RELATIONSHIP_PAUSED: KindSpec(
        gettext_noop(
            "The program's team paused your mentoring relationship: you can read, not write"
        )
    ),
    Kind.MEETING_PROPOSED: KindSpec(gettext_noop("A meeting was proposed")),
    Kind.MEETING_ACCEPTED: KindSpec(gettext_noop("Your meeting is confirmed")),
    Kind.MEETING_REMINDER: KindSpec(
        gettext_noop("Reminder: you have a mentoring meeting within the next day")
    ),
    Kind.MESSAGE: KindSpec(gettext_noop("You have a new message")),
    # A program's admins cannot switch off safety reports: someone may be at risk.
    Kind.REPORT: KindSpec(gettext_noop("A safety report needs your attention"), can_turn_off=False),
    Kind.REPORT_OUTCOME: KindSpec(
        gettext_noop("The program's team has handled your safety report")
    ),
    # A warning after a safety report: always shown, and e-mailed by the case service itself
    # whatever the person chose (they must not miss it); it never says who reported, nor why.
    Kind.SAFETY_WARNING: KindSpec(
        gettext_noop(
            "The program's team has reviewed your conduct and reminds you of the program's "
            "rules: treat everyone with respect, and keep to the program's purpose"
        ),
        can_turn_off=False,
        can_email=False,
    ),
    Kind.WAITLIST: KindSpec(gettext_noop("A mentor has a free seat: you can ask them now")),
    Kind.EVENT_REMINDER: KindSpec(
        gettext_noop("Reminder: you have a program event within the next day")
    ),
    Kind.EVENT_UPDATE: KindSpec(
        gettext_noop("A place opened up: you are now registered for a program event")
    ),
}

# Variants of a kind's sentence, for the callers that need them.
REQUEST_LAPSED = gettext_noop("Your mentor request was not answered in time")
RELATIONSHIP_QUIET = gettext_noop(
    "Nothing has happened in one of your mentoring relationships for a while"
)
MEETING_CANCELLED = gettext_noop("A meeting was cancelled")
EVENT_CANCELLED = gettext_noop("A program event you registered for was cancelled")
PROGRAM_ENDING = KINDS[Kind.RELATIONSHIP_ENDING].text
RELATIONSHIP_RESUMED = gettext_noop(
    "The program's team resumed your mentoring relationship: you can both write again"
)
REMATCHED = gettext_noop(
    "The program's team ended your mentoring relationship and proposed a new mentor for you"
)
PARTNER_LEFT = gettext_noop(
    "Your mentoring relationship has ended: the other person left MentorHaven"
)

# What the reporter is told when their safety case closes, by outcome (Report.Outcome).
REPORT_OUTCOMES = {
    "action_taken": gettext_noop(
        "The program's team looked into your safety report and took action"
    ),
    "no_action": gettext_noop(
        "The program's team looked into your safety report and found no breach of the rules"
    ),
    "escalated": gettext_noop(
        "The program's team passed your safety report to your organization's safety officers"
    ),
}
SAFETY_ESCALATED = gettext_noop("A safety report was escalated to you")

DEFAULT_CHANNEL = Channel.EMAIL
DEFAULT_EMAIL = NotificationPreference.Email.IMMEDIATELY


def channel_for(preference: NotificationPreference | None, kind: str) -> str:
    """How this person wants ``kind``: their choice, else the default; never "off" for a kind
    that cannot be turned off."""
    chosen = (preference.channels or {}).get(kind) if preference is not None else None
    channel = chosen if chosen in Channel.values else DEFAULT_CHANNEL
    if channel == Channel.OFF and not KINDS[kind].can_turn_off:
        return Channel.APP
    if channel == Channel.EMAIL and not KINDS[kind].can_email:
        return Channel.APP
    return channel


def email_frequency(preference: NotificationPreference | None) -> str:
    return preference.email if preference is not None else DEFAULT_EMAIL


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    link: str,
    text: str = "",
    about_time: datetime | None = None,
) -> list[int]:
    """Tell each of ``user_ids`` that ``kind`` happened, with a link: an in-app notice unless
    they turned the kind off, and an e-mail queued after commit for those who want this kind by
    e-mail immediately (daily e-mails wait for the digest). Call it inside the action's
    transaction. ``about_time`` is when the meeting it is about starts: each reader sees it on
    their own clock. Returns the ids of the people told."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted({int(uid) for uid in user_ids if uid})
    if not ids:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    sentence = text or KINDS[kind].text
    fresh = []
    for uid in ids:
        channel = channel_for(prefs.get(uid), kind)
        if channel == Channel.OFF:
            continue
        fresh.append(
            Notification(
                user_id=uid,
                kind=kind,
                text=sentence,
                link=link,
                about_time=about_time,
                by_email=channel == Channel.EMAIL,
            )
        )
    Notification.objects.bulk_create(fresh)
    for notice in fresh:
        if notice.by_email and email_frequency(prefs.get(notice.user_id)) == DEFAULT_EMAIL:
            _email_after_commit(notice.user_id)
    return [n.user_id for n in fresh]


def _email_after_commit(user_id: int) -> None:
    enqueue = partial(email_pending_notifications.enqueue, user_id=user_id)
    transaction.on_commit(lambda: send_quietly(enqueue, "notification"))


def already_told(*, user_id: int, kind: str, link: str, text: str = "") -> bool:
    """Whether this person already has a notice of ``kind`` (with ``text``, when given) about
    ``link``: the sweeps that remind (questionnaire, lapsing request, program ending) use it to
    remind once. A notice the person deleted by erasure is gone with them."""
    notices = Notification.objects.filter(user_id=user_id, kind=kind, link=link)
    if text:
        notices = notices.filter(text=text)
    return notices.exists()


def when_shown(moment: datetime | None) -> str:
    """ " — Fri 15 Jan 2027, 11:30 (America/New_York)": a time in the active zone, named."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f" — {date_format(local, 'D j M Y, H:i')} ({timezone.get_current_timezone_name()})"


@transaction.atomic
def notification_email_send(*, user: User, digest: bool = False) -> int:
    """E-mail ``user`` one message listing their unread notices wanted by e-mail and not yet
    e-mailed, and mark them e-mailed. Returns how many it covered (0: nothing sent).

    Idempotent: the rows are locked and marked in the same transaction as the send, so a re-run
    finds nothing left; if sending fails the transaction rolls back and the next run retries.
    (A crash between the mail server accepting the mail and the commit could send it twice:
    we prefer that to losing it.) The mail holds fixed sentences and links, never content.
    """
    pending = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(user=user, by_email=True, emailed_at__isnull=True, read_at__isnull=True)
        .order_by("created_at")
    )
    if not pending or not user.is_active:
        return 0
    lines, seen = [], []
    with timezone.override(zone_named(user.time_zone)):  # times on the recipient's clock
        for n in pending:
            if (n.text, n.link, n.about_time) not in seen:
                seen.append((n.text, n.link, n.about_time))
                lines.append(f"{_(n.text)}{when_shown(n.about_time)}:\n{settings.SITE_URL}{n.link}")
    if digest:
        subject = _("Your daily MentorHaven notifications")
    elif len(seen) == 1:
        subject = _(seen[0][0])
    else:  # the newest event names the e-mail; the rest are counted
        subject = ngettext(
            "%(latest)s, and %(count)d more", "%(latest)s, and %(count)d more", len(seen) - 1
        ) % {"latest": _(seen[-1][0]), "count": len(seen) - 1}
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        "\n\n".join(lines) + "\n\n" + _("Sign in to read them.") + "\n",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
    now = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    if digest:
        NotificationPreference.objects.update_or_create(user=user, defaults={"last_digest_at": now})
    audit.record(
        action="notification.email",
        target=("accounts.user", user.public_id),
        subject=user,
        purpose="Send notification e-mail",
        category="platform",
        extra={"count": len(pending), "digest": digest},
    )
    return len(pending)


# The task is defined beside the service it runs, so that ``notify`` can queue it without
# importing ``messaging.tasks`` (which imports the services): tasks depend on services, never
# the other way round. ``messaging.tasks`` lists it with the other background work.
@task()
def email_pending_notifications(user_id: int) -> int:
    """The e-mail of someone who wants notifications immediately (queued after a commit)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    return notification_email_send(user=user)
