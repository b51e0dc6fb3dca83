"""What erasing a person removes from accounts (privacy/erasure/registry.py).

First, everything that lets the account act stops working: sessions (signed out everywhere),
API tokens, second factors, e-mail addresses. Last of all the account row itself is anonymized
rather than deleted — messages, meetings and relationships of other people point at it — so it
keeps no name, no address that reaches anyone, no password, and shows as "a former participant".
"""

from __future__ import annotations

import uuid

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.utils import timezone

from mentorhaven.accounts.models import ERASED_EMAIL_DOMAIN, ApiToken, SignInDevice, User
from mentorhaven.privacy.erasure.registry import ANONYMIZE, REVOKE, register


def _session_keys(user: User) -> list[str]:
    """Stored keys of every live session signed in as ``user``: those allauth recorded, and any
    other whose data names the account (a session opened before the record was written)."""
    keys = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    wanted = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == wanted:
            keys.add(session.session_key)
    return list(keys)


@register("accounts.access", order=REVOKE)
def revoke_access(user: User) -> dict[str, int]:
    sessions = Session.objects.filter(session_key__in=_session_keys(user)).delete()[0]
    UserSession.objects.filter(user=user).delete()
    return {
        "sessions": sessions,
        "api_tokens": ApiToken.objects.filter(user=user).delete()[0],
        "sign_in_devices": SignInDevice.objects.filter(user=user).delete()[0],
        "second_factors": Authenticator.objects.filter(user=user).delete()[0],
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        "sign_in_links": SocialAccount.objects.filter(user=user).delete()[0],
    }


@register("accounts.user", order=ANONYMIZE)
def anonymize_user(user: User) -> dict[str, int]:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_erased:
        return {"accounts": 0}
    user.email = f"{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
    user.display_name = ""
    user.time_zone = "UTC"
    user.set_unusable_password()
    user.last_login = None
    user.date_joined = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    user.public_id = uuid.uuid4()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return {"accounts": 1}
