"""Notifications and e-mail about new messages, and each person's e-mail preference."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    Notification,
    NotificationPreference,
)
from mentorhaven.messaging.services._common import conversation_link

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _role_word(user_id: int, conversation: Conversation) -> str:
    relationship = conversation.relationship
    if relationship is None:
        return "group"
    return "mentor" if user_id == relationship.mentor_id else "mentee"


NEW_MESSAGE_TEXT = {
    "mentor": _("You have a new message from your mentor"),
    "mentee": _("You have a new message from your mentee"),
    "group": _("You have a new message in a group conversation"),
}


def _notify_new_message(actor: User, conversation: Conversation, others: list[int]) -> None:
    """One unread notification per conversation and person: a burst of messages makes one
    notice (and at most one e-mail), not one per message. Never the content, never a name."""
    if not others:
        return
    blocked_by: set[int] = set()
    if conversation.kind == Conversation.Kind.GROUP:  # one-to-one blocks refused the send
        blocked_by = set(
            Block.objects.filter(blocker_id__in=others, blocked=actor).values_list(
                "blocker_id", flat=True
            )
        )
    link = conversation_link(conversation)
    # Usually the notice is already waiting: a burst of messages makes one.
    waiting = set(
        Notification.objects.filter(
            user_id__in=others,
            kind=Notification.Kind.MESSAGE,
            link=link,
            read_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    recipients = [uid for uid in others if uid not in waiting and uid not in blocked_by]
    if not recipients:
        return
    text = str(NEW_MESSAGE_TEXT[_role_word(actor.pk, conversation)])
    fresh = [
        Notification(user_id=uid, kind=Notification.Kind.MESSAGE, text=text, link=link)
        for uid in recipients
    ]
    Notification.objects.bulk_create(fresh)
    _email_soon([n.user_id for n in fresh])


def _email_soon(user_ids: list[int]) -> None:
    """Queue the e-mail of people who want it immediately (after commit)."""
    wanting = list(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, email=NotificationPreference.Email.IMMEDIATELY
        ).values_list("user_id", flat=True)
    )
    defaults = set(user_ids) - set(
        NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    if DEFAULT_EMAIL == NotificationPreference.Email.IMMEDIATELY:
        wanting += sorted(defaults)
    for user_id in wanting:
        transaction.on_commit(partial(email_pending_notifications.enqueue, user_id=user_id))


DEFAULT_EMAIL = NotificationPreference.Email.IMMEDIATELY


def email_preference(user: User) -> str:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.email if pref else DEFAULT_EMAIL


@transaction.atomic
def notification_preference_set(*, actor: User, email: str) -> NotificationPreference:
    if email not in NotificationPreference.Email.values:
        raise ValidationFailed(_("Choose immediately, daily or never."), code="bad_choice")
    pref, _created = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email": email}
    )
    audit.record(
        action="notification_preference.set",
        actor=actor,
        target=pref,
        subject=actor,
        purpose="Choose how often to get notification e-mails",
        category="platform",
        extra={"frequency": email},
    )
    return pref


def notifications_mark_read(*, actor: User, notification: Notification | None = None) -> int:
    """Mark one (or all) of the actor's notifications read. Own bookkeeping: not audited."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def notification_email_send(*, user: User, digest: bool = False) -> int:
    """E-mail ``user`` one message listing their unread notifications not yet e-mailed, and
    mark them e-mailed. Returns how many it covered (0: nothing sent).

    Idempotent: the rows are locked and marked in the same transaction as the send, so a re-run
    finds nothing left; if sending fails the transaction rolls back and the next run retries.
    (A crash between the mail server accepting the mail and the commit could send it twice:
    we prefer that to losing it.) The mail holds fixed sentences and links, never content.
    """
    from django.core.mail import send_mail

    pending = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(user=user, emailed_at__isnull=True, read_at__isnull=True)
        .order_by("created_at")
    )
    if not pending or not user.is_active:
        return 0
    lines, seen = [], set()
    for n in pending:
        if (n.text, n.link) not in seen:
            seen.add((n.text, n.link))
            lines.append(f"{n.text}:\n{settings.SITE_URL}{n.link}")
    subject = _("Your daily MentorHaven notifications") if digest else _("New on MentorHaven")
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


# The task is defined beside the service it runs, so that this module can queue it without
# importing ``messaging.tasks`` (which imports the services): tasks depend on services, never
# the other way round. ``messaging.tasks`` lists it with the other background work.
@task()
def email_pending_notifications(user_id: int) -> int:
    """The e-mail of someone who wants notifications immediately (queued after a commit)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    return notification_email_send(user=user)
