"""What a data export holds from the accounts app (privacy/export/registry.py)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.utils.translation import gettext_lazy as _

from mentorhaven.accounts.models import ApiToken, SignInDevice
from mentorhaven.privacy.export.registry import Section, exclude, register


def account_rows(context):
    user = context.user
    yield {
        "record": "account",
        "email": user.email,
        "name": user.display_name,
        "joined": user.date_joined,
        "time_zone": user.time_zone,
        "last_sign_in": user.last_login,
        "active": user.is_active,
    }
    for address in EmailAddress.objects.filter(user=user).order_by("pk"):
        yield {
            "record": "email_address",
            "email": address.email,
            "verified": address.verified,
            "primary": address.primary,
        }
    for method in Authenticator.objects.filter(user=user).order_by("pk"):
        # The kind of second factor and when it was used; never its secret.
        yield {
            "record": "second_factor",
            "kind": method.type,
            "created": method.created_at,
            "last_used": method.last_used_at,
        }


def token_rows(context):
    for token in ApiToken.objects.filter(user=context.user).order_by("created_at").iterator():
        yield {
            "label": str(token.name),
            "starts_with": token.prefix,
            "scope": token.scope,
            "created": token.created_at,
            "expires": token.expires_at,
            "last_used": token.last_used_at,
            "revoked": token.revoked_at,
        }


def session_rows(context):
    sessions = UserSession.objects.filter(user=context.user).order_by("created_at")
    for session in sessions.iterator():
        yield {
            "started": session.created_at,
            "last_seen": session.last_seen_at,
            "address": session.ip,
            "browser": session.user_agent,
        }


def device_rows(context):
    # The stored hash names nothing and is left out: when each device was first and last seen.
    devices = SignInDevice.objects.filter(user=context.user).order_by("first_seen_at")
    for device in devices.iterator():
        yield {"first_seen": device.first_seen_at, "last_seen": device.last_seen_at}


def sign_in_link_rows(context):
    links = SocialAccount.objects.filter(user=context.user).order_by("date_joined")
    for link in links.iterator():
        yield {
            "provider": link.provider,
            "identifier": link.uid,
            "how_signed_in": link.extra_data,
            "linked": link.date_joined,
            "last_sign_in": link.last_login,
        }


register(
    Section(
        key="account",
        title=_("Your account"),
        models=("accounts.User", "account.EmailAddress", "mfa.Authenticator"),
        rows=account_rows,
        source=_("Given by you or by the organization that invited you"),
        order=10,
    )
)
register(
    Section(
        key="api_tokens",
        title=_("Your API tokens"),
        models=("accounts.ApiToken",),
        rows=token_rows,
        source=_("Created by you"),
        order=11,
    )
)
register(
    Section(
        key="sessions",
        title=_("Your sign-in sessions"),
        models=("usersessions.UserSession",),
        rows=session_rows,
        source=_("Recorded by MentorHaven when you signed in"),
        order=12,
    )
)
register(
    Section(
        key="sign_in_devices",
        title=_("Devices you signed in from"),
        models=("accounts.SignInDevice",),
        rows=device_rows,
        source=_("Recorded by MentorHaven when you signed in"),
        order=13,
    )
)
register(
    Section(
        key="sign_in_links",
        title=_("Your links to your organization's sign-in provider"),
        models=("socialaccount.SocialAccount",),
        rows=sign_in_link_rows,
        source=_("Recorded by MentorHaven when your organization's provider signed you in"),
        order=14,
    )
)
exclude(
    "socialaccount.SocialToken",
    "never written: provider tokens are not kept (SOCIALACCOUNT_STORE_TOKENS is off)",
)
exclude(
    "account.EmailConfirmation",
    "a one-time confirmation key for an address already in the account section",
)
exclude(
    "accounts.User_groups",
    "Django's permission groups are not used: nothing is ever stored in this table",
)
exclude(
    "accounts.User_user_permissions",
    "Django's per-user permissions are not used: nothing is ever stored in this table",
)
