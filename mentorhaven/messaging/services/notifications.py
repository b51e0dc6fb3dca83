"""Notices about new messages, and each person's choice of how to be told (per kind, and how
often e-mails go out). The notices themselves are written by ``messaging/notices.py``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import ValidationFailed
from mentorhaven.messaging.models import (
    Block,
    Conversation,
    Notification,
    NotificationPreference,
)

# Defined beside ``notify`` (every app tells people through it); listed here with the rest of
# the notification services.
from mentorhaven.messaging.notices import DEFAULT_EMAIL as DEFAULT_EMAIL
from mentorhaven.messaging.notices import (
    KINDS,
    Channel,
    channel_for,
    email_frequency,
    notify,
)
from mentorhaven.messaging.notices import (
    email_pending_notifications as email_pending_notifications,
)
from mentorhaven.messaging.notices import notification_email_send as notification_email_send
from mentorhaven.messaging.services._common import conversation_link

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User


def _role_word(user_id: int, conversation: Conversation) -> str:
    relationship = conversation.relationship
    if relationship is None:
        return "group"
    return "mentor" if user_id == relationship.mentor_id else "mentee"


NEW_MESSAGE_TEXT = {
    "mentor": gettext_noop("You have a new message from your mentor"),
    "mentee": gettext_noop("You have a new message from your mentee"),
    "group": gettext_noop("You have a new message in a group conversation"),
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
    notify(
        user_ids=recipients,
        kind=Notification.Kind.MESSAGE,
        link=link,
        text=NEW_MESSAGE_TEXT[_role_word(actor.pk, conversation)],
    )


def email_preference(user: User) -> str:
    return email_frequency(NotificationPreference.objects.filter(user=user).first())


def notification_channels(user: User) -> dict[str, str]:
    """Each kind and how ``user`` wants it (their choice or the default)."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return {kind: channel_for(pref, kind) for kind in KINDS}


@transaction.atomic
def notification_preference_set(
    *, actor: User, email: str | None = None, channels: dict[str, str] | None = None
) -> NotificationPreference:
    """Set how often e-mails go out and, per kind, whether to be told here and by e-mail, here
    only, or not at all. A kind left out keeps its current choice."""
    if email is not None and email not in NotificationPreference.Email.values:
        raise ValidationFailed(_("Choose immediately, daily or never."), code="bad_choice")
    chosen = dict(channels or {})
    for kind, channel in chosen.items():
        if kind not in KINDS or channel not in Channel.values:
            raise ValidationFailed(_("Choose how to be told of each kind."), code="bad_choice")
        if channel == Channel.EMAIL and not KINDS[kind].can_email:
            raise ValidationFailed(
                _("This kind of notice comes with its own e-mail."), code="bad_choice"
            )
        if channel == Channel.OFF and not KINDS[kind].can_turn_off:
            raise ValidationFailed(
                _("Safety reports cannot be turned off: someone may be at risk."),
                code="cannot_turn_off",
            )
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    if email is not None:
        pref.email = email
    pref.channels = {**(pref.channels or {}), **chosen}
    pref.save(update_fields=["email", "channels"])
    audit.record(
        action="notification_preference.set",
        actor=actor,
        target=pref,
        subject=actor,
        purpose="Choose how to be told of what happens",
        category="platform",
        extra={"frequency": pref.email, "off": sorted(k for k, c in chosen.items() if c == "off")},
    )
    return pref


def notifications_mark_read(
    *, actor: User, notification: Notification | None = None, unread: bool = False
) -> int:
    """Mark one (or all) of the actor's notifications read, or one unread again. Own
    bookkeeping: not audited."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=not unread)
    if notification is not None:
        qs = qs.filter(pk=notification.pk)
    elif unread:
        return 0
    return qs.update(read_at=None if unread else timezone.now())
