"""Background work of the messaging app: notification e-mails. (Old conversations are deleted
by the retention sweep, ``mentorhaven/retention``.)

Each function fetches what is due and calls a service per item; the services lock and check
again, so every run is idempotent and safe to repeat after a crash. Run the ``@task`` wrappers
from the worker; the scheduler sends digests hourly (``messaging/schedules.py``).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from mentorhaven.messaging.models import Notification, NotificationPreference

# Queued by ``notify``; listed here with the rest of the background work.
from mentorhaven.messaging.notices import (
    email_pending_notifications as email_pending_notifications,
)
from mentorhaven.messaging.services import (
    DEFAULT_EMAIL,
    notification_email_send,
)

DIGEST_EVERY = timedelta(hours=23)  # a little under a day, so a daily cron never skips a day


def send_digests() -> int:
    """Policy: people who chose "daily" get at most one e-mail a day listing what they have not
    read; people who chose "immediately" get anything a failed immediate send left behind;
    "never" gets nothing. Returns the number of e-mails sent."""
    now = timezone.now()
    User = get_user_model()
    prefs = NotificationPreference.objects.all()
    daily_due = prefs.filter(email=NotificationPreference.Email.DAILY).filter(
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - DIGEST_EVERY)
    )
    immediate = prefs.filter(email=NotificationPreference.Email.IMMEDIATELY)
    pending_users = Notification.objects.filter(
        by_email=True, emailed_at__isnull=True, read_at__isnull=True
    ).values("user_id")
    sent = 0
    for user in User.objects.filter(pk__in=daily_due.values("user_id")).filter(
        pk__in=pending_users
    ):
        sent += bool(notification_email_send(user=user, digest=True))
    catch_up = Q(pk__in=immediate.values("user_id"))
    if DEFAULT_EMAIL == NotificationPreference.Email.IMMEDIATELY:
        catch_up |= ~Q(pk__in=prefs.values("user_id"))
    for user in User.objects.filter(catch_up, is_active=True, pk__in=pending_users):
        sent += bool(notification_email_send(user=user))
    return sent


@task()
def messaging_digest() -> int:
    return send_digests()
