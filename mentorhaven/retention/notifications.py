"""The e-mail that warns a long-inactive person before their account is erased. Like every
MentorHaven e-mail it carries no content: that the account will go, when, and how to keep it."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mentorhaven.mail import send_after_commit


def inactivity_warning_after_commit(*, email: str, erase_after: datetime) -> None:
    send_after_commit(partial(_send, email, erase_after), "inactivity warning")


def _send(email: str, erase_after: datetime) -> None:
    link = settings.SITE_URL + reverse("account_login")
    subject = _("Your MentorHaven account will be erased")
    text = _(
        "You have not signed in to MentorHaven for a long time. To keep only what is needed, "
        "inactive accounts are erased. Unless you sign in before %(date)s, your account and "
        "everything it holds will be erased. To keep it, simply sign in."
    ) % {"date": date_format(erase_after, "DATE_FORMAT")}
    send_mail(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        f"{text}\n\n{link}\n",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )
