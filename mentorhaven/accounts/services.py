"""Writes about accounts: profile, password, sessions, second factors, sign-in records.

Audit events carry identifiers only: never a password, a typed address or a User-Agent.
"""

from __future__ import annotations

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils.translation import gettext as _

from mentorhaven.accounts.devices import sign_in_device_seen
from mentorhaven.accounts.domain import is_time_zone
from mentorhaven.accounts.mfa_adapter import secrets_of
from mentorhaven.accounts.models import User
from mentorhaven.accounts.realtime import sockets_recheck_on_commit
from mentorhaven.accounts.sessions import stored_key
from mentorhaven.accounts.tokens import api_tokens_revoke_all
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotFound, ValidationFailed

AUDIT_PURPOSE_SECURITY = "account security"


@transaction.atomic
def mfa_enroll_totp(*, user: User, secret: str | None = None) -> str:
    """Enrol an authenticator app for ``user`` (used by the demo and by tests); returns the secret.

    People enrol themselves through the allauth pages; this exists so that the demo personas work
    for a newcomer without a phone (``mentorhaven demo totp EMAIL`` prints the current code).
    """
    secret = secret or generate_totp_secret()
    with secrets_of(user):
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    mfa_event_record(user=user, action="mfa.enrol", method="totp")
    return secret


def mfa_event_record(*, user: User, action: str, method: str) -> None:
    """Record a second-factor change made through allauth's pages (enrol, remove, new codes)."""
    audit.record(
        action=action,
        actor=user,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"method": method},
    )


@transaction.atomic
def user_profile_update(
    *, actor: User, user: User, display_name: str, time_zone: str | None = None
) -> User:
    """Change how a person is shown to others, and the zone they see times in. Only the person
    themselves may do it. A zone is a name from the IANA list; anything else is refused."""
    if actor.pk != user.pk:
        raise NotFound()
    changed: list[str] = []
    display_name = display_name.strip()[:150]
    if display_name != user.display_name:
        user.display_name = display_name
        changed.append("display_name")
    if time_zone is not None and time_zone != user.time_zone:
        if not is_time_zone(time_zone):
            raise ValidationFailed(_("Choose a time zone from the list."), code="bad_time_zone")
        user.time_zone = time_zone
        changed.append("time_zone")
    if changed:
        user.save(update_fields=changed)
        audit.record(
            action="account.profile_update",
            actor=actor,
            target=user,
            subject=user,
            purpose="keep the profile current",
            extra={"fields": changed},
        )
    return user


@transaction.atomic
def email_change_start(*, actor: User, request, form) -> None:
    """Start changing the sign-in address through allauth's e-mail change flow
    (``ACCOUNT_CHANGE_EMAIL``): the new address gets a confirmation link and replaces the old
    one only once confirmed; until then the old one stays the sign-in address, and the old
    address is told when the change completes. ``form`` is allauth's validated AddEmailForm."""
    from allauth.account.models import EmailAddress

    # The address the invitation proved becomes allauth's (verified, primary) record, so that
    # the confirmed new address replaces it rather than sitting beside it.
    EmailAddress.objects.get_or_create(
        user=actor, email=actor.email.lower(), defaults={"primary": True, "verified": True}
    )
    form.save(request)
    audit.record(
        action="account.email_change_start",
        actor=actor,
        target=actor,
        subject=actor,
        purpose="change the sign-in address (confirmed by e-mail)",
    )


@transaction.atomic
def password_change(*, actor: User | None, user: User, password: str, request=None) -> None:
    """Set a new password, end every other session of ``user`` and revoke their API tokens.

    The session making the change (if any) stays signed in; Django re-keys it right after, so
    a socket opened under the old key closes too. ``actor`` is ``None`` for a reset by
    e-mailed link.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    current_key = getattr(getattr(request, "session", None), "session_key", None)
    current = stored_key(current_key) if current_key else None
    others = [s for s in UserSession.objects.filter(user=user) if s.session_key != current]
    get_usersessions_adapter().end_sessions(others)
    api_tokens_revoke_all(actor=actor, user=user, reason="password_change")
    sockets_recheck_on_commit(user)
    audit.record(
        action="account.password_change" if actor is not None else "account.password_reset",
        actor=actor,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"sessions_ended": len(others)},
    )


@transaction.atomic
def session_end(*, actor: User, session: UserSession) -> None:
    """End one of the actor's own sessions (the access check is ``access_user_session``)."""
    if session.user_id != actor.pk:
        raise NotFound()
    get_usersessions_adapter().end_sessions([session])
    audit.record(
        action="session.end",
        actor=actor,
        target=actor,
        subject=actor,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"count": 1},
    )


@transaction.atomic
def sessions_end_others(*, actor: User, current_session_key: str | None) -> int:
    """End every other session of the actor and revoke their API tokens: "sign out
    everywhere else" must not leave a token working for whoever held one of those sessions."""
    current = stored_key(current_session_key) if current_session_key else None
    others = [s for s in UserSession.objects.filter(user=actor) if s.session_key != current]
    get_usersessions_adapter().end_sessions(others)
    api_tokens_revoke_all(actor=actor, user=actor, reason="sessions_ended")
    if others:
        audit.record(
            action="session.end",
            actor=actor,
            target=actor,
            subject=actor,
            purpose=AUDIT_PURPOSE_SECURITY,
            extra={"count": len(others)},
        )
    return len(others)


@transaction.atomic
def login_succeeded_record(*, user: User, signup: bool, device: str | None = None) -> bool:
    """A completed sign-in, from ``device`` (``devices.device_hash``) when known. Returns
    whether the device is new to the person (not among their recent sign-ins): then they are
    told by e-mail (AccountAdapter.post_login). Without a device, every sign-in counts as new."""
    new_device = sign_in_device_seen(user=user, device=device) if device else True
    audit.record(
        action="auth.login",
        actor=user,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"signup": signup, "new_device": new_device},
    )
    return new_device


@transaction.atomic
def login_failed_record(*, user: User | None, locked_out: bool) -> None:
    """A refused password sign-in. The typed address and password are never recorded;
    the person is named (by pseudonym) only when the address belongs to an account."""
    audit.record(
        action="auth.login_locked" if locked_out else "auth.login_failed",
        actor=None,
        target=user,
        subject=user,
        purpose=AUDIT_PURPOSE_SECURITY,
        extra={"known_account": user is not None},
    )
