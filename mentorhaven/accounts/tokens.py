"""Personal access tokens for the JSON API: issue, look up, authenticate, revoke.

A token reads ``mhp_`` followed by 44 base-62 characters (about 262 random bits). The prefix
lets secret scanners and people recognise a MentorHaven token; the first characters after it
are stored in clear (``prefix``) so a person can tell their tokens apart. The secret itself is
never stored: only its SHA-256, which is enough for a lookup because the secret is long and
random (no salt or slow hash is needed for a value nobody can guess).

A stolen session must not turn into a lasting credential: creating a token needs a password or
second factor given within the last ``REAUTHENTICATION_SECONDS`` (allauth's re-authentication,
checked by the page and the API), the person is told by e-mail, a token lives no longer than
the strictest policy of the person's organizations (``Organization.api_token_max_days``), and
every token of the person is revoked when their password changes or they end their other
sessions.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import unicodedata
import uuid
from datetime import timedelta
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from mentorhaven.accounts.middleware import activate_time_zone
from mentorhaven.accounts.models import ApiToken, User
from mentorhaven.kernel import audit
from mentorhaven.kernel.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed

TOKEN_MARKER = "mhp_"  # noqa: S105 - a public marker, not a secret
SECRET_LENGTH = 44  # 44 * log2(62) ≈ 262 bits
PREFIX_LENGTH = len(TOKEN_MARKER) + 8
MAX_DAYS = 365
# How recent the password or second factor must be to create a token (settings:
# ACCOUNT_REAUTHENTICATION_TIMEOUT is allauth's window, set to the same ten minutes).
REAUTHENTICATION_SECONDS = 10 * 60
NAME_MAX_LENGTH = 100
# last_used_at is a hint for the owner ("is this token still in use?"), not an access log:
# writing it at most once a minute keeps busy API clients from turning every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Failed attempts with tokens we have never issued are audited at most once a minute per
# client address, so that nobody can flood the (hash-chained, serialised) audit log.
UNKNOWN_TOKEN_AUDIT_SECONDS = 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_ALPHABET = string.ascii_letters + string.digits


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> str:
    return TOKEN_MARKER + "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LENGTH))


def _looks_like_token(raw: str) -> bool:
    body = raw[len(TOKEN_MARKER) :]
    return (
        raw.startswith(TOKEN_MARKER)
        and len(body) == SECRET_LENGTH
        and all(c in _ALPHABET for c in body)
    )


# --- services -----------------------------------------------------------------------------


def api_token_max_days(user: User) -> int:
    """The longest life a new token of ``user`` may have: the strictest policy among the
    organizations they belong to, and never more than ``MAX_DAYS``."""
    from mentorhaven.programs.models import Organization

    policies = Organization.objects.filter(members__user=user).values_list(
        "api_token_max_days", flat=True
    )
    return min([MAX_DAYS, *policies])


def _tell_owner(token: ApiToken, *, what: str = "created") -> None:
    """E-mail the owner that a token was made or revoked (once committed): no secret, no
    label."""
    from allauth.account.adapter import get_adapter

    get_adapter().send_notification_mail(
        f"account/email/api_token_{what}",
        token.user,
        context={
            "prefix": token.prefix,
            "scope": token.get_scope_display(),
            "expires_at": token.expires_at,
        },
    )


@transaction.atomic
def api_token_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the secret, which is never shown again.

    ``actor`` is the person creating it (the owner, in the web UI) or ``None`` for an operator
    at the command line. Tokens always expire: default ``API_TOKEN_DEFAULT_DAYS``, at most a year
    and at most what the owner's organizations allow (``api_token_max_days``). Whoever created
    it, the owner is told by e-mail. The caller has checked recent re-authentication.
    """
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the token a name, so you can recognise it later.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("The name may be at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}
    elif any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        # Control characters (NUL above all, which PostgreSQL refuses) have no place in a label.
        errors["name"] = _("The name may not contain control characters.")
    if scope not in ApiToken.Scope.values:
        errors["scope"] = _("Choose read or write.")
    cap = api_token_max_days(user)
    days = min(settings.API_TOKEN_DEFAULT_DAYS, cap) if days is None else days
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = _("A token lives between 1 and %(n)d days.") % {"n": MAX_DAYS}
    elif days > cap:
        errors["days"] = _("Your organization allows tokens of at most %(n)d days.") % {"n": cap}
    if not user.is_active:
        errors["user"] = _("This account is not active.")
    if errors:
        raise ValidationFailed(extra={"errors": errors})
    raw = _new_secret()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        token_hash=token_hash(raw),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit.record(
        action="api_token.create",
        actor=actor,
        target=token,
        subject=user,
        purpose="api_access",
        category="platform",
        extra={"scope": scope, "days": days},
    )
    _tell_owner(token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken, tell: bool = True) -> ApiToken:
    """Revoke ``token`` at once and tell its owner by e-mail (a security change: if someone
    else revoked it, they learn of it). ``tell=False``: containment, which tells the person in
    its own words, if at all. Revoking an already revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action="api_token.revoke",
        actor=actor,
        target=token,
        subject=token.user,
        purpose="api_access",
        category="platform",
    )
    if tell:
        _tell_owner(token, what="revoked")
    return token


@transaction.atomic
def api_tokens_revoke_all(*, actor: User | None, user: User, reason: str) -> int:
    """Revoke every token of ``user`` that still works (a password change, "end other
    sessions"); ``reason`` is a short code for the record. Returns how many were revoked."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    count = revoked.update(revoked_at=now)
    if count:
        audit.record(
            action="api_token.revoke",
            actor=actor,
            target=user,
            subject=user,
            purpose="api_access",
            category="platform",
            extra={"count": count, "reason": reason},
        )
    return count


@transaction.atomic
def api_token_auth_failure_record(*, token: ApiToken | None, reason: str, client: str) -> None:
    """Audit a refused token. Unknown tokens are recorded at most once a minute per client."""
    if token is None:
        key = f"mh:api-token-unknown:{hashlib.sha256(client.encode()).hexdigest()[:32]}"
        if not cache.add(key, 1, UNKNOWN_TOKEN_AUDIT_SECONDS):
            return
    audit.record(
        action="api_token.auth_failed",
        target=token,
        subject=token.user if token else None,
        purpose="security",
        category="platform",
        extra={"reason": reason},
    )


# --- selectors and access ------------------------------------------------------------------


def _nothing(request: HttpRequest) -> None:
    return None


_reauthentication_gate = reauthentication_required(_nothing)


def recently_reauthenticated(request: HttpRequest) -> bool:
    """Whether the signed-in person gave their password or second factor again within
    allauth's re-authentication window (ACCOUNT_REAUTHENTICATION_TIMEOUT): asked of a
    session before it may mint a token. A sign-in alone does not count: whoever stole the
    session cookie would have it too."""
    try:
        _reauthentication_gate(request)
    except ReauthenticationRequired:
        return False
    return True


def reauthentication_needed_error() -> NotAuthenticated:
    return NotAuthenticated(
        _(
            "Confirm it is you first: give your password or second factor again at "
            "/accounts/reauthenticate/, then create the token within 10 minutes."
        ),
        code="reauthentication_required",
        extra={"reauthenticate_url": "/accounts/reauthenticate/"},
    )


def api_tokens_for(*, viewer: User) -> QuerySet[ApiToken]:
    """The viewer's own tokens, newest first. Nobody lists anyone else's tokens."""
    return ApiToken.objects.filter(user=viewer).order_by("-created_at")


def access_api_token(viewer: User, public_id: Any, *, write: bool = False) -> ApiToken:
    """The viewer's own token, or NotFound (also for someone else's token or a malformed id)."""
    try:
        return ApiToken.objects.get(user=viewer, public_id=uuid.UUID(str(public_id)))
    except (ApiToken.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def api_tokens_matching(reference: str) -> QuerySet[ApiToken]:
    """Tokens whose public id or displayed prefix is ``reference`` (for the operator's CLI)."""
    try:
        return ApiToken.objects.filter(public_id=uuid.UUID(reference)).select_related("user")
    except ValueError:
        return ApiToken.objects.filter(prefix=reference).select_related("user")


def api_token_authenticate(raw: str, *, client: str = "") -> ApiToken:
    """The usable token for ``raw``, with its user, or NotAuthenticated (and an audit event)."""
    token = None
    if _looks_like_token(raw):
        token = ApiToken.objects.select_related("user").filter(token_hash=token_hash(raw)).first()
    now = timezone.now()
    reason = ""
    if token is None:
        reason = "unknown"
    elif token.revoked_at is not None:
        reason = "revoked"
    elif token.expires_at <= now:
        reason = "expired"
    elif not token.user.is_active:
        reason = "inactive_user"
    if reason:
        api_token_auth_failure_record(token=token, reason=reason, client=client)
        raise NotAuthenticated(_("The API token is not valid."), code="invalid_token")
    assert token is not None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        # A conditional update: concurrent requests write the column once, not once each.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Ninja authentication -----------------------------------------------------------------


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mhp_…``. Read-scope tokens may only use safe methods.

    A request that carries a bearer token is judged by the token alone: a bad token is refused
    even when the same browser also holds a session.
    """

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise NotAuthenticated(
                _("Send the token as: Authorization: Bearer <token>."), code="invalid_token"
            )
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        api_token = api_token_authenticate(token, client=_client_address(request))
        if api_token.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise PermissionDenied(
                _("This token may only read. Create a token with write scope to make changes."),
                code="insufficient_scope",
            )
        user = api_token.user
        from mentorhaven.accounts.selectors import mfa_gate

        # One query (roles and second factors together), read afresh on every request.
        if mfa_gate(user).blocks:
            raise PermissionDenied(
                _("Set up two-factor authentication before using MentorHaven."),
                code="mfa_required",
            )
        from mentorhaven.gates.access import pending_agreement

        if pending_agreement(user) is not None:  # the same gate as the pages' middleware
            raise PermissionDenied(
                _("Accept your program's confidentiality agreement before going on."),
                code="agreement_required",
            )
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        activate_time_zone(user)  # the middleware saw no one: the token is read only here
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods must pass Django's CSRF check.

    Unlike Ninja's own class, the CSRF check runs only for a signed-in session, so an anonymous
    caller is told to authenticate (401) rather than that a CSRF token is missing (403).
    """

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        reason = CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {})
        if reason is not None:
            raise PermissionDenied(
                _("The CSRF check failed. Send the X-CSRFToken header with the page's token."),
                code="csrf_failed",
            )
        return user


def _no_response(request) -> HttpResponse:  # never called: CsrfViewMiddleware needs a view
    return HttpResponse()
