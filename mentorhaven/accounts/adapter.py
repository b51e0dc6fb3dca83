"""allauth hooks: sign-up only by invitation, sign-in records and notices, password changes.

allauth calls these at fixed points of its flows; each hook hands over to one of our services,
so nothing here depends on signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from mentorhaven.accounts.domain import device_description
from mentorhaven.kernel.errors import ApplicationError
from mentorhaven.mail import send_after_commit

if TYPE_CHECKING:
    from mentorhaven.accounts.models import User

# allauth notification templates that mean "a second factor changed": audited as they happen.
MFA_NOTIFICATIONS = {
    "mfa/email/totp_activated": ("mfa.enrol", "totp"),
    "mfa/email/webauthn_added": ("mfa.enrol", "webauthn"),
    "mfa/email/totp_deactivated": ("mfa.remove", "totp"),
    "mfa/email/webauthn_removed": ("mfa.remove", "webauthn"),
    "mfa/email/recovery_codes_generated": ("mfa.recovery_codes", "recovery_codes"),
}


def sso_session_mark(request, sociallogin) -> None:
    """Remember, in the session of a sign-in through an organization's provider, which
    provider it was and whether it vouched for the second factor (accounts/sso.py)."""
    from mentorhaven.accounts.social_adapter import DELEGATED_ATTR, IDP_ATTR
    from mentorhaven.accounts.sso import SESSION_KEY

    idp = getattr(sociallogin, IDP_ATTR, None)
    if idp is None:
        request.session.pop(SESSION_KEY, None)
        return
    request.session[SESSION_KEY] = {
        "idp": str(idp.public_id),
        "mfa_delegated": bool(getattr(sociallogin, DELEGATED_ATTR, False)),
    }


def invalid_invitation_response(request):
    return render(request, "accounts/invitation_invalid.html", status=404)


class AccountAdapter(DefaultAccountAdapter):
    # --- sign-up: closed except through an invitation -----------------------------------------

    def is_open_for_signup(self, request) -> bool:
        # Programs are closed communities: the sign-up form opens only for a visitor who
        # arrived through a valid invitation link (stored in the session by the invitation view).
        from mentorhaven.programs.selectors import invitation_from_session

        return invitation_from_session(request) is not None

    def save_user(self, request, user: User, form, commit: bool = True):
        """Create the account and accept its invitation in one transaction."""
        from mentorhaven.programs.selectors import INVITATION_SESSION_KEY, invitation_from_session
        from mentorhaven.programs.services import invitation_accept

        invitation = invitation_from_session(request)
        email = (form.cleaned_data.get("email") or "").lower()
        if invitation is None or invitation.email.lower() != email:
            raise ImmediateHttpResponse(invalid_invitation_response(request))
        try:
            with transaction.atomic():
                user = super().save_user(request, user, form, commit=False)
                user.display_name = (
                    form.cleaned_data.get("display_name") or invitation.display_name or ""
                ).strip()[:150]
                user.time_zone = form.cleaned_data.get("time_zone") or user.time_zone
                user.save()
                invitation_accept(actor=user, invitation=invitation)
        except ApplicationError as exc:
            # Used or revoked between opening the form and sending it: nothing was created.
            raise ImmediateHttpResponse(invalid_invitation_response(request)) from exc
        request.session.pop(INVITATION_SESSION_KEY, None)
        return user

    # --- sign-in: records, lockout and the new sign-in notice ---------------------------------

    def post_login(self, request, user: User, **kwargs):
        from mentorhaven.accounts.devices import device_cookie, device_hash, remember_device
        from mentorhaven.accounts.services import login_succeeded_record
        from mentorhaven.accounts.usersessions import session_signed_in

        response = super().post_login(request, user, **kwargs)
        session_signed_in(request, user)
        sso_session_mark(request, (kwargs.get("signal_kwargs") or {}).get("sociallogin"))
        signup = bool(kwargs.get("signup"))
        cookie = device_cookie(request)
        device = device_hash(request.META.get("HTTP_USER_AGENT", ""), cookie)
        new_device = login_succeeded_record(user=user, signup=signup, device=device)
        # Told only about a device not among their recent sign-ins (ASVS 6.3.5).
        if new_device and not signup:
            self.send_notification_mail("account/email/new_sign_in", user)
        if response is not None:
            remember_device(response, cookie)
        return response

    def pre_authenticate(self, request, **credentials: Any) -> None:
        from mentorhaven.accounts.services import login_failed_record

        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login_failed_record(user=self._user_for(credentials), locked_out=True)
            raise

    def authentication_failed(self, request, **credentials: Any) -> None:
        from mentorhaven.accounts.services import login_failed_record

        login_failed_record(user=self._user_for(credentials), locked_out=False)

    @staticmethod
    def _user_for(credentials: dict[str, Any]):
        from mentorhaven.accounts.models import User

        email = (credentials.get("email") or "").strip()
        return User.objects.filter(email__iexact=email).first() if email else None

    def get_login_stages(self) -> list[str]:
        # allauth's second-factor step, aware of a second factor delegated to an organization's
        # sign-in provider (accounts/social_adapter.py).
        ours = "mentorhaven.accounts.social_adapter.SingleSignOnAwareAuthenticateStage"
        stock = "allauth.mfa.stages.AuthenticateStage"
        return [ours if path == stock else path for path in super().get_login_stages()]

    def logout(self, request) -> None:
        """Sign out, then ring the person's open sockets: the one of this session closes.

        A session opened through the organization's sign-in provider ends the person's
        MentorHaven sessions everywhere (pages, API tokens, sockets), and sends them on to the
        provider's own sign-out when the organization asked for it (accounts/sso.py)."""
        from mentorhaven.accounts.realtime import sockets_recheck_on_commit
        from mentorhaven.accounts.services import sessions_end_others
        from mentorhaven.accounts.sso import session_state

        user = getattr(request, "user", None)
        state = session_state(request)
        if state and user is not None and user.is_authenticated:
            sessions_end_others(actor=user, current_session_key=request.session.session_key)
        super().logout(request)
        if user is not None and user.is_authenticated:
            sockets_recheck_on_commit(user)

    def get_logout_redirect_url(self, request) -> str:
        # Asked by allauth before it signs the person out, while the session still tells
        # whether it came through an organization's provider.
        from mentorhaven.accounts.sso import provider_sign_out_url, session_state

        state = session_state(request) if request.user.is_authenticated else None
        url = provider_sign_out_url(request, state) if state else None
        return url or super().get_logout_redirect_url(request)

    # --- password changes end the other sessions ----------------------------------------------

    def set_password(self, user: User, password: str) -> None:
        from mentorhaven.accounts.services import password_change

        request = self.request
        actor = user if request is not None and request.user.is_authenticated else None
        password_change(actor=actor, user=user, password=password, request=request)

    # --- notices: no content, coarse device, audited second-factor changes ------------------

    def send_notification_mail(self, template_prefix, user: User, context=None, email=None) -> None:
        from mentorhaven.accounts.services import mfa_event_record

        if template_prefix in MFA_NOTIFICATIONS:
            action, method = MFA_NOTIFICATIONS[template_prefix]
            mfa_event_record(user=user, action=action, method=method)
        from allauth.account import app_settings

        if not app_settings.EMAIL_NOTIFICATIONS:
            return
        request = self.request
        ctx = {
            "timestamp": timezone.now(),
            "device": device_description(
                request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
            ),
            **(context or {}),
        }
        address = email or user.email
        # Rendered now (while the request is at hand), sent once the change is committed.
        message = self.render_mail(template_prefix, address, {"email": address, **ctx})
        send_after_commit(message.send, template_prefix.rsplit("/", 1)[-1])
