"""New-device sign-ins: a person is e-mailed when they sign in from a device that is not among
their recent sign-ins, and not on every sign-in.

A device is its browser family (``domain.device_description``: "Firefox on Linux", no versions)
together with a random device cookie that MentorHaven sets at sign-in and keeps for 400 days.
Only a keyed hash of the two is stored (``SignInDevice``), so the table can recognise a device
it has seen but cannot name it, and a copy of the table gives nobody a cookie to replay. The
same cookie under another browser family is another device (a cookie copied into a different
browser still triggers the e-mail); a browser that lost or refused the cookie is a new device
each time, which errs on the side of telling the person.

"Recent" is bounded: a device unseen for ``RECENT_DAYS`` is forgotten, and a person keeps at
most ``RECENT_DEVICES`` devices (the least recently seen go first). Both are applied at each
sign-in; the rows go with the account when it is erased.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mentorhaven.accounts.domain import device_description
from mentorhaven.accounts.models import SignInDevice, User

RECENT_DAYS = 90
RECENT_DEVICES = 10
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
_HASH_SALT = "mentorhaven.accounts.devices"
_COOKIE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def device_cookie(request: HttpRequest) -> str:
    """The device cookie the browser sent, or a fresh one when it sent none (or a malformed
    one, which is never trusted or stored)."""
    value = request.COOKIES.get(settings.DEVICE_COOKIE_NAME, "")
    return value if _COOKIE.fullmatch(value) else secrets.token_urlsafe(32)


def device_hash(user_agent: str, cookie: str) -> str:
    """What ``SignInDevice`` holds for the browser family of ``user_agent`` with ``cookie``."""
    family = device_description(user_agent)
    return salted_hmac(_HASH_SALT, f"{family}\n{cookie}", algorithm="sha256").hexdigest()


def sign_in_device_seen(*, user: User, device: str, now=None) -> bool:
    """Record that ``user`` signed in from ``device`` (a ``device_hash``); True when it is new
    to them (not among their recent sign-ins). Called inside the sign-in's transaction, whose
    audit event (``auth.login``) records whether the device was new."""
    now = now or timezone.now()
    mine = SignInDevice.objects.filter(user=user)
    mine.filter(last_seen_at__lt=now - timedelta(days=RECENT_DAYS)).delete()
    updated = mine.filter(device_hash=device).update(last_seen_at=now)
    if not updated:
        SignInDevice.objects.create(
            user=user, device_hash=device, first_seen_at=now, last_seen_at=now
        )
    latest = mine.order_by("-last_seen_at", "-pk").values_list("pk", flat=True)
    keep = list(latest[:RECENT_DEVICES])
    mine.exclude(pk__in=keep).delete()
    return not updated


def remember_device(response: HttpResponseBase, cookie: str) -> None:
    """Give the browser its device cookie (again, renewing its lifetime)."""
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        cookie,
        max_age=COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
