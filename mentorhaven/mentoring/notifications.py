"""E-mails about mentoring. They carry no content — no names, no agenda, no note, no goal —
only that something happened and a link: the reader signs in to see the rest (a mail may be
read by a mail provider, forwarded, or seen over a shoulder)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentorhaven.mail import send_after_commit

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

MESSAGES = {
    "meeting_proposed": (
        _("A meeting was proposed"),
        _("Your mentoring partner proposed a meeting. Sign in to pick a time."),
    ),
    "meeting_scheduled": (
        _("Your meeting is confirmed"),
        _("A time was picked for the meeting you proposed. Sign in to see it."),
    ),
    "meeting_cancelled": (
        _("A meeting was cancelled"),
        _("A planned mentoring meeting was cancelled. Sign in to see which one."),
    ),
    "meeting_reminder": (
        _("Reminder: mentoring meeting soon"),
        _("You have a mentoring meeting within the next day. Sign in to see the details."),
    ),
    "partner_left": (
        _("Your mentoring relationship has ended"),
        _(
            "The other person in one of your mentoring relationships has left MentorHaven and "
            "asked for their data to be erased, so the relationship has ended. Sign in to see it."
        ),
    ),
    "idle": (
        _("Time to catch up?"),
        _(
            "Nothing has happened in one of your mentoring relationships for a while. "
            "Sign in to propose a meeting or write a note."
        ),
    ),
}


def notify_after_commit(user: User, kind: str, relationship) -> None:
    """Send one content-free e-mail once the service's transaction commits; a mail outage is
    logged (kind only) and never undoes or fails the action."""
    send_after_commit(partial(_send, user, kind, relationship), kind)


def _send(user: User, kind: str, relationship) -> None:
    subject, text = MESSAGES[kind]
    link = settings.SITE_URL + reverse(
        "relationship_detail", kwargs={"relationship_id": relationship.public_id}
    )
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject!s}",
        f"{text}\n\n{link}\n",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
